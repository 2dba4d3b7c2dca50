#pragma once
// `--max-memory SIZE` of train and predict: when a file's matrix (8 bytes per stored entry) is
// larger, its cells are read from disk in blocks instead of all at once.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace scgrad::app {

void add_max_memory_option(CLI::App* command, std::string& max_memory);

/// "4G", "500M", "1.5G", "800000000" → bytes; "" → half the machine's memory.
std::int64_t max_memory_bytes(const std::string& text);

}  // namespace scgrad::app
