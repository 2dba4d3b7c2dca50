#include "scgrad/io/delimited_table.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "scgrad/error.hpp"
#include "scgrad/util/plain_cause.hpp"

namespace scgrad {

namespace {

bool ends_with(const std::string& text, const std::string& end) {
  return text.size() >= end.size() && text.compare(text.size() - end.size(), end.size(), end) == 0;
}

char delimiter_for(const std::string& path, const std::string& header) {
  if (ends_with(path, ".tsv") || ends_with(path, ".txt")) return '\t';
  if (header.find('\t') != std::string::npos && header.find(',') == std::string::npos) return '\t';
  return ',';
}

}  // namespace

std::vector<std::string> delimited_fields(const std::string& line, char delimiter) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

DelimitedTable read_delimited_table(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw InputError(path, "", "is a directory; expected a CSV or TSV file");
  }
  std::ifstream in(path);
  if (!in) throw InputError(path, "", "cannot read it: " + plain_cause(errno));
  DelimitedTable table;
  table.path = path;
  std::string line;
  std::size_t number = 0;
  char delimiter = ',';
  while (std::getline(in, line)) {
    ++number;
    // Spreadsheets save "CSV UTF-8" with a byte-order mark before the header.
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (table.header.empty()) {
      delimiter = delimiter_for(path, line);
      table.header = delimited_fields(line, delimiter);
      continue;
    }
    auto fields = delimited_fields(line, delimiter);
    if (fields.size() != table.header.size()) {
      throw InputError(path, "line " + std::to_string(number),
                       std::to_string(fields.size()) + " fields, the header has " +
                           std::to_string(table.header.size()));
    }
    table.rows.push_back(std::move(fields));
    table.line_numbers.push_back(number);
  }
  if (in.bad()) throw InputError(path, "", "cannot read it: " + plain_cause(errno));
  if (table.header.empty()) throw InputError(path, "", "empty: expected a header line");
  return table;
}

}  // namespace scgrad
