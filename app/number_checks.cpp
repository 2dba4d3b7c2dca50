#include "number_checks.hpp"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <string>

namespace scgrad::app {

namespace {

/// A validator accepting the finite numbers `accept` holds for; `expected` says which in
/// errors, `shown` in --help (CLI11's style: POSITIVE, [0 - 1]).
CLI::Validator number_check(const std::string& expected, const std::string& shown,
                            std::function<bool(double)> accept) {
  return CLI::Validator(
      [expected, accept](std::string& text) -> std::string {
        std::size_t used = 0;
        double value = NAN;
        try {
          value = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == text.size() && std::isfinite(value) && accept(value)) return "";
        return "expected " + expected + ", got '" + text + "'";
      },
      shown);
}

}  // namespace

CLI::Validator positive() {
  return number_check("a number > 0", "POSITIVE", [](double v) { return v > 0; });
}

CLI::Validator non_negative() {
  return number_check("a number >= 0", "NONNEGATIVE", [](double v) { return v >= 0; });
}

CLI::Validator within(double low, double high) {
  return number_check(fmt::format("a number from {} to {}", low, high),
                      fmt::format("[{} - {}]", low, high),
                      [low, high](double v) { return v >= low && v <= high; });
}

}  // namespace scgrad::app
