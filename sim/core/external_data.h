// External data a client sends with a packet (kmcl-api.md §1.8): the simulator's neutral view of
// an MDL chain or a PFN list, which the shim builds from the WDK structures. The channel turns it
// into the GPA ranges of a GPA-direct packet and pins those pages until the transaction ends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/ring/gpa_range.h"

namespace vmbsim {

// One buffer of a chain, as one MDL describes it.
struct MemoryDescriptor {
  uint32_t byte_offset = 0;  // into the first page
  uint32_t byte_count = 0;
  const uint64_t* pfns = nullptr;  // one per page spanned by (byte_offset, byte_count)
};

struct ExternalData {
  enum class Kind : uint8_t {
    Mdl,      // VmbPacketSend / VmbChannelSendSynchronousRequest: the whole chain
    MdlRange, // VmbPacketSendWithExternalMdl: [offset, offset + length) of the chain
    Pfns,     // VmbPacketSendWithExternalPfns: whole pages
  };
  Kind kind = Kind::Mdl;
  const MemoryDescriptor* chain = nullptr;
  size_t chain_length = 0;
  uint32_t offset = 0;  // MdlRange
  uint32_t length = 0;  // MdlRange; 0 = to the end of the chain
  const uint64_t* pfns = nullptr;  // Pfns
  uint32_t pfn_count = 0;
};

// Appends one GPA range per descriptor that the byte window [start, start + length) of the
// chain touches; returns how many descriptors that was. The window must lie within the chain.
size_t ranges_for_window(const MemoryDescriptor* chain, size_t chain_length, uint64_t start, uint64_t length,
                         std::vector<ring::GpaRange>& out);

}  // namespace vmbsim
