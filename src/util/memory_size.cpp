#include "scgrad/util/memory_size.hpp"

#include <unistd.h>

#include <exception>

namespace scgrad {

std::optional<std::int64_t> parse_memory_size(const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const auto unit = text.substr(used);
  const double scale = unit.empty() || unit == "B" ? 1
                       : unit == "K"               ? 1024.0
                       : unit == "M"               ? 1024.0 * 1024
                       : unit == "G"               ? 1024.0 * 1024 * 1024
                                                   : -1;
  const double bytes = value * scale;
  // Below one byte or beyond what an int64 holds (99999999999999999999G once overflowed).
  if (scale < 0 || !(bytes >= 1) || !(bytes < 9.2e18)) return std::nullopt;
  return static_cast<std::int64_t>(bytes);
}

std::int64_t default_max_memory() {
  return static_cast<std::int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE) / 2;
}

}  // namespace scgrad
