#pragma once
// The heap's new memory on 2 MB pages, where the system gives them on request.
//
// A run keeps what it played (the app's history, `--record`): at the bench's rate that is tens
// of megabytes a simulated second, all of it new memory. On 4 KB pages every page faults in on
// its first touch, and each fault is a trip into the kernel (costly in a virtual machine); the
// translation cache covers 6 MB of such pages against gigabytes of 2 MB ones. Linux's
// transparent huge pages give 2 MB pages to memory marked with madvise(MADV_HUGEPAGE), which is
// what most distributions ask for ("madvise" mode). glibc grows its heap with brk() and marks
// nothing, so: the heap grows in steps of 32 MB (mallopt M_TOP_PAD), and now and then (each
// frame in the app, every so many events in a run) what it grew by since the last look is
// marked. Only new memory is concerned; nothing is moved or copied.
//
// Elsewhere (no glibc or Linux, transparent huge pages off or "never", a sanitizer's or
// valgrind's allocator, which does not use brk) both calls do nothing.

#include <cstddef>

namespace mailhop::core {

class HugePageHeap {
 public:
  // Whether the system gives 2 MB pages to memory that asks for them.
  static bool available();
  // Makes the heap grow in large steps and remembers where it ends now; what grows beyond is
  // marked by advise(). Returns available().
  static bool enable();
  // Marks what the heap grew by since the last call (a read of the heap's end when it did not
  // grow). Returns the bytes marked.
  static std::size_t advise();
};

}  // namespace mailhop::core
