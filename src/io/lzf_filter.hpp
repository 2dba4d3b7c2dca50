#pragma once
// Registers the LZF filter (HDF5 filter id 32000, h5py's default for anndata <= 0.7 files).
// Debian's hdf5-plugin-lzf is not linked against liblzf and fails to load, so scgrad
// registers the filter itself with liblzf's decompressor.

namespace scgrad::hdf5 {

/// Idempotent; called before a file is opened.
void register_lzf_filter();

}  // namespace scgrad::hdf5
