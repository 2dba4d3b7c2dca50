#pragma once
/// @file memory_size.hpp
/// The memory budget of train and predict (--max-memory, Python's max_memory): sizes as text
/// and the default.

#include <cstdint>
#include <optional>
#include <string>

namespace scgrad {

/// "4G", "500M", "1.5G", "64K", "800000000" → bytes; none when the text is not a size from one
/// byte to 8 exbibytes (NaN, inf, 0, negative, overflowing).
std::optional<std::int64_t> parse_memory_size(const std::string& text);

/// Half the machine's physical memory: room for the matrix and for torch.
std::int64_t default_max_memory();

}  // namespace scgrad
