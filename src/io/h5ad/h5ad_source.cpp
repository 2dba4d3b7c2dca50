#include "h5ad_source.hpp"

namespace scgrad::h5ad {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "(none)" : out;
}

}  // namespace scgrad::h5ad
