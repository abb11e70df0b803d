#include "sim/ring/ring_memory.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "sim/ring/shared_word.h"

namespace vmbsim::ring {

namespace {

// data_size is a u32 and total_size() adds the control page to it, so both must stay below 2^32.
constexpr uint32_t kMaxDataPages =
    (std::numeric_limits<uint32_t>::max() - kControlPageSize) / kPageSize;

}  // namespace

FlatRingMemory::FlatRingMemory(uint32_t data_pages) {
  if (data_pages == 0 || data_pages > kMaxDataPages) {
    throw std::invalid_argument("FlatRingMemory: data_pages must be in [1, 1048574]");
  }
  const size_t ring_bytes = size_t{kControlPageSize} + size_t{data_pages} * kPageSize;
  // Portable page alignment: over-allocate by one page less a byte and round the start up.
  // operator new only promises alignof(max_align_t), and posix_memalign/aligned_alloc are not
  // available everywhere (MSVC lacks aligned_alloc).
  if (ring_bytes > std::numeric_limits<size_t>::max() - (kPageSize - 1)) {
    throw std::length_error("FlatRingMemory: ring does not fit in the address space");
  }
  storage_.reset(new uint8_t[ring_bytes + (kPageSize - 1)]());  // () value-initialises: zeroed
  const uintptr_t raw = reinterpret_cast<uintptr_t>(storage_.get());
  const uintptr_t skew = (kPageSize - (raw & (kPageSize - 1))) & (kPageSize - 1);
  // Offsetting the original pointer (rather than casting the rounded integer back) keeps the
  // pointer's provenance within the allocation.
  uint8_t* base = storage_.get() + skew;
  view_.control = base;
  view_.data = base + kControlPageSize;
  view_.data_size = data_pages * kPageSize;
}

void initialize_ring(RingMemory mem) {
  // Done before the ring is handed to the peer, so plain stores are enough for the bulk; the
  // final release store still orders them for a peer that attaches by reading feature_bits.
  std::memset(mem.control, 0, kControlPageSize);
  shared::store_release(shared::word(mem.control, kFeatureBitsOffset), kFeaturePendingSendSize);
}

}  // namespace vmbsim::ring
