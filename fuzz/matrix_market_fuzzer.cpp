// libFuzzer target: arbitrary bytes as a Matrix Market coordinate file. Seeded with the small
// files tests/python/write_fixtures.py and the malformed corpus write, mutations land in the
// banner, the size line and the entries. Every input must end in a matrix or an InputError.

#include <cstdint>
#include <sstream>
#include <string>

#include "scgrad/error.hpp"
#include "scgrad/io/matrix_market.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream text(std::string(reinterpret_cast<const char*>(data), size));
  const auto next = [&text](std::string& line) {
    return static_cast<bool>(std::getline(text, line));
  };
  try {
    // A budget of 64 MB: a size line declaring more is refused before anything is allocated.
    const auto m = scgrad::parse_matrix_market(next, "fuzz.mtx", std::int64_t{64} << 20);
    if (m.indptr.size() != static_cast<std::size_t>(m.n_rows) + 1) __builtin_trap();
  } catch (const scgrad::InputError&) {
  }
  return 0;
}
