// Recycles the memory of event-loop handlers. Asio allocates an operation object for every
// post(); posting from outside a running poll would otherwise cost a malloc/free pair each
// time. Handlers carry this pool as their associated allocator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace vmbsim {

class HandlerPool {
 public:
  static constexpr size_t kBlockSize = 128;  // asio ops for our small lambdas fit easily

  HandlerPool() = default;
  HandlerPool(const HandlerPool&) = delete;
  HandlerPool& operator=(const HandlerPool&) = delete;
  ~HandlerPool() {
    for (void* b : free_) ::operator delete(b);
  }

  void* allocate(size_t bytes) {
    if (bytes > kBlockSize) return ::operator new(bytes);
    if (free_.empty()) return ::operator new(kBlockSize);
    void* b = free_.back();
    free_.pop_back();
    return b;
  }
  void deallocate(void* p, size_t bytes) {
    if (bytes > kBlockSize) {
      ::operator delete(p);
      return;
    }
    free_.push_back(p);
  }

 private:
  std::vector<void*> free_;
};

template <typename T>
class HandlerAllocator {
 public:
  using value_type = T;
  explicit HandlerAllocator(HandlerPool* pool) noexcept : pool_(pool) {}
  template <typename U>
  HandlerAllocator(const HandlerAllocator<U>& other) noexcept : pool_(other.pool()) {}

  T* allocate(size_t n) { return static_cast<T*>(pool_->allocate(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { pool_->deallocate(p, n * sizeof(T)); }
  HandlerPool* pool() const noexcept { return pool_; }

  template <typename U>
  bool operator==(const HandlerAllocator<U>& o) const noexcept { return pool_ == o.pool(); }
  template <typename U>
  bool operator!=(const HandlerAllocator<U>& o) const noexcept { return pool_ != o.pool(); }

 private:
  HandlerPool* pool_;
};

// A handler whose associated allocator is the pool.
template <typename Fn>
struct PooledHandler {
  using allocator_type = HandlerAllocator<void>;
  Fn fn;
  HandlerPool* pool;
  allocator_type get_allocator() const noexcept { return allocator_type(pool); }
  void operator()() { fn(); }
};

}  // namespace vmbsim
