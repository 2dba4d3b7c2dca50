#pragma once
// What scgrad's commands read from a file, for the fuzz targets: the obs/var dataframes, every
// obs column, every matrix's metadata, values and rows. A malformed file may only ever end in
// scgrad::Error; any other exception, a crash or a sanitizer report is a bug.

#include <cstdint>
#include <string>

namespace scgrad::fuzz {

/// Opens `path` and reads it; catches scgrad::Error (the expected outcome for bad files) step by
/// step so that one bad element does not hide the others.
void read_like_scgrad(const std::string& path);

/// A scratch file name in memory (/dev/shm when present), one per process.
const std::string& scratch_path();

}  // namespace scgrad::fuzz
