#pragma once
// A move-only `void()` callable for simulator events. Callables up to kInlineSize bytes (a
// lambda capturing a few pointers, an id and a std::string or a std::shared_ptr) live inside the
// Action itself, so scheduling an event costs no heap allocation; larger ones go to the heap.

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace mailhop::core {

class Action {
 public:
  static constexpr std::size_t kInlineSize = 88;

  Action() noexcept = default;
  Action(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor)

  template <class F, class D = std::decay_t<F>,
            std::enable_if_t<!std::is_same_v<D, Action> && std::is_invocable_r_v<void, D&>, int> = 0>
  Action(F&& f) {  // NOLINT(google-explicit-constructor): lambdas convert like to std::function
    construct<F, D>(std::forward<F>(f));
  }

  // Replaces the callable with `f`, made in place: no Action in between to move it from (the
  // event queue makes each event's action this way, in its slot).
  template <
      class F, class D = std::decay_t<F>,
      std::enable_if_t<!std::is_same_v<D, Action> && std::is_invocable_r_v<void, D&>, int> = 0>
  void emplace(F&& f) {
    reset();
    construct<F, D>(std::forward<F>(f));
  }

  // Makes a callable of type D from `args` (braces: D may be an aggregate) in this Action, which
  // must be empty (an event queue's free slot): the callable is built where it will run, with no
  // temporary to move its captures (a string of bytes) from.
  template <class D, class... Args>
  void emplace_empty(Args&&... args) {
    static_assert(std::is_invocable_r_v<void, D&>);
    if constexpr (fits_inline<D>()) {
      ::new (static_cast<void*>(m_storage)) D{std::forward<Args>(args)...};
      m_ops = &kInlineOps<D>;
    } else {
      ::new (static_cast<void*>(m_storage)) D*(new D{std::forward<Args>(args)...});
      m_ops = &kHeapOps<D>;
    }
  }

  Action(Action&& other) noexcept : m_ops(other.m_ops) {
    if (m_ops) {
      m_ops->move(m_storage, other.m_storage);
      other.m_ops = nullptr;
    }
  }
  Action& operator=(Action&& other) noexcept {
    if (this != &other) {
      reset();
      m_ops = other.m_ops;
      if (m_ops) {
        m_ops->move(m_storage, other.m_storage);
        other.m_ops = nullptr;
      }
    }
    return *this;
  }
  Action& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }
  Action(const Action&) = delete;
  Action& operator=(const Action&) = delete;
  ~Action() { reset(); }

  explicit operator bool() const noexcept { return m_ops != nullptr; }
  void operator()() { m_ops->invoke(m_storage); }
  // Calls the callable once and destroys it (also if the call throws), leaving the Action
  // empty: what an event does, with one indirect call instead of two.
  void run_once() {
    const Ops* ops = m_ops;
    m_ops = nullptr;
    ops->run_once(m_storage);
  }

 private:
  struct Ops {
    void (*invoke)(void* self);
    void (*run_once)(void* self);  // invokes, then destroys (also when the call throws)
    void (*move)(void* to, void* from) noexcept;  // constructs at `to`, destroys `from`
    void (*destroy)(void* self) noexcept;
  };

  // Into empty storage; m_ops is set only once the callable is made (if making it throws, the
  // Action stays empty).
  template <class F, class D>
  void construct(F&& f) {
    if constexpr (fits_inline<D>()) {
      ::new (static_cast<void*>(m_storage)) D(std::forward<F>(f));
      m_ops = &kInlineOps<D>;
    } else {
      ::new (static_cast<void*>(m_storage)) D*(new D(std::forward<F>(f)));
      m_ops = &kHeapOps<D>;
    }
  }

  template <class D>
  static constexpr bool fits_inline() {
    return sizeof(D) <= kInlineSize && alignof(D) <= alignof(std::max_align_t) &&
           std::is_nothrow_move_constructible_v<D>;
  }

  template <class D>
  static D* inline_ptr(void* p) noexcept {
    return std::launder(static_cast<D*>(p));
  }
  template <class D>
  static D*& heap_ptr(void* p) noexcept {
    return *std::launder(static_cast<D**>(p));
  }

  template <class D>
  struct DestroyAtExit {
    D* d;
    ~DestroyAtExit() { d->~D(); }
  };
  template <class D>
  struct DeleteAtExit {
    D* d;
    ~DeleteAtExit() { delete d; }
  };

  template <class D>
  static constexpr Ops kInlineOps{
      [](void* self) { (*inline_ptr<D>(self))(); },
      [](void* self) {
        const DestroyAtExit<D> done{inline_ptr<D>(self)};
        (*done.d)();
      },
      [](void* to, void* from) noexcept {
        D* src = inline_ptr<D>(from);
        ::new (to) D(std::move(*src));
        src->~D();
      },
      [](void* self) noexcept { inline_ptr<D>(self)->~D(); },
  };
  template <class D>
  static constexpr Ops kHeapOps{
      [](void* self) { (*heap_ptr<D>(self))(); },
      [](void* self) {
        const DeleteAtExit<D> done{heap_ptr<D>(self)};
        (*done.d)();
      },
      [](void* to, void* from) noexcept { ::new (to) D*(heap_ptr<D>(from)); },
      [](void* self) noexcept { delete heap_ptr<D>(self); },
  };

  void reset() noexcept {
    if (m_ops) {
      m_ops->destroy(m_storage);
      m_ops = nullptr;
    }
  }

  alignas(std::max_align_t) unsigned char m_storage[kInlineSize];
  const Ops* m_ops = nullptr;
};

}  // namespace mailhop::core
