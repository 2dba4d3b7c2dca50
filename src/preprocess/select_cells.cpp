#include "scgrad/preprocess/select_cells.hpp"

#include <algorithm>
#include <sstream>

#include "scgrad/error.hpp"

namespace scgrad {

namespace {
std::string describe_labels(const Categorical& labels) {
  std::ostringstream out;
  const auto counts = labels.counts();
  bool first = true;
  for (std::size_t i = 0; i < labels.categories.size(); ++i) {
    if (is_unlabelled(labels.categories[i])) continue;
    out << (first ? "" : ", ") << "'" << labels.categories[i] << "' (" << counts[i] << ")";
    first = false;
  }
  return out.str();
}
}  // namespace

bool is_unlabelled(const std::string& label) {
  return label.find_first_not_of(" \t\r\n") == std::string::npos;
}

CellSelection select_cells(const Categorical& labels, const std::vector<std::string>& classes,
                           const std::string& label_key) {
  std::vector<std::string> wanted = classes;
  const auto counts = labels.counts();
  if (wanted.size() == 1 && wanted[0] == "all") {
    wanted.clear();
    for (std::size_t i = 0; i < labels.categories.size(); ++i) {
      if (counts[i] > 0 && !is_unlabelled(labels.categories[i])) {
        wanted.push_back(labels.categories[i]);
      }
    }
  }
  if (wanted.size() < 2) {
    throw Error(
        "need at least two classes to train a classifier (name them, or \"all\"); obs "
        "column '" +
            label_key + "' has: " + describe_labels(labels),
        {"classes"});
  }
  // category code → class index (or -1 when the cell is not selected)
  std::vector<std::int32_t> class_of(labels.categories.size(), -1);
  CellSelection out;
  for (std::size_t c = 0; c < wanted.size(); ++c) {
    const auto it = std::find(labels.categories.begin(), labels.categories.end(), wanted[c]);
    if (std::find(wanted.begin(), wanted.begin() + static_cast<long>(c), wanted[c]) !=
        wanted.begin() + static_cast<long>(c)) {
      throw OptionError("class '" + wanted[c] + "' is listed twice in the classes", {"classes"});
    }
    const auto code = it - labels.categories.begin();
    if (it == labels.categories.end() || counts[static_cast<std::size_t>(code)] == 0 ||
        is_unlabelled(wanted[c])) {
      throw Error("class '" + wanted[c] + "' has no cells in obs column '" + label_key +
                      "'; the labels present are: " + describe_labels(labels),
                  {"classes"});
    }
    class_of[static_cast<std::size_t>(code)] = static_cast<std::int32_t>(c);
  }
  out.classes = wanted;
  out.class_counts.assign(wanted.size(), 0);
  for (std::size_t i = 0; i < labels.codes.size(); ++i) {
    const auto code = labels.codes[i];
    if (code < 0 || is_unlabelled(labels.categories[static_cast<std::size_t>(code)])) {
      ++out.unlabelled;
      continue;
    }
    if (class_of[static_cast<std::size_t>(code)] < 0) continue;
    const auto target = class_of[static_cast<std::size_t>(code)];
    out.rows.push_back(static_cast<std::int64_t>(i));
    out.targets.push_back(target);
    ++out.class_counts[static_cast<std::size_t>(target)];
  }
  return out;
}

std::vector<std::string> split_class_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream parts(text);
  std::string part;
  while (std::getline(parts, part, ',')) {
    const auto begin = part.find_first_not_of(" \t");
    const auto end = part.find_last_not_of(" \t");
    if (begin != std::string::npos) out.push_back(part.substr(begin, end - begin + 1));
  }
  return out;
}

}  // namespace scgrad
