#include "memory_option.hpp"

#include "scgrad/error.hpp"
#include "scgrad/util/memory_size.hpp"

namespace scgrad::app {

void add_max_memory_option(CLI::App* command, std::string& max_memory) {
  command->add_option("--max-memory", max_memory,
                      "when the matrix (8 bytes per stored entry) is larger than this, read "
                      "cells from disk in blocks instead of loading it (e.g. 2G, 500M); default: "
                      "half the machine's memory");
}

std::int64_t max_memory_bytes(const std::string& text) {
  if (text.empty()) return default_max_memory();
  if (const auto bytes = parse_memory_size(text)) return *bytes;
  throw Error("--max-memory: expected a size from 1 byte to 8 EiB, like 4G or 500M, got '" + text +
              "'");
}

}  // namespace scgrad::app
