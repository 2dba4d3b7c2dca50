#pragma once
// The library's errors name the options that fix them in the API's words (SettingsHint:
// "lr", "gene_filter.min_counts"); the program shows its flags for them.

#include <exception>
#include <string>

namespace scgrad::app {

/// " (command-line option: --lr)" for an exception that names settings; "" otherwise.
std::string flag_hint(const std::exception& error);

}  // namespace scgrad::app
