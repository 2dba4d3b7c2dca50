#include "lzf_filter.hpp"

#include <hdf5.h>
#include <liblzf/lzf.h>

#include <cerrno>
#include <cstdlib>
#include <mutex>

namespace scgrad::hdf5 {

namespace {

constexpr H5Z_filter_t kLzfFilterId = 32000;  // registered with The HDF Group by h5py

/// Decompress only: scgrad never writes LZF. h5py stores the chunk's uncompressed size in
/// cd_values[2]; without it, the output buffer grows until the chunk fits.
size_t lzf_filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[], size_t nbytes,
                  size_t* buf_size, void** buf) {
  if ((flags & H5Z_FLAG_REVERSE) == 0) return 0;  // compression unsupported: fail the write
  size_t out_size = (cd_nelmts >= 3 && cd_values[2] != 0) ? cd_values[2] : 2 * nbytes;
  for (int attempt = 0; attempt < 32; ++attempt) {
    void* out = std::malloc(out_size);
    if (out == nullptr) return 0;
    const unsigned produced =
        lzf_decompress(*buf, static_cast<unsigned>(nbytes), out, static_cast<unsigned>(out_size));
    if (produced != 0) {
      std::free(*buf);
      *buf = out;
      *buf_size = out_size;
      return produced;
    }
    std::free(out);
    if (errno != E2BIG) return 0;  // corrupt data
    out_size *= 2;
  }
  return 0;
}

}  // namespace

void register_lzf_filter() {
  static std::once_flag once;
  std::call_once(once, [] {
    static const H5Z_class2_t filter_class = {H5Z_CLASS_T_VERS, kLzfFilterId, 1,         1, "lzf",
                                              nullptr,          nullptr,      lzf_filter};
    H5Zregister(&filter_class);
  });
}

}  // namespace scgrad::hdf5
