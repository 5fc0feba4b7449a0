#include "sim/core/huge_pages.h"

#include <cstdint>
#include <fstream>
#include <string>

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#define MAILHOP_HUGE_PAGE_HEAP 1
#endif

namespace mailhop::core {
namespace {

constexpr std::size_t kGrowthStep = 32 * 1024 * 1024;

#if defined(MAILHOP_HUGE_PAGE_HEAP)
bool g_enabled = false;
std::uintptr_t g_marked_end = 0;  // the heap's end when it was last marked

std::uintptr_t heap_end() { return reinterpret_cast<std::uintptr_t>(sbrk(0)); }
#endif

}  // namespace

bool HugePageHeap::available() {
#if defined(MAILHOP_HUGE_PAGE_HEAP)
  static const bool offered = [] {
    std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string modes;
    std::getline(in, modes);
    // The mode in use is the one in brackets: "always [madvise] never".
    return modes.find("[always]") != std::string::npos ||
           modes.find("[madvise]") != std::string::npos;
  }();
  return offered;
#else
  return false;
#endif
}

bool HugePageHeap::enable() {
#if defined(MAILHOP_HUGE_PAGE_HEAP)
  if (!available()) return false;
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
