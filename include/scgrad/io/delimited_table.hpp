#pragma once
/// @file delimited_table.hpp
/// A small text table as spreadsheets and pandas write it: a header line, then one line per
/// record; fields separated by commas (RFC 4180 quotes) or, for .tsv/.txt files and headers
/// with tabs but no commas, by tabs. A byte-order mark and blank lines are skipped. No torch.

#include <string>
#include <vector>

namespace scgrad {

struct DelimitedTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  ///< each as long as the header
  std::vector<std::size_t> line_numbers;       ///< of each row in the file, 1-based
};

/// The fields of one line split at `delimiter` (quotes as RFC 4180; no line breaks in a field).
std::vector<std::string> delimited_fields(const std::string& line, char delimiter);

/// Reads the table at `path`. InputError naming the file and line when it cannot be read, is
/// empty, or a line has another number of fields than the header.
DelimitedTable read_delimited_table(const std::string& path);

}  // namespace scgrad
