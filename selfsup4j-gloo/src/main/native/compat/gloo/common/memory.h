// Stand-in for Gloo's gloo/common/memory.h, which Debian 12's libgloo-dev
// (0.0~git20220518.5b14351) includes from gloo/transport/tcp/pair.h and unbound_buffer.h but
// does not ship. build.sh puts this directory after the system's (-idirafter), so a package
// that ships the header wins.
//
// Only the shapes matter to the shim: it reads a queued operation's buffer pointer
// (WeakNonOwningPtr) and locks it (NonOwningPtr) as Gloo's own code does. The classes must
// keep Gloo's layout (one std::weak_ptr / std::shared_ptr each) and behaviour: a
// ShareableNonOwningPtr lends out its object without owning it, and its destructor waits until
// every NonOwningPtr locked from it has been released, so a buffer cannot disappear under a
// thread that holds it.
#pragma once

#include <memory>
#include <thread>

namespace gloo {

template <typename T>
class WeakNonOwningPtr;

template <typename T>
class ShareableNonOwningPtr final {
 public:
  explicit ShareableNonOwningPtr(T* t) : ptr_(t, [](T*) {}) {}
  ShareableNonOwningPtr(const ShareableNonOwningPtr&) = delete;
  ShareableNonOwningPtr& operator=(const ShareableNonOwningPtr&) = delete;
  ~ShareableNonOwningPtr() {
    std::weak_ptr<T> lent(ptr_);
    ptr_.reset();
    while (!lent.expired()) std::this_thread::yield();
  }

 private:
  std::shared_ptr<T> ptr_;
  friend class WeakNonOwningPtr<T>;
};

template <typename T>
class NonOwningPtr;

template <typename T>
class WeakNonOwningPtr final {
 public:
  WeakNonOwningPtr() = default;
  explicit WeakNonOwningPtr(const ShareableNonOwningPtr<T>& from) : ptr_(from.ptr_) {}
  // true once it was made from a ShareableNonOwningPtr, even after that one is gone
  explicit operator bool() const noexcept {
    std::weak_ptr<T> empty;
    return ptr_.owner_before(empty) || empty.owner_before(ptr_);
  }

 private:
  std::weak_ptr<T> ptr_;
  friend class NonOwningPtr<T>;
};

template <typename T>
class NonOwningPtr final {
 public:
  NonOwningPtr() = default;
  explicit NonOwningPtr(const WeakNonOwningPtr<T>& weak) : ptr_(weak.ptr_.lock()) {}
  T* operator->() const noexcept { return ptr_.get(); }
  explicit operator bool() const noexcept { return static_cast<bool>(ptr_); }

 private:
  std::shared_ptr<T> ptr_;
};

}  // namespace gloo
