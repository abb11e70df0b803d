// Where a ring's bytes live. The ring code only ever sees a RingMemory view, so the same code
// runs over flat process memory (tests, in-process simulation) and, later, shared memory.
#pragma once

#include <cstdint>
#include <memory>

#include "sim/ring/ring_layout.h"

namespace vmbsim::ring {

// A non-owning view of one ring: its 4 KiB control page and its data area.
struct RingMemory {
  uint8_t* control = nullptr;  // kControlPageSize bytes
  uint8_t* data = nullptr;     // data_size bytes
  uint32_t data_size = 0;      // a non-zero multiple of kPageSize
};

// One ring in ordinary heap memory: control page immediately followed by the data pages,
// page-aligned, as a guest would donate them.
class FlatRingMemory {
 public:
  // data_pages >= 1. The memory is zeroed.
  explicit FlatRingMemory(uint32_t data_pages);
  FlatRingMemory(const FlatRingMemory&) = delete;
  FlatRingMemory& operator=(const FlatRingMemory&) = delete;

  RingMemory view() const { return view_; }
  // Total bytes (control page + data), e.g. for a future GPADL describing the ring.
  uint32_t total_size() const { return kControlPageSize + view_.data_size; }

 private:
  std::unique_ptr<uint8_t[]> storage_;
  RingMemory view_;
};

// Zeroes the control page and sets the writer's feature bits (pending_send_sz supported),
// as Linux hv_ringbuffer_init does. Called once by whoever donates the ring (the guest).
void initialize_ring(RingMemory mem);

}  // namespace vmbsim::ring
