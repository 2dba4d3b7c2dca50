#include "memory_option.hpp"

#include <unistd.h>

#include "scgrad/error.hpp"

namespace scgrad::app {

namespace {

std::int64_t parse_bytes(const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    throw Error("--max-memory: expected a size like 4G or 500M, got '" + text + "'");
  }
  const auto unit = text.substr(used);
  const double scale = unit.empty() || unit == "B" ? 1
                       : unit == "K"               ? 1024.0
                       : unit == "M"               ? 1024.0 * 1024
                       : unit == "G"               ? 1024.0 * 1024 * 1024
                                                   : -1;
  if (scale < 0 || value <= 0) {
    throw Error("--max-memory: expected a size like 4G or 500M, got '" + text + "'");
  }
  return static_cast<std::int64_t>(value * scale);
}

/// Half the machine's memory: room for the matrix and for torch.
std::int64_t default_max_memory() {
  return static_cast<std::int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE) / 2;
}

}  // namespace

void add_max_memory_option(CLI::App* command, std::string& max_memory) {
  command->add_option("--max-memory", max_memory,
                      "when the matrix (8 bytes per stored entry) is larger than this, read "
                      "cells from disk in blocks instead of loading it (e.g. 2G, 500M); default: "
                      "half the machine's memory");
}

std::int64_t max_memory_bytes(const std::string& text) {
  return text.empty() ? default_max_memory() : parse_bytes(text);
}

}  // namespace scgrad::app
