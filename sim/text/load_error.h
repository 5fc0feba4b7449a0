#pragma once
// Why a catalog or explanation file could not be used: a value, never an exception.

#include <string>

namespace mailhop::text {

struct LoadError {
  std::string path;    // the file, as given
  std::string reason;  // e.g. "file not found", "invalid JSON at line 3, column 9: ...",
                       // "/commands/EHLO/text: expected a string"

  std::string message() const { return path.empty() ? reason : path + ": " + reason; }
};

}  // namespace mailhop::text
