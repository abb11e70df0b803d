// MDL chains the simulator hands to a server driver: guest pages by PFN, no virtual address.
#pragma once

#include <vector>

#include <wdm.h>

#include "sim/ring/gpa_range.h"

namespace vmbsim::shim {

// One MDL per range, chained through Next. Free with free_mdl_chain.
PMDL mdl_chain_for(const std::vector<ring::GpaRange>& ranges);
void free_mdl_chain(void* chain);
// The PFN array that follows an MDL header (MmGetMdlPfnArray without the rule-59 check).
inline PPFN_NUMBER pfns_of(PMDL mdl) { return reinterpret_cast<PPFN_NUMBER>(mdl + 1); }

// External-data MDLs (VmbChannelPacketGetExternalData) belong to KMCL and die at completion.
// Instead of being freed then, they are poisoned and kept in the simulation's quarantine, so
// that a driver still using one is reported (rule 59) rather than caught only by ASan.
void mark_external_data(PMDL chain, uint64_t channel_id, uint64_t completion_id);
void retire_external_data(void* chain);  // the IncomingPacket's free_mapping
bool is_external_data(PMDL mdl);
// Reports rule 59 if `mdl` is an external-data MDL that has been retired (or, for IoFreeMdl,
// any external-data MDL). True if the call must not touch the MDL.
bool external_data_misuse(PMDL mdl, const char* call, bool freeing);

}  // namespace vmbsim::shim
