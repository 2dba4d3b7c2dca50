#include "scgrad/novelty/novelty.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <numeric>
#include <random>

#include "scgrad/error.hpp"

namespace scgrad {
namespace {

TEST(Novelty, UpwardDevianceWeighsCountsAboveTheirExpectation) {
  // Values from 2 [k ln(k/mu) - (k + 1/phi) ln((1 + phi k) / (1 + phi mu))] in Python.
  EXPECT_NEAR(upward_deviance(40, 4, 0.2), 39.357395, 1e-5);   // far above: much
  EXPECT_NEAR(upward_deviance(1, 0.05, 0.2), 3.923010, 1e-5);  // one stray count: little
  EXPECT_EQ(upward_deviance(3, 4, 0.2), 0);                    // below: nothing
  EXPECT_EQ(upward_deviance(4, 4, 0.2), 0);
  EXPECT_TRUE(std::isfinite(upward_deviance(2, 0, 0.2)));  // mu floored
}

TEST(Novelty, TypeProfilesAreMeanCountsPer10000) {
  CsrMatrix counts;  // [[1, 0], [2, 4], [0, 5]]
  counts.n_rows = 3;
  counts.n_cols = 2;
  counts.indptr = {0, 1, 3, 4};
  counts.indices = {0, 0, 1, 1};
  counts.data = {1, 2, 4, 5};
  const auto profiles = type_profiles(counts, {10, 20, 5}, {0, 0, 1}, 3);
  ASSERT_EQ(profiles.n_types(), 3U);
  // type 0: gene 0 mean(1/10, 2/20) = 0.1, gene 1 mean(0, 4/20) = 0.1; type 1: 0 and 5/5;
  // type 2 has no cells.
  const std::vector<float> expected = {1000, 1000, 0, 10000, 0, 0};
  ASSERT_EQ(profiles.rates.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_FLOAT_EQ(profiles.rates[i], expected[i]) << i;
  }
  EXPECT_THROW(type_profiles(counts, {10, 20}, {0, 0, 1}, 2), OptionError);
  EXPECT_THROW(type_profiles(counts, {10, 20, 5}, {0, 0, 2}, 2), OptionError);
  EXPECT_THROW(type_profiles(counts, {10, 0, 5}, {0, 0, 1}, 2), OptionError);
  EXPECT_NO_THROW(type_profiles(counts, {10, 0, 5}, {0, -1, 1}, 2));  // left out
}

/// Poisson counts: `cells` cells with mean counts `means` per gene, genes in `raised` x `fold`.
CsrMatrix poisson_cells(std::mt19937& random, std::int64_t cells, const std::vector<double>& means,
                        const std::vector<std::int32_t>& raised = {}, double fold = 1) {
  CsrMatrix m;
  m.n_rows = cells;
  m.n_cols = static_cast<std::int64_t>(means.size());
  for (std::int64_t r = 0; r < cells; ++r) {
    for (std::int32_t g = 0; g < static_cast<std::int32_t>(means.size()); ++g) {
      const bool up = std::find(raised.begin(), raised.end(), g) != raised.end();
      std::poisson_distribution<int> draw(means[static_cast<std::size_t>(g)] * (up ? fold : 1));
      const auto k = draw(random);
      if (k > 0) {
        m.indices.push_back(g);
        m.data.push_back(static_cast<float>(k));
      }
    }
    m.indptr.push_back(static_cast<std::int64_t>(m.data.size()));
  }
  return m;
}

std::vector<double> libraries(const CsrMatrix& m) {
  std::vector<double> out;
  for (std::int64_t r = 0; r < m.n_rows; ++r) {
    out.push_back(
        std::accumulate(m.data.begin() + m.indptr[r], m.data.begin() + m.indptr[r + 1], 0.0));
  }
  return out;
}

double mean(const std::vector<float>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

struct Reference {
  std::vector<double> means;
  TypeProfiles profiles;
};

/// One type of 300 cells, 200 genes at 0.5 to 5 counts.
Reference one_type_reference(std::mt19937& random) {
  Reference ref;
  std::uniform_real_distribution<double> level(0.5, 5);
  for (int g = 0; g < 200; ++g) ref.means.push_back(level(random));
  const auto cells = poisson_cells(random, 300, ref.means);
  ref.profiles = type_profiles(cells, libraries(cells), std::vector<std::int32_t>(300, 0), 1);
  return ref;
}

TEST(Novelty, ATypeWithAFewGenesRaisedScoresAboveTheKnownType) {
  std::mt19937 random(1);
  const auto ref = one_type_reference(random);
  const auto known = poisson_cells(random, 100, ref.means);
  const auto variant = poisson_cells(random, 100, ref.means, {3, 17, 40, 41, 99, 120, 150}, 10);
  const std::vector<std::int32_t> predicted(100, 0);  // the classifier calls both the type
  const auto known_scores = count_deviance_scores(known, libraries(known), predicted, ref.profiles);
  const auto variant_scores =
      count_deviance_scores(variant, libraries(variant), predicted, ref.profiles);
  // Nearly every (variant, known) pair is ordered: an AUROC near 1.
  double ordered = 0;
  for (const auto v : variant_scores) {
    for (const auto k : known_scores) ordered += v > k ? 1 : 0;
  }
  EXPECT_GE(ordered / (100.0 * 100.0), 0.99);
  // The score sums at most top_genes deviances: with 1 gene it is the largest alone.
  DevianceOptions one;
  one.top_genes = 1;
  const auto largest =
      count_deviance_scores(variant, libraries(variant), predicted, ref.profiles, {}, one);
  for (std::size_t i = 0; i < largest.size(); ++i) EXPECT_LE(largest[i], variant_scores[i]);
}

TEST(Novelty, QueryGeneFactorsTakeOutAShiftOfEveryCell) {
  std::mt19937 random(2);
  const auto ref = one_type_reference(random);
  std::vector<std::int32_t> shifted_genes;
  for (std::int32_t g = 0; g < 200; g += 20) shifted_genes.push_back(g);  // 10 genes x 4
  const auto plain = poisson_cells(random, 200, ref.means);
  const auto shifted = poisson_cells(random, 200, ref.means, shifted_genes, 4);
  const std::vector<std::int32_t> predicted(200, 0);
  const auto baseline =
      mean(count_deviance_scores(plain, libraries(plain), predicted, ref.profiles));
  const auto raw =
      mean(count_deviance_scores(shifted, libraries(shifted), predicted, ref.profiles));
  const auto factors = query_gene_factors(shifted, libraries(shifted), predicted, ref.profiles);
  const auto adjusted =
      mean(count_deviance_scores(shifted, libraries(shifted), predicted, ref.profiles, factors));
  std::cout << "mean score: query " << baseline << ", shifted " << raw << ", shifted with the "
            << "factors " << adjusted << "\n";
  EXPECT_GT(raw, 2 * baseline);         // the batch makes every cell look novel ...
  EXPECT_LT(adjusted, 1.3 * baseline);  // ... and the factors take it out
  // Shifted genes get a factor near 4 / (the library's growth), the others near 1 / it.
  double up = 0, other = 0;
  for (std::size_t g = 0; g < factors.size(); ++g) (g % 20 == 0 ? up : other) += factors[g];
  EXPECT_NEAR(up / 10 / (other / 190), 4, 0.4);
  EXPECT_THROW(query_gene_factors(shifted, libraries(shifted), std::vector<std::int32_t>(200, 1),
                                  ref.profiles),
               OptionError);
  EXPECT_THROW(count_deviance_scores(shifted, libraries(shifted), predicted, ref.profiles, {1, 2}),
               OptionError);
}

TEST(Novelty, QuantilesReadBackTheShareOfTheReferenceBelow) {
  // 0..100: the quantile function is the line from 0 to 100.
  std::vector<float> scores;
  for (int i = 100; i >= 0; --i) scores.push_back(static_cast<float>(i));
  const auto levels = quantile_function(scores);
  ASSERT_EQ(levels.size(), static_cast<std::size_t>(kNoveltyLevels));
  EXPECT_FLOAT_EQ(levels.front(), 0);
  EXPECT_FLOAT_EQ(levels[500], 50);
  EXPECT_FLOAT_EQ(levels.back(), 100);
  EXPECT_TRUE(std::is_sorted(levels.begin(), levels.end()));
  EXPECT_NEAR(quantile_of(levels.data(), 25.05), 0.2505, 1e-6);
  EXPECT_NEAR(quantile_of(levels.data(), 99), 0.99, 1e-6);
  EXPECT_EQ(quantile_of(levels.data(), -1), 0);
  EXPECT_EQ(quantile_of(levels.data(), 101), 1);
  EXPECT_EQ(quantile_of(levels.data(), NAN), 1);
  // A run of equal values (most reference cells at 0): the middle of the run.
  const auto flat = quantile_function({0, 0, 0, 0, 1});
  EXPECT_NEAR(quantile_of(flat.data(), 0), 0.375, 1e-3);
  EXPECT_THROW(quantile_function({}), OptionError);
  EXPECT_THROW(quantile_function({1, NAN}), OptionError);
}

TEST(Novelty, ATypeWithFewCellsIsCalibratedOnEveryTypePooled) {
  std::vector<float> scores;
  std::vector<std::int32_t> types;
  for (int i = 0; i < 30; ++i) {
    scores.push_back(static_cast<float>(i));
    types.push_back(0);
  }
  for (int i = 0; i < 5; ++i) {
    scores.push_back(100.0F + static_cast<float>(i));
    types.push_back(1);
  }
  scores.push_back(7);
  types.push_back(-1);  // left out
  std::vector<std::int64_t> cells;
  const auto rows = calibration_rows(scores, types, 3, cells);
  ASSERT_EQ(rows.size(), 3 * static_cast<std::size_t>(kNoveltyLevels));
  EXPECT_EQ(cells, (std::vector<std::int64_t>{30, 0, 0}));
  EXPECT_EQ(rows[kNoveltyLevels - 1], 29);       // type 0: its own cells
  EXPECT_EQ(rows[2 * kNoveltyLevels - 1], 104);  // type 1: the 35 cells pooled
  EXPECT_EQ(rows[kNoveltyLevels], 0);
  EXPECT_EQ(rows[3 * kNoveltyLevels - 1], 104);  // type 2 has none: pooled
  EXPECT_THROW(calibration_rows(scores, std::vector<std::int32_t>(scores.size(), 3), 3, cells),
               OptionError);
}

TEST(Novelty, CalibrationDeviancesLeaveTheCellOutOfItsProfile) {
  std::mt19937 random(3);
  const std::vector<double> means = {2, 0.5, 4, 1, 3, 0.2};
  const auto cells = poisson_cells(random, 12, means);
  const auto library = libraries(cells);
  const std::vector<std::int32_t> types = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
  NoveltyFitter fitter(6, 2);
  fitter.add_profile_cells(cells, library, types);
  fitter.add_calibration_cells(cells, library, types);
  // The same deviance by brute force: cell i against the profile of its type's other cells.
  std::vector<float> expected;
  for (std::int64_t i = 0; i < cells.n_rows; ++i) {
    auto others = types;
    others[static_cast<std::size_t>(i)] = -1;
    const auto profiles = type_profiles(cells, library, others, 2);
    const auto one = select_rows(cells, {i});
    expected.push_back(count_deviance_scores(one, {library[static_cast<std::size_t>(i)]},
                                             {types[static_cast<std::size_t>(i)]}, profiles)[0]);
  }
  // 6 cells a type are fewer than kMinCalibrationCells: both rows are the 12 cells pooled.
  const auto reference = fitter.finish({}, {});
  ASSERT_FALSE(reference.empty());
  const auto pooled = quantile_function(expected);
  ASSERT_EQ(reference.deviance_quantiles.size(), 2 * pooled.size());
  for (std::size_t j = 0; j < pooled.size(); ++j) {
    EXPECT_NEAR(reference.deviance_quantiles[j], pooled[j], 1e-3 * (1 + pooled[j])) << j;
  }
  EXPECT_EQ(reference.deviance_cells, (std::vector<std::int64_t>{0, 0}));
  EXPECT_TRUE(reference.doubt_quantiles.empty());
  // No type with two cells: nothing to calibrate on, no reference.
  NoveltyFitter lonely(6, 2);
  const auto two = select_rows(cells, {0, 6});
  lonely.add_profile_cells(two, {library[0], library[6]}, {0, 1});
  lonely.add_calibration_cells(two, {library[0], library[6]}, {0, 1});
  EXPECT_TRUE(lonely.finish({}, {}).empty());
}

TEST(Novelty, ScoresAreTheLargerQuantileOfDevianceAndDoubt) {
  std::mt19937 random(4);
  const auto ref = one_type_reference(random);
  auto cells = poisson_cells(random, 300, ref.means);
  const auto library = libraries(cells);
  const std::vector<std::int32_t> types(300, 0);
  NoveltyFitter fitter(200, 1);
  fitter.add_profile_cells(cells, library, types);
  fitter.add_calibration_cells(cells, library, types);
  std::vector<float> doubt;
  for (int i = 0; i < 100; ++i) doubt.push_back(static_cast<float>(i) / 200);  // 0 to 0.495
  const auto reference = fitter.finish(doubt, std::vector<std::int32_t>(100, 0));
  ASSERT_EQ(reference.doubt_cells, (std::vector<std::int64_t>{100}));
  const auto known = poisson_cells(random, 100, ref.means);
  const auto variant = poisson_cells(random, 100, ref.means, {3, 17, 40, 41, 99, 120, 150}, 10);
  const std::vector<std::int32_t> predicted(100, 0);
  const std::vector<float> sure(100, 1.0F), unsure(100, 0.4F);  // doubt 0 and 0.6
  const auto score = [&](const CsrMatrix& m, const std::vector<float>& confidence) {
    return novelty_scores(reference, m, libraries(m), predicted, confidence, {});
  };
  const auto known_sure = score(known, sure);
  const auto variant_sure = score(variant, sure);
  const auto known_unsure = score(known, unsure);
  double flagged = 0, found = 0;
  for (std::size_t i = 0; i < 100; ++i) {
    EXPECT_GE(known_sure[i], 0);
    EXPECT_LE(known_sure[i], 1);
    flagged += known_sure[i] > 0.99 ? 1 : 0;
    found += variant_sure[i] > 0.99 ? 1 : 0;
    EXPECT_EQ(known_unsure[i], 1);  // more doubt than any reference cell
  }
  EXPECT_LE(flagged, 5);
  EXPECT_GE(found, 95);
  EXPECT_THROW(score(known, std::vector<float>(99, 1.0F)), OptionError);
}

}  // namespace
}  // namespace scgrad
