#pragma once
// The allocator behind the programs' operator new for small blocks. small_alloc.cc also defines
// the global operator new and delete of each program it is linked into (an object library,
// mailhop_alloc: the app, the headless commands, the tests): blocks of up to kMaxSize bytes come
// from here, larger ones from malloc; delete asks deallocate() whether a block is its own and
// gives any other to free() (a sized delete of up to kMaxSize bytes need not ask: such a block
// is always its own, of the class of that size). Under AddressSanitizer the operators are not
// replaced (the sanitizer's own find memory errors); the functions below stay, for their tests.
// The simulation makes and frees hundreds of small strings and nodes per message (a line, a
// reply, a path, an event's text); glibc's malloc spends about 140 instructions on each
// malloc/free pair, most of them in bins and consolidation that blocks of the same few sizes
// never need. Here a block is popped from, or pushed onto, a list of free blocks of its size
// class kept by the calling thread: a few instructions and no lock.
//
// Blocks of up to kMaxSize bytes come in classes of 16 bytes up to 1 KB (16, 32, ..., 1024),
// then in 48 classes up to 4 KB, each the size that a whole number of blocks fills a slab with
// (1040, 1056, ..., 2720, ..., 4096): a message's body and the buffers that carry it, which
// glibc's malloc would spend about 300 instructions on, each. Each class is carved from slabs
// of kSlabSize bytes, aligned to their size and taken from malloc 16 at a time (so the app's
// heap, with its 2 MB pages mapped ahead, holds them too). A map from slab address to
// class tells a block of this allocator from any other pointer, so deallocate() needs no size
// and says when a pointer is not its own. A block freed by another thread than the one that
// made it joins the freeing thread's lists. A thread that holds more than 8192 free blocks of a
// class (2 MB of them for the classes over 256 bytes), or that ends, hands them over to the
// other threads, which take such lists before they carve new slabs. Slabs are never given back:
// the memory stays in the process for the next blocks, as glibc's small chunks do.

#include <cstddef>

namespace mailhop::alloc {

inline constexpr std::size_t kGranule = 16;    // every class's size is a multiple of this
inline constexpr std::size_t kFineMax = 1024;  // up to here, a class every kGranule bytes
inline constexpr std::size_t kMaxSize = 4096;
inline constexpr std::size_t kClasses = kFineMax / kGranule + 48;
inline constexpr std::size_t kSlabSize = std::size_t{64} * 1024;

// A block of at least `bytes` bytes (at most kMaxSize; 0 counts as 1), aligned to 16 bytes;
// nullptr when no memory is left.
void* allocate(std::size_t bytes) noexcept;
// Takes back a block that allocate() gave and returns true; returns false and does nothing
// for any other pointer (nullptr included).
bool deallocate(void* p) noexcept;
// The usable size of a block from allocate() (its class's size); 0 for any other pointer.
std::size_t block_size(const void* p) noexcept;

}  // namespace mailhop::alloc
