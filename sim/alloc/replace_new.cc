// The program's global operator new and delete: blocks of up to small_alloc::kMaxSize bytes
// come from core::small_alloc (a free list of the calling thread), larger ones from malloc.
// delete asks small_alloc whether a block is its own, so it needs no size and any pointer that
// malloc gave (a large block) goes back to free(). The aligned forms (align_val_t) are the
// standard library's own and never see these blocks.
//
// Under AddressSanitizer nothing is replaced: its own operator new is what finds memory errors.

#include <cstdlib>
#include <new>

#include "sim/core/small_alloc.h"

#if !defined(__SANITIZE_ADDRESS__)

namespace {

namespace small_alloc = mailhop::core::small_alloc;

void* allocate_or_null(std::size_t bytes) noexcept {
  if (bytes <= small_alloc::kMaxSize) return small_alloc::allocate(bytes);
  return std::malloc(bytes);
}

// As the standard asks: on failure call the new-handler and try again, or throw.
void* allocate(std::size_t bytes) {
  for (;;) {
    if (void* p = allocate_or_null(bytes)) return p;
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* allocate_nothrow(std::size_t bytes) noexcept {
  try {
    return allocate(bytes);
  } catch (...) {
    return nullptr;
  }
}

void release(void* p) noexcept {
  if (p != nullptr && !small_alloc::deallocate(p)) std::free(p);
}

}  // namespace

void* operator new(std::size_t bytes) {
  return allocate(bytes);
}
void* operator new[](std::size_t bytes) {
  return allocate(bytes);
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
void operator delete(void* p, std::size_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  release(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  release(p);
}

#endif
