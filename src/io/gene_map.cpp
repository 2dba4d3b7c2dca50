#include "scgrad/io/gene_map.hpp"

#include <fstream>

#include "scgrad/error.hpp"

namespace scgrad {

namespace {

/// The fields of one CSV line (RFC 4180 quotes; no line breaks inside a field).
std::vector<std::string> csv_fields(const std::string& line) {
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
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

}  // namespace

std::vector<GenePair> read_gene_map(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "", "cannot read the gene map");
  std::string line;
  std::size_t number = 0;
  std::vector<GenePair> pairs;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto fields = csv_fields(line);
    const auto where = "line " + std::to_string(number);
    if (pairs.empty() && number == 1) {
      if (fields.size() != 2 || fields[0] != "model" || fields[1] != "query") {
        throw InputError(path, where,
                         "expected the header 'model,query' (the model's gene name, then the "
                         "query's), found '" +
                             line + "'");
      }
      continue;
    }
    if (fields.size() != 2 || fields[0].empty() || fields[1].empty()) {
      throw InputError(
          path, where,
          "expected two non-empty fields, model gene and query gene, found '" + line + "'");
    }
    pairs.push_back({fields[0], fields[1]});
  }
  if (number == 0) throw InputError(path, "", "empty: expected the header 'model,query'");
  return pairs;
}

}  // namespace scgrad
