#include "mdl_builder.h"

#include <cstdlib>
#include <cstring>

namespace vmbsim::shim {
// An MDL chain (one MDL per range) over guest pages, by PFN and without a virtual address.
PMDL mdl_chain_for(const std::vector<vmbsim::ring::GpaRange>& ranges) {
  PMDL head = nullptr, *link = &head;
  for (const vmbsim::ring::GpaRange& r : ranges) {
    size_t bytes = sizeof(MDL) + r.pfns.size() * sizeof(PFN_NUMBER);
    auto* m = static_cast<PMDL>(std::calloc(1, bytes));
    m->Size = static_cast<CSHORT>(bytes > 0x7fff ? 0x7fff : bytes);
    m->ByteOffset = r.byte_offset;
    m->ByteCount = r.byte_count;
    std::memcpy(MmGetMdlPfnArray(m), r.pfns.data(), r.pfns.size() * sizeof(PFN_NUMBER));
    *link = m;
    link = &m->Next;
  }
  return head;
}

void free_mdl_chain(void* chain) {
  auto* m = static_cast<PMDL>(chain);
  while (m != nullptr) {
    PMDL next = m->Next;
    std::free(m);
    m = next;
  }
}
}  // namespace vmbsim::shim
