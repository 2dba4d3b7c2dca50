#include "scgrad/util/plain_cause.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>

namespace scgrad {

std::string plain_cause(int errnum) {
  switch (errnum) {
    case ENOSPC: return "no space left on device";
    case EDQUOT: return "disk quota exceeded";
    case EROFS: return "read-only file system";
    case EACCES:
    case EPERM: return "permission denied";
    case ENOENT: return "the folder does not exist";
    case EIO: return "input/output error (the disk or file system failed)";
    case EFBIG: return "file too large for this file system";
    default: {
      std::string text = std::strerror(errnum);
      if (!text.empty()) text[0] = static_cast<char>(std::tolower(text[0]));
      return text;
    }
  }
}

}  // namespace scgrad
