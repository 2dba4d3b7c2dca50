// libFuzzer target: arbitrary bytes as an .h5ad file. Seeded with real .h5ad files, the
// mutations land in HDF5 metadata (object headers, attributes, B-trees) and in the anndata
// layout scgrad reads.

#include <cstdint>
#include <cstdio>

#include "read_like_scgrad.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& path = scgrad::fuzz::scratch_path();
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) return 0;
  std::fwrite(data, 1, size, out);
  std::fclose(out);
  scgrad::fuzz::read_like_scgrad(path);
  return 0;
}
