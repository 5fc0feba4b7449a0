#pragma once
// A folder of its own for a test binary's run (tests may run in parallel), removed at exit.

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace mailhop::test {

// The same folder on every call within one run: temp/<prefix>_<pid>.
inline std::filesystem::path temp_dir(const std::string& prefix) {
  static const struct Folder {
    std::filesystem::path path;
    ~Folder() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } folder{std::filesystem::temp_directory_path() / (prefix + "_" + std::to_string(::getpid()))};
  std::filesystem::create_directories(folder.path);
  return folder.path;
}

}  // namespace mailhop::test
