#include "sim/alloc/small_alloc.h"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace small_alloc = mailhop::alloc;

namespace {
std::uintptr_t address(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p);
}
}  // namespace

TEST_CASE("small blocks: every size gets a block of its class, aligned and its own", "[alloc]") {
  std::vector<void*> blocks;
  for (std::size_t n = 0; n <= small_alloc::kMaxSize; ++n) {
    void* p = small_alloc::allocate(n);
    REQUIRE(p != nullptr);
    CHECK(address(p) % 16 == 0);
    const std::size_t size = small_alloc::block_size(p);
    CHECK(size >= (n == 0 ? 1 : n));
    CHECK(size % small_alloc::kGranule == 0);
    if (n <= small_alloc::kFineMax) {
      CHECK(size < (n == 0 ? 1 : n) + small_alloc::kGranule);
    } else {
      // Larger classes: a whole number of blocks fills a slab but for at most 1 KB, and a
      // block is never more than about 7% larger than asked.
      CHECK(small_alloc::kSlabSize % size <= 1024);
      CHECK((size - n) * 14 < n);
    }
    // Each block filled whole with a byte of its own...
    std::memset(p, static_cast<int>(n & 0xff), size);
    blocks.push_back(p);
  }
  // ...and still holds it after all the others were written: no two blocks overlap.
  for (std::size_t n = 0; n < blocks.size(); ++n) {
    const auto* bytes = static_cast<const unsigned char*>(blocks[n]);
    const std::size_t size = small_alloc::block_size(blocks[n]);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < size; ++i) wrong += bytes[i] != (n & 0xff) ? 1 : 0;
    CHECK(wrong == 0);
  }
  CHECK(std::set<void*>(blocks.begin(), blocks.end()).size() == blocks.size());
  for (void* p : blocks) CHECK(small_alloc::deallocate(p));
  // Larger requests are not for this allocator.
  CHECK(small_alloc::allocate(small_alloc::kMaxSize + 1) == nullptr);
}

TEST_CASE("small blocks: a freed block is the next one of its class", "[alloc]") {
  void* a = small_alloc::allocate(40);
  void* b = small_alloc::allocate(48);  // the same class (33 to 48 bytes)
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  CHECK(a != b);
  CHECK(small_alloc::deallocate(b));
  CHECK(small_alloc::allocate(33) == b);
  CHECK(small_alloc::deallocate(a));
  CHECK(small_alloc::deallocate(b));
}

TEST_CASE("small blocks: pointers it did not give are refused", "[alloc]") {
  CHECK_FALSE(small_alloc::deallocate(nullptr));
  CHECK(small_alloc::block_size(nullptr) == 0);
  int on_stack = 0;
  CHECK_FALSE(small_alloc::deallocate(&on_stack));
  CHECK(small_alloc::block_size(&on_stack) == 0);
  // A large block from malloc: free() takes it back, not this allocator.
  void* big = std::malloc(1 << 20);
  REQUIRE(big != nullptr);
  CHECK_FALSE(small_alloc::deallocate(big));
  CHECK(small_alloc::block_size(big) == 0);
  std::free(big);
  static const char in_data[64] = {};
  CHECK(small_alloc::block_size(in_data) == 0);
}

TEST_CASE("small blocks: a thread that ends hands its free blocks to the next thread", "[alloc]") {
  // One thread makes blocks and frees them all; a thread started after it has nothing of its
  // own, so its blocks of that class come from what the first one left (the blocks it freed
  // and the rest of its slab).
  std::vector<void*> made;
  std::thread([&made] {
    for (int i = 0; i < 100; ++i) made.push_back(small_alloc::allocate(200));
    for (void* p : made) CHECK(small_alloc::deallocate(p));
  }).join();
  const std::set<void*> given_back(made.begin(), made.end());
  REQUIRE(given_back.size() == 100);
  std::size_t reused = 0;
  std::thread([&given_back, &reused] {
    // 64 KB / 208 bytes: the first thread's slab held 315 blocks.
    std::vector<void*> mine;
    for (int i = 0; i < 315; ++i) mine.push_back(small_alloc::allocate(200));
    for (void* p : mine) reused += given_back.count(p);
    for (void* p : mine) small_alloc::deallocate(p);
  }).join();
  CHECK(reused == 100);
}

namespace {
// Makes 100,000 blocks of `size` bytes on this thread, 1,000 at a time, each batch freed by a
// long-lived other thread; returns how many slabs they came from.
std::size_t slabs_used_across_threads(std::size_t size) {
  constexpr int kRounds = 100;
  constexpr int kPerRound = 1000;
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<void*> to_free;
  bool done = false;
  std::thread freer([&] {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      cv.wait(lock, [&] { return done || !to_free.empty(); });
      for (void* p : to_free) small_alloc::deallocate(p);
      to_free.clear();
      cv.notify_all();
      if (done) return;
    }
  });
  std::set<std::uintptr_t> slabs;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<void*> batch;
    for (int i = 0; i < kPerRound; ++i) {
      void* p = small_alloc::allocate(size);
      REQUIRE(p != nullptr);
      slabs.insert(address(p) / small_alloc::kSlabSize);
      batch.push_back(p);
    }
    std::unique_lock<std::mutex> lock(mutex);
    to_free = std::move(batch);
    cv.notify_all();
    cv.wait(lock, [&] { return to_free.empty(); });
  }
  {
    const std::lock_guard<std::mutex> lock(mutex);
    done = true;
  }
  cv.notify_all();
  freer.join();
  return slabs.size();
}
}  // namespace

TEST_CASE("small blocks: blocks one thread makes and another frees do not pile up", "[alloc]") {
  // A thread that only frees keeps at most 8192 blocks of a class (2 MB of them for classes over
  // 256 bytes) and hands the rest over; the thread that makes them takes those back before it
  // carves new slabs.
  // 100,000 blocks of 160 bytes fill 245 slabs of 64 KB (409 blocks each) when none is reused;
  // here the freeing thread holds at most 8192 (21 slabs' worth) and the rest comes back.
  CHECK(slabs_used_across_threads(160) < 60);
  // 100,000 blocks of 1000 bytes (class 1008, 65 a slab) would fill 1,539 slabs; the freeing
  // thread holds at most 2,080 of them (33 slabs' worth).
  CHECK(slabs_used_across_threads(1000) < 70);
}

TEST_CASE("small blocks: operator new takes its small blocks from here", "[alloc]") {
  auto small = std::make_unique<char[]>(100);
  auto body = std::make_unique<char[]>(2500);  // a message's body: 26 blocks of 2512 to a slab
  auto large = std::make_unique<char[]>(small_alloc::kMaxSize + 1);
#if defined(__SANITIZE_ADDRESS__)
  // Under AddressSanitizer the program keeps the sanitizer's operator new.
  CHECK(small_alloc::block_size(small.get()) == 0);
  CHECK(small_alloc::block_size(body.get()) == 0);
#else
  CHECK(small_alloc::block_size(small.get()) == 112);
  CHECK(small_alloc::block_size(body.get()) == 2512);
#endif
  CHECK(small_alloc::block_size(large.get()) == 0);
  std::string text(40, 'x');  // a string's own buffer, past its 15 characters kept inline
  CHECK(text == std::string(40, 'x'));
}
