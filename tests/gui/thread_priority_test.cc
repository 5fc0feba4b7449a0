#include "gui/thread_priority.h"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

using mailhop::gui::name_this_thread;
using mailhop::gui::thread_nice;
using mailhop::gui::yield_other_threads;

namespace {

// A thread that waits until asked, then reports its own nice value and ends.
class Sleeper {
 public:
  explicit Sleeper(const char* name = nullptr)
      : m_thread([this, name] {
          name_this_thread(name);
          std::unique_lock lock(m_mutex);
          m_started = true;
          m_wake.notify_all();
          m_wake.wait(lock, [this] { return m_asked; });
          m_nice = thread_nice();
          m_answered = true;
          m_wake.notify_all();
        }) {
    std::unique_lock lock(m_mutex);
    m_wake.wait(lock, [this] { return m_started; });
  }
  ~Sleeper() {
    if (m_thread.joinable()) {
      ask();
      m_thread.join();
    }
  }
  int ask() {
    std::unique_lock lock(m_mutex);
    m_asked = true;
    m_wake.notify_all();
    m_wake.wait(lock, [this] { return m_answered; });
    return m_nice;
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_started = false;
  bool m_asked = false;
  bool m_answered = false;
  int m_nice = 0;
  std::thread m_thread;
};

}  // namespace

TEST_CASE("the calling thread goes first: every other thread of the process yields to it",
          "[gui][threads]") {
#if defined(__linux__)
  // The caller is a thread of its own; the test program's main thread is one of the others.
  int lowered = -1;
  int lowered_again = -1;
  int caller_before = 0;
  int caller_after = 0;
  int other = 0;
  int other_again = 0;
  int newcomer = 0;
  int spared = 0;
  std::thread runner([&] {
    caller_before = thread_nice();
    Sleeper first;
    Sleeper second;
    Sleeper named("mailhop-spared");
    lowered = yield_other_threads(caller_before + 3, {"mailhop-spared"});
    caller_after = thread_nice();
    other = first.ask();
    spared = named.ask();
    // A thread started since is lowered by the next call; the ones already lower stay as they
    // are (nothing is raised).
    Sleeper third;
    lowered_again = yield_other_threads(caller_before + 1);
    other_again = second.ask();
    newcomer = third.ask();
  });
  runner.join();
  // The two sleepers and the main thread, at least: every thread but the caller.
  CHECK(lowered >= 3);
  CHECK(caller_after == caller_before);
  CHECK(other == caller_before + 3);
  CHECK(spared == caller_before);  // named in `spared`: left as it was
  CHECK(lowered_again >= 1);
  CHECK(other_again == caller_before + 3);
  CHECK(newcomer == caller_before + 1);
#else
  CHECK(yield_other_threads() == 0);
#endif
}
