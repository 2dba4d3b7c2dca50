#pragma once
/// @file error.hpp
/// What scgrad throws, in three kinds a caller can tell apart:
/// - `InputError` (an `Error`): a problem in an input file — its message starts with the file
///   and the element ("data.h5ad: obs/cell_type: ..."), `file()` and `element()` give them.
/// - `Error`: another problem a user can fix (classes absent from a file, training that
///   diverged, an output folder that does not exist).
/// - `OptionError` (a `std::invalid_argument`): a broken precondition of the API, such as an
///   option value out of range.
/// Messages are in the API's words. `Error` and `OptionError` may name the options that fix
/// the problem (`settings()`, e.g. "learning_rate"); the scgrad program adds its flags for them.

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace scgrad {

/// The options (field names of FitOptions, TrainingOptions, PredictOptions, ...) that would
/// fix a problem; empty when none would.
class SettingsHint {
 public:
  explicit SettingsHint(std::vector<std::string> settings = {}) : settings_(std::move(settings)) {}
  const std::vector<std::string>& settings() const { return settings_; }

 private:
  std::vector<std::string> settings_;
};

/// A problem a user can fix; the message says what was read, what was expected and how.
class Error : public std::runtime_error, public SettingsHint {
 public:
  explicit Error(const std::string& message, std::vector<std::string> settings = {})
      : std::runtime_error(message), SettingsHint(std::move(settings)) {}
};

/// A problem in an input file. The message is "FILE: ELEMENT: WHAT" ("FILE: WHAT" when the
/// whole file is meant).
class InputError : public Error {
 public:
  InputError(std::string file, std::string element, const std::string& what,
             std::vector<std::string> settings = {})
      : Error(file + (element.empty() ? "" : ": " + element) + ": " + what, std::move(settings)),
        file_(std::move(file)),
        element_(std::move(element)) {}
  const std::string& file() const { return file_; }
  /// The path inside the file ("obs/cell_type", "X/indptr"), or "" for the file as a whole.
  const std::string& element() const { return element_; }

 private:
  std::string file_;
  std::string element_;
};

/// A broken precondition: an option or argument the API cannot accept.
class OptionError : public std::invalid_argument, public SettingsHint {
 public:
  explicit OptionError(const std::string& message, std::vector<std::string> settings = {})
      : std::invalid_argument(message), SettingsHint(std::move(settings)) {}
};

}  // namespace scgrad
