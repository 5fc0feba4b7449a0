#include "sim/core/huge_pages.h"

#include <algorithm>
#include <cstdint>

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#define MAILHOP_HUGE_PAGE_HEAP 1
#if defined(MADV_POPULATE_WRITE)
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <pthread.h>
#define MAILHOP_HEAP_PREFAULT 1
#endif
#endif

namespace mailhop::core {
namespace {

#if defined(MAILHOP_HUGE_PAGE_HEAP)
constexpr std::uintptr_t kPage = 4096;
bool g_enabled = false;
std::uintptr_t g_marked_end = 0;  // the heap's end when it was last marked

std::uintptr_t heap_end() {
  return reinterpret_cast<std::uintptr_t>(sbrk(0));
}
#endif

#if defined(MAILHOP_HEAP_PREFAULT)
// Maps the marked memory it is handed, lowest first (the heap fills from its old end up), one
// 2 MB page at a time so that a shrinking heap stops it soon.
class Prefaulter {
 public:
  ~Prefaulter() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable()) m_thread.join();
  }

  void start() {
    std::lock_guard lock(m_mutex);
    if (!m_thread.joinable()) {
      m_thread = std::thread([this] {
        pthread_setname_np(pthread_self(), HugePageHeap::kThreadName);
        loop();
      });
    }
  }

  // [from, to) was marked: map it. Ranges come in the heap's order and join up.
  void add(std::uintptr_t from, std::uintptr_t to) {
    {
      std::lock_guard lock(m_mutex);
      if (m_next >= m_end) m_next = from;
      m_end = to;
    }
    m_wake.notify_one();
  }

  // The heap now ends at `end` (it shrank): nothing beyond is mapped.
  void limit(std::uintptr_t end) {
    std::lock_guard lock(m_mutex);
    if (m_end > end) m_end = end;
  }

  std::size_t done() const { return m_done.load(std::memory_order_relaxed); }

 private:
  static constexpr std::uintptr_t kHugePage = 2 * 1024 * 1024;

  void loop() {
    std::unique_lock lock(m_mutex);
    for (;;) {
      m_wake.wait(lock, [this] { return m_stop || m_next < m_end; });
      if (m_stop) return;
      const std::uintptr_t from = m_next;
      const std::uintptr_t to = std::min(m_end, (from + kHugePage) & ~(kHugePage - 1));
      m_next = to;
      lock.unlock();
      // Fails harmlessly where the memory is no longer mapped (the heap shrank meanwhile).
      if (madvise(reinterpret_cast<void*>(from), to - from, MADV_POPULATE_WRITE) == 0)
        m_done.fetch_add(to - from, std::memory_order_relaxed);
      lock.lock();
    }
  }

  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::uintptr_t m_next = 0;  // [m_next, m_end): still to map
  std::uintptr_t m_end = 0;
  bool m_stop = false;
  std::atomic<std::size_t> m_done{0};
  std::thread m_thread;
};

Prefaulter& prefaulter() {
  static Prefaulter p;
  return p;
}
bool g_prefaulting = false;
#endif

}  // namespace

bool HugePageHeap::enable() {
#if defined(MAILHOP_HUGE_PAGE_HEAP)
  if (!g_enabled) {
    mallopt(M_TOP_PAD, static_cast<int>(HugePageHeap::kGrowthStep));
    g_marked_end = heap_end();
    g_enabled = true;
  }
  return true;
#else
  return false;
#endif
}

std::size_t HugePageHeap::advise() {
#if defined(MAILHOP_HUGE_PAGE_HEAP)
  if (!g_enabled) return 0;
  const std::uintptr_t end = heap_end();
  if (end <= g_marked_end) {
    // It shrank (memory handed back): what grows again is marked then.
#if defined(MAILHOP_HEAP_PREFAULT)
    if (g_prefaulting && end < g_marked_end) prefaulter().limit(end);
#endif
    g_marked_end = end;
    return 0;
  }
  const std::uintptr_t start = g_marked_end & ~(kPage - 1);
  g_marked_end = end;
  // A failure (the range no longer mapped as a whole) leaves those pages at 4 KB: no harm.
  (void)madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
#if defined(MAILHOP_HEAP_PREFAULT)
  if (g_prefaulting) prefaulter().add(start, end);
#endif
  return end - start;
#else
  return 0;
#endif
}

bool HugePageHeap::prefault_in_background() {
#if defined(MAILHOP_HEAP_PREFAULT)
  if (!g_enabled) return false;
  prefaulter().start();
  g_prefaulting = true;
  return true;
#else
  return false;
#endif
}

std::size_t HugePageHeap::prefaulted() {
#if defined(MAILHOP_HEAP_PREFAULT)
  return prefaulter().done();
#else
  return 0;
#endif
}

}  // namespace mailhop::core
