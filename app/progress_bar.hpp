#pragma once
// A one-line progress bar with rate and time left, drawn on stderr only when stderr is a
// terminal (quiet in pipes, logs and CI).

#include <chrono>
#include <cstdint>
#include <string>

namespace scgrad::app {

class ProgressBar {
 public:
  /// @param unit what is counted, e.g. "epochs"
  ProgressBar(std::string label, std::int64_t total, std::string unit);
  ~ProgressBar();
  /// Redraws at most ~10 times a second; `note` is shown after the bar (e.g. the last loss).
  void update(std::int64_t done, const std::string& note = "");
  /// Clears the bar's line so that the next output starts clean.
  void clear();

 private:
  std::string label_;
  std::int64_t total_;
  std::string unit_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace scgrad::app
