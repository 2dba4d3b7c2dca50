#pragma once
/// @file hdf5_printing.hpp
/// libhdf5 prints its error stack to stderr by default. The library turns that off only for
/// the duration of its own calls and restores the caller's setting after each one, so a host
/// program that uses libhdf5 itself keeps its choice. A program that reports errors itself may
/// turn it off for the whole process: then libhdf5 is silent also outside scgrad's calls, e.g.
/// at exit after a failed write ("HDF5: infinite loop closing library"). The scgrad program
/// does, in main.

namespace scgrad {

/// Switches libhdf5's automatic error printing off for the process (opt-in, idempotent).
void silence_hdf5_error_printing();

}  // namespace scgrad
