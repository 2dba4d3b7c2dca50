#include "scgrad/predict/majority_vote.hpp"

#include <algorithm>
#include <map>

#include "scgrad/error.hpp"

namespace scgrad {

MajorityVote majority_vote(const std::vector<std::int32_t>& groups, const Categorical& labels,
                           const MajorityVoteOptions& options,
                           const std::vector<float>& confidence) {
  if (groups.size() != labels.codes.size() ||
      (!confidence.empty() && confidence.size() != groups.size())) {
    throw OptionError("majority_vote: " + std::to_string(groups.size()) + " groups for " +
                      std::to_string(labels.codes.size()) + " labels and " +
                      std::to_string(confidence.size()) + " confidences");
  }
  if (!(options.min_fraction >= 0 && options.min_fraction <= 1)) {
    throw OptionError("the majority's minimum share must be in [0, 1], got " +
                          std::to_string(options.min_fraction),
                      {"majority_min_fraction"});
  }
  const auto& categories = labels.categories;
  if (options.heterogeneous_label.empty() ||
      std::find(categories.begin(), categories.end(), options.heterogeneous_label) !=
          categories.end()) {
    throw OptionError(
        "the label of heterogeneous groups must be non-empty and not one of the "
        "labels, got '" +
        options.heterogeneous_label + "'");
  }
  // Votes per group: counts per label code (a missing label, −1, counts but never wins).
  const auto n_labels = categories.size();
  std::map<std::int32_t, std::vector<std::int64_t>> votes;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (groups[i] < 0) continue;
    auto& count = votes[groups[i]];
    if (count.empty()) count.assign(n_labels + 1, 0);
    const auto code = labels.codes[i];
    ++count[code < 0 ? n_labels : static_cast<std::size_t>(code)];
  }
  const auto heterogeneous = static_cast<std::int32_t>(n_labels);
  MajorityVote out;
  out.groups = static_cast<std::int64_t>(votes.size());
  struct Decision {
    std::int32_t label = 0;
    double share = 0;  ///< of the group's cells holding its top label
  };
  std::map<std::int32_t, Decision> decision;
  for (const auto& [group, count] : votes) {
    const auto top = std::max_element(count.begin(), count.end() - 1);  // first of equals
    std::int64_t size = 0;
    for (const auto c : count) size += c;
    const bool clear =
        *top > 0 && static_cast<double>(*top) >= options.min_fraction * static_cast<double>(size);
    decision[group] = {clear ? static_cast<std::int32_t>(top - count.begin()) : heterogeneous,
                       static_cast<double>(*top) / static_cast<double>(size)};
    out.heterogeneous_groups += clear ? 0 : 1;
  }
  out.labels.categories = categories;
  out.labels.codes.resize(groups.size());
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto own = labels.codes[i];
    if (groups[i] < 0) {
      out.labels.codes[i] = own;
      continue;
    }
    const auto& group = decision[groups[i]];
    const bool keep = own >= 0 && own != group.label && !confidence.empty() &&
                      static_cast<double>(confidence[i]) >= group.share;
    out.labels.codes[i] = keep ? own : group.label;
    out.kept_cells += keep ? 1 : 0;
  }
  if (out.heterogeneous_groups > 0) out.labels.categories.push_back(options.heterogeneous_label);
  return out;
}

}  // namespace scgrad
