#include "sim/alloc/small_alloc.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>

namespace mailhop::alloc {
namespace {

// A free block; `next_list` is used only by the first block of a list handed over to the
// other threads (the smallest block has room for both pointers).
struct FreeBlock {
  FreeBlock* next;
  FreeBlock* next_list;
};
static_assert(sizeof(FreeBlock) <= kGranule);

// The classes' sizes: every multiple of 16 up to 1 KB, then the largest multiple of 16 that
// k blocks fill a slab with, for k from 63 down to 16 (1040, 1056, ..., 2720, ..., 3840, 4096):
// steps of 16 to 256 bytes, and never more than 1 KB of a slab left over.
constexpr std::size_t kFineClasses = kFineMax / kGranule;
constexpr auto kClassSizes = [] {
  std::array<std::uint32_t, kClasses> sizes{};
  for (std::size_t c = 0; c < kFineClasses; ++c)
    sizes[c] = static_cast<std::uint32_t>((c + 1) * kGranule);
  for (std::size_t c = kFineClasses; c < kClasses; ++c) {
    const std::size_t blocks = kSlabSize / kFineMax - 1 - (c - kFineClasses);
    sizes[c] = static_cast<std::uint32_t>(kSlabSize / blocks / kGranule * kGranule);
  }
  return sizes;
}();
// Size in 16-byte units, rounded up → the smallest class that holds it.
constexpr auto kClassOfUnits = [] {
  std::array<std::uint8_t, kMaxSize / kGranule + 1> classes{};
  std::size_t c = 0;
  for (std::size_t units = 1; units < classes.size(); ++units) {
    while (kClassSizes[c] < units * kGranule) ++c;
    classes[units] = static_cast<std::uint8_t>(c);
  }
  return classes;
}();
constexpr bool sizes_ascend() {
  for (std::size_t c = 1; c < kClasses; ++c) {
    if (kClassSizes[c] <= kClassSizes[c - 1] || kClassSizes[c] % kGranule != 0) return false;
  }
  return true;
}
static_assert(sizes_ascend());
static_assert(kClassSizes[kFineClasses - 1] == kFineMax && kClassSizes[kClasses - 1] == kMaxSize);
static_assert(kClasses < 255);  // the slab map holds class + 1 in an octet

constexpr std::size_t class_size(std::size_t c) {
  return kClassSizes[c];
}
// The class of a block of `bytes` bytes (at most kMaxSize; 0 counts as 1).
constexpr std::size_t class_of_size(std::size_t bytes) {
  return kClassOfUnits[(bytes + kGranule - 1) / kGranule];
}
static_assert(class_of_size(0) == 0 && class_of_size(16) == 0 && class_of_size(17) == 1);
static_assert(class_of_size(kMaxSize) == kClasses - 1);

// A thread keeps at most about this many free blocks of a class (8192, fewer for classes over
// 256 bytes: 2 MB of them); beyond, they go to the other threads (blocks that one thread makes
// and another frees would otherwise pile up).
// A table, so that a free computes nothing.
constexpr auto kMaxCached = [] {
  constexpr std::size_t kMaxCachedBytes = std::size_t{2} * 1024 * 1024;
  std::array<std::int32_t, kClasses> limits{};
  for (std::size_t c = 0; c < kClasses; ++c)
    limits[c] =
        static_cast<std::int32_t>(std::min<std::size_t>(8192, kMaxCachedBytes / class_size(c)));
  return limits;
}();
constexpr std::int32_t max_cached(std::size_t c) {
  return kMaxCached[c];
}

// The calling thread's free lists, their lengths and the unused end of its current slab, per
// class. Trivial, so the thread-local needs no guard
// on each access: zero until the thread's first block.
struct ThreadCache {
  FreeBlock* free[kClasses];
  std::int32_t cached[kClasses];
  char* bump[kClasses];
  char* bump_end[kClasses];
  bool registered;
};
thread_local constinit ThreadCache t_cache{};

// Slab address → class + 1 (0: not a slab), for addresses below 2^48: the top level indexed
// by bits 32-47, the second by bits 16-31 (one byte per 64 KB slab), made on first use.
constexpr unsigned kSlabShift = 16;
static_assert(std::size_t{1} << kSlabShift == kSlabSize);
constexpr unsigned kTopShift = 32;
constexpr std::size_t kTopEntries = std::size_t{1} << (48 - kTopShift);
constexpr std::size_t kLeafEntries = std::size_t{1} << (kTopShift - kSlabShift);
std::atomic<std::uint8_t*> g_map[kTopEntries];

std::mutex g_mutex;             // guards what follows and the making of leaves
FreeBlock* g_handed[kClasses];  // lists of free blocks handed over, chained by next_list

unsigned class_of(const void* p) {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  if ((a >> 48) != 0) return 0;
  std::uint8_t* leaf = g_map[a >> kTopShift].load(std::memory_order_acquire);
  if (leaf == nullptr) return 0;
  return std::atomic_ref<std::uint8_t>(leaf[(a >> kSlabShift) & (kLeafEntries - 1)])
      .load(std::memory_order_relaxed);
}

// Gives the calling thread's free list of class `c` to the other threads. With g_mutex held.
void hand_over(ThreadCache& tc, std::size_t c) {
  FreeBlock* list = tc.free[c];
  tc.free[c] = nullptr;
  tc.cached[c] = 0;
  if (list == nullptr) return;
  list->next_list = g_handed[c];
  g_handed[c] = list;
}

// Gives away everything the thread holds: its lists and the rest of its slabs, cut into blocks.
// With g_mutex held.
void hand_over_all(ThreadCache& tc) {
  for (std::size_t c = 0; c < kClasses; ++c) {
    const std::size_t size = class_size(c);
    for (char* p = tc.bump[c]; p && p + size <= tc.bump_end[c]; p += size) {
      auto* b = reinterpret_cast<FreeBlock*>(p);
      b->next = tc.free[c];
      tc.free[c] = b;
    }
    tc.bump[c] = tc.bump_end[c] = nullptr;
    hand_over(tc, c);
  }
}

void hand_over_locked(ThreadCache& tc, std::size_t c) {
  const std::lock_guard<std::mutex> lock(g_mutex);
  hand_over(tc, c);
}

// Destroyed when its thread ends: the thread's blocks go to the threads that remain.
struct CacheOwner {
  CacheOwner() = default;
  CacheOwner(const CacheOwner&) = delete;
  CacheOwner& operator=(const CacheOwner&) = delete;
  ~CacheOwner() {
    const std::lock_guard<std::mutex> lock(g_mutex);
    hand_over_all(t_cache);
  }
};

void register_thread(ThreadCache& tc) {
  tc.registered = true;
  static thread_local CacheOwner owner;
  (void)owner;
}

// Slabs are carved from regions of kRegionSlabs slabs taken from malloc at once: an aligned
// allocation may leave up to its alignment unused in front of it, and for 64 KB slabs one at a
// time that was up to half the memory where nothing else took those gaps (the messages' bodies,
// now in slabs, had done so). With g_mutex held.
constexpr std::size_t kRegionSlabs = 16;
char* g_region_next = nullptr;
char* g_region_end = nullptr;

// A new slab for class `c`, entered in the map. With g_mutex held.
char* new_slab(std::size_t c) {
  if (g_region_next == g_region_end) {
    void* region = std::aligned_alloc(kSlabSize, kRegionSlabs * kSlabSize);
    if (region == nullptr) return nullptr;
    const auto last = reinterpret_cast<std::uintptr_t>(region) + kRegionSlabs * kSlabSize - 1;
    if ((last >> 48) != 0) {  // outside what the map covers (no such address on today's systems)
      std::free(region);
      return nullptr;
    }
    g_region_next = static_cast<char*>(region);
    g_region_end = g_region_next + kRegionSlabs * kSlabSize;
  }
  char* slab = g_region_next;
  const auto a = reinterpret_cast<std::uintptr_t>(slab);
  std::uint8_t* leaf = g_map[a >> kTopShift].load(std::memory_order_relaxed);
  if (leaf == nullptr) {
    leaf = static_cast<std::uint8_t*>(std::calloc(kLeafEntries, 1));
    if (leaf == nullptr) return nullptr;  // the slab stays for the next call
    g_map[a >> kTopShift].store(leaf, std::memory_order_release);
  }
  std::atomic_ref<std::uint8_t>(leaf[(a >> kSlabShift) & (kLeafEntries - 1)])
      .store(static_cast<std::uint8_t>(c + 1), std::memory_order_relaxed);
  g_region_next += kSlabSize;
  return slab;
}

void* allocate_slow(ThreadCache& tc, std::size_t c) {
  if (!tc.registered) register_thread(tc);
  const std::size_t size = class_size(c);
  if (tc.bump[c] == nullptr || tc.bump[c] + size > tc.bump_end[c]) {
    const std::lock_guard<std::mutex> lock(g_mutex);
    if (FreeBlock* list = g_handed[c]) {  // blocks other threads gave away come first
      g_handed[c] = list->next_list;
      // The first block is the one asked for; of the rest, the thread keeps half its limit and
      // leaves any more handed over (a list is up to a limit and a slab's remainder long), so
      // that its count is the length of its list.
      const std::int32_t keep = max_cached(c) / 2;
      std::int32_t kept = 0;
      FreeBlock* last = nullptr;
      FreeBlock* rest = list->next;
      while (rest != nullptr && kept < keep) {
        last = rest;
        rest = rest->next;
        ++kept;
      }
      if (rest != nullptr && last != nullptr) {  // (`keep` is never 0: some were kept)
        last->next = nullptr;
        rest->next_list = g_handed[c];
        g_handed[c] = rest;
      }
      tc.free[c] = kept > 0 ? list->next : nullptr;
      tc.cached[c] = kept;
      return list;
    }
    char* slab = new_slab(c);
    if (slab == nullptr) return nullptr;
    tc.bump[c] = slab;
    tc.bump_end[c] = slab + kSlabSize;
  }
  char* p = tc.bump[c];
  tc.bump[c] = p + size;
  return p;
}

// The fast paths, inlined into the operators below.
inline void* allocate_block(std::size_t bytes) noexcept {
  const std::size_t c = class_of_size(bytes);
  ThreadCache& tc = t_cache;
  if (FreeBlock* b = tc.free[c]) {
    tc.free[c] = b->next;
    --tc.cached[c];  // the length of the list: it held this block
    return b;
  }
  return allocate_slow(tc, c);
}

// free_block() when the thread is not registered yet or its list of class `c` is full. Out of
// line, so that the fast path keeps nothing in registers across a call.
[[gnu::noinline]] void free_block_slow(void* p, std::size_t c) noexcept {
  ThreadCache& tc = t_cache;
  if (!tc.registered) register_thread(tc);  // so that its blocks are handed over when it ends
  auto* b = static_cast<FreeBlock*>(p);
  b->next = tc.free[c];
  tc.free[c] = b;
  if (++tc.cached[c] > max_cached(c)) hand_over_locked(tc, c);
}

// Puts block `p` of class `c` on the calling thread's free list.
inline void free_block(void* p, std::size_t c) noexcept {
  ThreadCache& tc = t_cache;
  if (tc.registered && tc.cached[c] < max_cached(c)) [[likely]] {
    auto* b = static_cast<FreeBlock*>(p);
    b->next = tc.free[c];
    tc.free[c] = b;
    ++tc.cached[c];
    return;
  }
  free_block_slow(p, c);
}

inline bool deallocate_block(void* p) noexcept {
  const unsigned cls = class_of(p);
  if (cls == 0) return false;
  free_block(p, cls - 1);
  return true;
}

}  // namespace

void* allocate(std::size_t bytes) noexcept {
  return bytes > kMaxSize ? nullptr : allocate_block(bytes);
}

bool deallocate(void* p) noexcept {
  return deallocate_block(p);
}

std::size_t block_size(const void* p) noexcept {
  const unsigned cls = class_of(p);
  return cls == 0 ? 0 : class_size(cls - 1);
}

}  // namespace mailhop::alloc

// --- the program's operator new and delete -----------------------------------------------
// The aligned forms (align_val_t) are the standard library's own and never see these blocks.

#if !defined(__SANITIZE_ADDRESS__)

namespace {

using mailhop::alloc::allocate_block;
using mailhop::alloc::class_of_size;
using mailhop::alloc::deallocate_block;
using mailhop::alloc::free_block;
using mailhop::alloc::FreeBlock;
using mailhop::alloc::kMaxSize;
using mailhop::alloc::t_cache;
using mailhop::alloc::ThreadCache;

void* allocate_or_null(std::size_t bytes) noexcept {
  return bytes <= kMaxSize ? allocate_block(bytes) : std::malloc(bytes);
}

// As the standard asks: on failure call the new-handler and try again, or throw. (Out of line:
// operator new's fast path ends in a jump here when its free list is empty.)
[[gnu::noinline]] void* allocate_or_throw(std::size_t bytes) {
  for (;;) {
    if (void* p = allocate_or_null(bytes)) return p;
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* allocate_nothrow(std::size_t bytes) noexcept {
  try {
    return allocate_or_throw(bytes);
  } catch (...) {
    return nullptr;
  }
}

void release(void* p) noexcept {
  if (p != nullptr && !deallocate_block(p)) std::free(p);
}

}  // namespace

void* operator new(std::size_t bytes) {
  // The fast path only: a block from the thread's free list of the size's class. Anything else
  // (an empty list, a new slab, a large block, no memory) goes by allocate_or_throw, which
  // looks again.
  if (bytes <= kMaxSize) [[likely]] {
    const std::size_t c = class_of_size(bytes);
    ThreadCache& tc = t_cache;
    if (FreeBlock* b = tc.free[c]) [[likely]] {
      tc.free[c] = b->next;
      --tc.cached[c];  // the length of the list: it held this block
      return b;
    }
  }
  return allocate_or_throw(bytes);
}
void* operator new[](std::size_t bytes) {
  return ::operator new(bytes);
}
void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
  return allocate_nothrow(bytes);
}
void* operator new[](std::size_t bytes, const std::nothrow_t&) noexcept {
  return allocate_nothrow(bytes);
}
void operator delete(void* p) noexcept {
  release(p);
}
void operator delete[](void* p) noexcept {
  release(p);
}
// A sized delete names the size the block was made with: up to kMaxSize, operator new took it
// from here (it never gives such a size to malloc), in the class of that size, so the slab map
// need not be read.
void operator delete(void* p, std::size_t bytes) noexcept {
  if (p != nullptr && bytes <= kMaxSize) [[likely]] {
    free_block(p, class_of_size(bytes));
    return;
  }
  release(p);
}
void operator delete[](void* p, std::size_t bytes) noexcept {
  ::operator delete(p, bytes);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  release(p);
}

#endif
