#include "scgrad/io/gene_map.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "scgrad/error.hpp"
#include "scgrad/io/delimited_table.hpp"
#include "scgrad/util/plain_cause.hpp"

namespace scgrad {

std::vector<GenePair> read_gene_map(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw InputError(path, "", "is a directory; expected the gene map, a CSV file");
  }
  std::ifstream in(path);
  if (!in) throw InputError(path, "", "cannot read the gene map: " + plain_cause(errno));
  std::string line;
  std::size_t number = 0;
  std::vector<GenePair> pairs;
  while (std::getline(in, line)) {
    ++number;
    // Spreadsheets save "CSV UTF-8" with a byte-order mark before the header.
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto fields = delimited_fields(line, ',');
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
  if (pairs.empty()) {
    throw InputError(path, "",
                     "has the header 'model,query' but no gene pairs below it: expected one "
                     "line per model gene, e.g. 'CD3E,ENSG00000198851'");
  }
  return pairs;
}

}  // namespace scgrad
