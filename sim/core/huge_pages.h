#pragma once
// The heap's new memory on 2 MB pages, where the system gives them on request, and mapped ahead
// of use by a thread of its own where the program asks for it.
//
// A run keeps what it played (the app's history, `--record`): at the bench's rate that is tens
// of megabytes a simulated second, all of it new memory. On 4 KB pages every page faults in on
// its first touch, and each fault is a trip into the kernel (costly in a virtual machine); the
// processor's address translation cache covers a few megabytes of such pages. Linux's
// transparent huge pages give 2 MB pages to memory marked with madvise(MADV_HUGEPAGE), which is
// what most distributions ask for ("madvise" mode). glibc grows its heap with brk() and marks
// nothing, so: the heap grows in steps of 4 MB (mallopt M_TOP_PAD), and every 64 events the
// simulator plays, what it grew by since the last look is marked. Only new memory is concerned;
// nothing is moved or copied.
//
// A 2 MB page is zeroed by the kernel in one fault: several milliseconds where the host backs
// the memory lazily (a virtual machine), a lump in one frame of the app instead of the same cost
// spread over hundreds of small faults. With prefault_in_background(), a thread maps what was
// marked (madvise(MADV_POPULATE_WRITE), 2 MB at a time) while the simulation has not reached it
// yet: the zeroing moves off the thread that plays and draws. Contents never change; a page the
// program touches first is mapped by its own fault as before.
//
// Without glibc on Linux the calls do nothing. Where transparent huge pages are off, the mark
// has no effect; where the allocator is not glibc's (a sanitizer's, valgrind's), the heap does not
// grow and nothing is marked or mapped.

#include <cstddef>

namespace mailhop::core {

class HugePageHeap {
 public:
  // How far the heap grows past what it must each time it grows. The background thread maps a
  // step as soon as it is marked, on the processor the app's threads share: at the app's rate
  // a 32 MB step cost 60-100 ms of zeroing every 50 frames or so, and the frames it overlapped
  // lost their share to it. 4 MB (two 2 MB pages) spreads the same work thinly.
  static constexpr std::size_t kGrowthStep = 4 * 1024 * 1024;

  // Makes the heap grow in large steps and remembers where it ends now; what grows beyond is
  // marked by advise(). Returns false where this cannot be done (not glibc on Linux).
  static bool enable();
  // Marks what the heap grew by since the last call (a read of the heap's end when it did not
  // grow), and hands it to the background thread when one runs. Returns the bytes marked.
  static std::size_t advise();
  // The name of the thread that maps marked memory (as `top -H` and /proc/self/task show it).
  static constexpr const char* kThreadName = "mailhop-heap";
  // Starts the thread that maps marked memory ahead of use (once; it ends with the program).
  // Returns false where this cannot be done (enable() not called or failed, or no
  // MADV_POPULATE_WRITE on this system's headers).
  static bool prefault_in_background();
  // Bytes the background thread has mapped so far (tests, figures).
  static std::size_t prefaulted();
};

}  // namespace mailhop::core
