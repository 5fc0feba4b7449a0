#include "gui/thread_priority.h"

#if defined(__linux__)
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#endif

namespace mailhop::gui {

#if defined(__linux__)
namespace {

long this_thread_id() {
  return syscall(SYS_gettid);
}

// A thread's nice value, or false when it cannot be read (the thread ended).
bool nice_of(long tid, int* nice) {
  errno = 0;
  const int value = getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
  if (value == -1 && errno != 0) return false;
  *nice = value;
  return true;
}

// A thread's name (its `comm`), empty when it cannot be read.
std::string name_of(const std::filesystem::path& task) {
  std::ifstream in(task / "comm");
  std::string name;
  std::getline(in, name);
  return name;
}

}  // namespace

int yield_other_threads(int nice, std::initializer_list<std::string_view> spared) {
  const long self = this_thread_id();
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/self/task", ec);
  if (ec) return 0;
  int lowered = 0;
  for (const std::filesystem::directory_entry& entry : it) {
    const std::string id = entry.path().filename().string();
    long tid = 0;
    const auto [end, err] = std::from_chars(id.data(), id.data() + id.size(), tid);
    if (err != std::errc() || end != id.data() + id.size() || tid == self) continue;
    if (spared.size() > 0 &&
        std::find(spared.begin(), spared.end(), name_of(entry.path())) != spared.end())
      continue;
    int current = 0;
    // Linux keeps a nice value per thread: PRIO_PROCESS with a thread's id sets that thread's.
    if (!nice_of(tid, &current) || current >= nice) continue;
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(tid), nice) == 0) ++lowered;
  }
  return lowered;
}

int thread_nice() {
  int value = 0;
  return nice_of(this_thread_id(), &value) ? value : 0;
}

void name_this_thread(const char* name) {
  if (name) pthread_setname_np(pthread_self(), name);
}

#else

int yield_other_threads(int, std::initializer_list<std::string_view>) {
  return 0;
}

int thread_nice() {
  return 0;
}

void name_this_thread(const char*) {}

#endif

}  // namespace mailhop::gui
