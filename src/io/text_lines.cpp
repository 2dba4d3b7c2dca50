#include "scgrad/io/text_lines.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "scgrad/error.hpp"
#include "scgrad/util/plain_cause.hpp"

namespace scgrad {

struct TextLines::Stream {
  gzFile file = nullptr;
  ~Stream() {
    if (file != nullptr) gzclose(file);
  }
};

TextLines::TextLines(const std::string& path) : path_(path), stream_(std::make_unique<Stream>()) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw InputError(path, "", "is a directory; expected a text file");
  }
  errno = 0;
  stream_->file = gzopen(path.c_str(), "rb");
  if (stream_->file == nullptr) {
    throw InputError(path, "", "cannot read it: " + plain_cause(errno == 0 ? ENOMEM : errno));
  }
  gzbuffer(stream_->file, 1 << 17);
}

TextLines::~TextLines() = default;

bool TextLines::next(std::string& line) {
  line.clear();
  char buffer[1 << 14];
  bool any = false;
  while (gzgets(stream_->file, buffer, sizeof buffer) != nullptr) {
    any = true;
    line += buffer;
    if (!line.empty() && line.back() == '\n') break;
  }
  int code = Z_OK;
  const char* message = gzerror(stream_->file, &code);
  if (code != Z_OK && code != Z_STREAM_END) {
    throw InputError(
        path_, "line " + std::to_string(number_ + 1),
        std::string("cannot be read: ") +
            (code == Z_BUF_ERROR ? "the gzip stream ends early (a truncated file?)" : message));
  }
  if (!any) return false;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  ++number_;
  return true;
}

}  // namespace scgrad
