#pragma once
// The numbers a fuzz target writes into a file: ordinary ones, a huge one, a signed zero, NaN
// and Inf, picked by the input bytes.

#include <fuzzer/FuzzedDataProvider.h>

#include <limits>

namespace scgrad::fuzz {

inline float special_value(FuzzedDataProvider& in) {
  static const float kValues[] = {0.0F,
                                  1.0F,
                                  2.0F,
                                  -1.0F,
                                  0.5F,
                                  1e30F,
                                  -0.0F,
                                  std::numeric_limits<float>::quiet_NaN(),
                                  std::numeric_limits<float>::infinity()};
  return in.PickValueInArray(kValues);
}

}  // namespace scgrad::fuzz
