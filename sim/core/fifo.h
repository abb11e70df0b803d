// A FIFO of trivially copyable values in a power-of-two ring that doubles when full. Unlike
// std::deque it never allocates or frees in steady state, which matters on the per-packet path
// (the scheduler's run queue, the packet pools' free lists).
#pragma once

#include <cstddef>
#include <type_traits>
#include <vector>

namespace vmbsim {

template <typename T>
class Fifo {
  static_assert(std::is_trivially_copyable<T>::value, "Fifo holds plain values");

 public:
  bool empty() const { return head_ == tail_; }
  size_t size() const { return tail_ - head_; }
  void push(const T& value) {
    if (size() == slots_.size()) grow();
    slots_[tail_++ & (slots_.size() - 1)] = value;
  }
  // The FIFO must not be empty.
  const T& front() const { return slots_[head_ & (slots_.size() - 1)]; }
  T pop() { return slots_[head_++ & (slots_.size() - 1)]; }

 private:
  void grow() {
    // Copy the live values, oldest first, into a ring twice as large.
    std::vector<T> bigger(slots_.size() * 2);
    size_t n = size();
    for (size_t i = 0; i < n; ++i) bigger[i] = slots_[(head_ + i) & (slots_.size() - 1)];
    slots_.swap(bigger);
    head_ = 0;
    tail_ = n;
  }

  std::vector<T> slots_ = std::vector<T>(16);
  size_t head_ = 0, tail_ = 0;  // grow monotonically; index with & (size - 1)
};

}  // namespace vmbsim
