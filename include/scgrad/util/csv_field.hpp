#pragma once
/// @file csv_field.hpp
/// One CSV field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break,
/// quotes doubled.

#include <string>

namespace scgrad {

inline std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace scgrad
