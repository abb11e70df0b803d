// Reads a fuzzer's input front to back as small integers and byte strings. Running out is not an
// error: every read then yields zero or nothing and exhausted() turns true, so any input, even an
// empty one, decodes to something. Each field takes a fixed number of bytes (only explicit byte
// strings take a length read just before them), so one mutated byte mostly changes one field
// instead of re-framing everything after it: the fuzzer's mutations stay local.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace vmbsim::fuzz {

class ByteSource {
 public:
  ByteSource(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool exhausted() const { return pos_ >= size_; }
  size_t remaining() const { return exhausted() ? 0 : size_ - pos_; }

  uint8_t u8() { return static_cast<uint8_t>(take(1)); }
  uint16_t u16() { return static_cast<uint16_t>(take(2)); }
  uint32_t u32() { return static_cast<uint32_t>(take(4)); }
  uint64_t u64() { return take(8); }
  // A value in [0, n) from one byte (n <= 256) or two; 0 when n is 0.
  uint32_t below(uint32_t n) {
    if (n == 0) return 0;
    return (n <= 256 ? u8() : u16()) % n;
  }
  bool flag() { return (u8() & 1u) != 0; }
  // Up to `n` bytes (fewer at the end of the input).
  std::vector<uint8_t> bytes(size_t n) {
    n = n < remaining() ? n : remaining();
    std::vector<uint8_t> out(data_ + pos_, data_ + pos_ + n);
    pos_ += n;
    return out;
  }

 private:
  // Little-endian, zero-filled past the end.
  uint64_t take(size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n && pos_ < size_; ++i) v |= uint64_t{data_[pos_++]} << (8 * i);
    if (pos_ >= size_) pos_ = size_ + 1;  // reading at the end counts as running out
    return v;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace vmbsim::fuzz
