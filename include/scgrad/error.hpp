#pragma once
/// @file error.hpp
/// The one exception type scgrad throws for problems a user can fix.

#include <stdexcept>
#include <string>

namespace scgrad {

/// A problem with the user's input (a file, an option, a column name).
/// The message names what was read, which element, and what was expected;
/// the command-line program prints it and exits with a non-zero status.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace scgrad
