#pragma once
// The model file's element names and shape helpers, shared by its validation
// (fitted_model.cpp) and its reader and writer (model_file.cpp). Private to src/saved.

#include <cstdint>
#include <string>
#include <vector>

namespace scgrad::model_file_layout {

inline constexpr const char* kFormatName = "scgrad-model";
inline constexpr const char* kAttributionPath = "markers/gradient_x_input";
inline constexpr const char* kRatesPath = "novelty/type_rates";
inline constexpr const char* kDeviancePath = "novelty/deviance_quantiles";
inline constexpr const char* kDoubtPath = "novelty/doubt_quantiles";

inline std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

inline std::int64_t element_count(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (const auto d : shape) n *= d;
  return n;
}

}  // namespace scgrad::model_file_layout
