// Reads a WDK MDL chain into the simulator's neutral ExternalData view (ABI translation only:
// windowing, limits and validation are the channel's job).
#pragma once

#include <vector>

#include <wdm.h>

#include "sim/core/external_data.h"

namespace vmbsim::shim {

static_assert(sizeof(PFN_NUMBER) == sizeof(uint64_t), "PFN arrays are passed through as u64");

// Fills `out` with one descriptor per MDL of the chain starting at `mdl` (none for NULL).
inline void read_mdl_chain(PMDL mdl, std::vector<MemoryDescriptor>& out) {
  out.clear();
  for (PMDL m = mdl; m != nullptr; m = m->Next) {
    MemoryDescriptor d;
    d.byte_offset = m->ByteOffset;
    d.byte_count = m->ByteCount;
    d.pfns = reinterpret_cast<const uint64_t*>(MmGetMdlPfnArray(m));
    out.push_back(d);
  }
}

}  // namespace vmbsim::shim
