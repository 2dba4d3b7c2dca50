#pragma once
/// @file seconds_since.hpp
/// Wall-clock seconds since a steady_clock time point: what the stage timings report.

#include <chrono>

namespace scgrad {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace scgrad
