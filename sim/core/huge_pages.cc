#include "sim/core/huge_pages.h"

#include <cstdint>

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#define MAILHOP_HUGE_PAGE_HEAP 1
#endif

namespace mailhop::core {
namespace {

#if defined(MAILHOP_HUGE_PAGE_HEAP)
constexpr std::size_t kGrowthStep = 32 * 1024 * 1024;
bool g_enabled = false;
std::uintptr_t g_marked_end = 0;  // the heap's end when it was last marked

std::uintptr_t heap_end() { return reinterpret_cast<std::uintptr_t>(sbrk(0)); }
#endif

}  // namespace

bool HugePageHeap::enable() {
#if defined(MAILHOP_HUGE_PAGE_HEAP)
  if (!g_enabled) {
    mallopt(M_TOP_PAD, static_cast<int>(kGrowthStep));
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
    g_marked_end = end;  // it shrank (memory handed back): what grows again is marked then
    return 0;
  }
  constexpr std::uintptr_t kPage = 4096;
  const std::uintptr_t start = g_marked_end & ~(kPage - 1);
  g_marked_end = end;
  // A failure (the range no longer mapped as a whole) leaves those pages at 4 KB: no harm.
  (void)madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
  return end - start;
#else
  return 0;
#endif
}

}  // namespace mailhop::core
