// MDL chains the simulator hands to a server driver: guest pages by PFN, no virtual address.
#pragma once

#include <vector>

#include <wdm.h>

#include "sim/ring/gpa_range.h"

namespace vmbsim::shim {

// One MDL per range, chained through Next. Free with free_mdl_chain.
PMDL mdl_chain_for(const std::vector<ring::GpaRange>& ranges);
void free_mdl_chain(void* chain);

}  // namespace vmbsim::shim
