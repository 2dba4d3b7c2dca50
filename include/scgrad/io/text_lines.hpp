#pragma once
/// @file text_lines.hpp
/// Lines of a text file, gzip-compressed or not (zlib reads both), one at a time: what Matrix
/// Market files, their barcode and feature lists and label tables are read through. A truncated
/// or damaged gzip stream ends in an InputError naming the file, never in silently fewer lines.

#include <memory>
#include <string>

namespace scgrad {

class TextLines {
 public:
  /// Opens `path`; InputError naming it when it cannot be read.
  explicit TextLines(const std::string& path);
  ~TextLines();
  TextLines(const TextLines&) = delete;
  TextLines& operator=(const TextLines&) = delete;

  /// The next line without its line break ('\r' too); false at the end of the file.
  bool next(std::string& line);
  /// 1-based number of the line `next` returned last.
  std::size_t number() const { return number_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  struct Stream;
  std::unique_ptr<Stream> stream_;
  std::size_t number_ = 0;
};

}  // namespace scgrad
