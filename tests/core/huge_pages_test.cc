// The heap's new memory marked for 2 MB pages: the mark is on the memory the heap grew by.

#include "sim/core/huge_pages.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <chrono>
#include <thread>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace {

using mailhop::core::HugePageHeap;

#if defined(__linux__)
// The flags the kernel shows for the mapping that holds `address` ("" when none does).
std::string mapping_flags(std::uintptr_t address) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t from = 0, to = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> from >> dash >> to && dash == '-') {
      inside = address >= from && address < to;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

// How many of the 4 KB pages of [from, to) are mapped in memory.
std::size_t resident_pages(std::uintptr_t from, std::uintptr_t to) {
  constexpr std::uintptr_t kPage = 4096;
  from &= ~(kPage - 1);
  std::vector<unsigned char> flags((to - from + kPage - 1) / kPage);
  if (mincore(reinterpret_cast<void*>(from), to - from, flags.data()) != 0) return 0;
  std::size_t n = 0;
  for (unsigned char f : flags) n += f & 1;
  return n;
}
#endif

}  // namespace

TEST_CASE("heap growth is marked for huge pages where the system offers them") {
#if defined(__linux__) && defined(__GLIBC__)
  REQUIRE(HugePageHeap::enable());
#else
  REQUIRE_FALSE(HugePageHeap::enable());
#endif
  HugePageHeap::advise();  // what grew before this test is not its concern

#if defined(__linux__)
  const auto before = reinterpret_cast<std::uintptr_t>(sbrk(0));
  // 48 MB in blocks small enough to come from the heap (not mapped one by one).
  std::vector<void*> blocks;
  for (int i = 0; i < 768; ++i) blocks.push_back(std::malloc(64 * 1024));
  const auto after = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const std::size_t marked = HugePageHeap::advise();

  // Kernels built without transparent huge pages refuse the mark.
  const bool kernel_has_them =
      std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").good();
  if (after > before) {
    // Everything it grew by is marked, and the kernel shows the mark ("hg") on that memory.
    CHECK(marked >= after - before);
    const std::string flags = mapping_flags(after - 1);
    INFO(flags);
    CHECK((flags.find(" hg") != std::string::npos) == kernel_has_them);
  } else {
    // An allocator that does not grow the heap (a sanitizer's): nothing is marked.
    CHECK(marked == 0);
  }
  // Nothing grew since: nothing more is marked.
  CHECK(HugePageHeap::advise() == 0);
  for (void* b : blocks) std::free(b);
#endif
}

TEST_CASE("the heap grows in steps of a few megabytes, each mapped in a few milliseconds") {
#if defined(__linux__) && defined(__GLIBC__)
  REQUIRE(HugePageHeap::enable());
  HugePageHeap::advise();  // what grew before this test is not its concern
  constexpr std::size_t kBlock = 64 * 1024;
  std::vector<void*> blocks;
  std::vector<std::size_t> steps;
  auto end = reinterpret_cast<std::uintptr_t>(sbrk(0));
  // 48 MB, a block at a time: every move of the heap's end is one step of growth.
  for (int i = 0; i < 768; ++i) {
    blocks.push_back(std::malloc(kBlock));
    const auto now = reinterpret_cast<std::uintptr_t>(sbrk(0));
    if (now != end) steps.push_back(now - end);
    end = now;
  }
  if (!steps.empty()) {
    // Each time a step past the block that made it grow, never more (but a page of rounding):
    // not one block at a time, not one lump.
    for (std::size_t step : steps) {
      CHECK(step >= HugePageHeap::kGrowthStep);
      CHECK(step <= HugePageHeap::kGrowthStep + kBlock + 4096);
    }
    CHECK(steps.size() <= 48 * 1024 * 1024 / HugePageHeap::kGrowthStep + 1);
  } else {
    // An allocator that does not grow the heap (a sanitizer's): nothing grew, nothing is marked.
    CHECK(HugePageHeap::advise() == 0);
  }
  for (void* b : blocks) std::free(b);
#else
  CHECK_FALSE(HugePageHeap::enable());
#endif
}

TEST_CASE("marked heap growth is mapped ahead of use by the background thread") {
#if defined(__linux__) && defined(__GLIBC__) && defined(MADV_POPULATE_WRITE)
  REQUIRE(HugePageHeap::enable());
  REQUIRE(HugePageHeap::prefault_in_background());
  HugePageHeap::advise();  // what grew before this test is not its concern
  const auto before = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const std::size_t mapped_before = HugePageHeap::prefaulted();
  // 48 MB taken from the heap and never written: only malloc's headers touch it (one page in
  // sixteen), so the rest is mapped by the thread or not at all.
  std::vector<void*> blocks;
  for (int i = 0; i < 768; ++i) blocks.push_back(std::malloc(64 * 1024));
  const auto after = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const std::size_t marked = HugePageHeap::advise();
  if (after > before) {
    REQUIRE(marked >= after - before);
    // The thread maps 2 MB at a time; give it time on a busy machine.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (HugePageHeap::prefaulted() - mapped_before < marked &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(HugePageHeap::prefaulted() - mapped_before >= marked);
    // Every page of what the heap grew by is in memory, far more than malloc's headers touched.
    const std::size_t pages = (after - before) / 4096;
    CHECK(resident_pages(before, after) >= pages);
    // The contents are what they were: a block written now reads back.
    auto* bytes = static_cast<unsigned char*>(blocks.back());
    bytes[100] = 42;
    CHECK(bytes[100] == 42);
  } else {
    // An allocator that does not grow the heap (a sanitizer's): nothing is marked or mapped.
    CHECK(marked == 0);
    CHECK(HugePageHeap::prefaulted() == mapped_before);
  }
  for (void* b : blocks) std::free(b);
#else
  CHECK_FALSE(HugePageHeap::prefault_in_background());
#endif
}
