#include "mdl_builder.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "sim/core/simulation.h"

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
    std::memcpy(pfns_of(m), r.pfns.data(), r.pfns.size() * sizeof(PFN_NUMBER));
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

// The owner travels in the MDL's Process field, which nothing in the simulator uses:
// bits 48-63 the channel id, bits 1-47 the completion id, bit 0 "retired".
namespace {
constexpr CSHORT kExternalDataFlag = static_cast<CSHORT>(0x8000);  // MDL_INTERNAL: reserved to the memory manager
uint64_t tag_of(PMDL m) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(m->Process)); }
void set_tag(PMDL m, uint64_t tag) { m->Process = reinterpret_cast<struct _EPROCESS*>(static_cast<uintptr_t>(tag)); }
}  // namespace

void mark_external_data(PMDL chain, uint64_t channel_id, uint64_t completion_id) {
  for (PMDL m = chain; m != nullptr; m = m->Next) {
    m->MdlFlags = static_cast<CSHORT>(m->MdlFlags | kExternalDataFlag);
    set_tag(m, (channel_id << 48) | ((completion_id & 0x7fffffffffffull) << 1));
  }
}

bool is_external_data(PMDL mdl) { return mdl != nullptr && (mdl->MdlFlags & kExternalDataFlag) != 0; }

void retire_external_data(void* chain) {
  for (auto* m = static_cast<PMDL>(chain); m != nullptr; m = m->Next) {
    // Poisoned so that direct field reads find nothing to work with either.
    ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(m->ByteOffset, m->ByteCount);
    std::memset(pfns_of(m), 0, pages * sizeof(PFN_NUMBER));
    m->MappedSystemVa = nullptr;
    m->MdlFlags = static_cast<CSHORT>(m->MdlFlags & ~MDL_MAPPED_TO_SYSTEM_VA);
    m->ByteCount = 0;
    set_tag(m, tag_of(m) | 1u);
  }
  if (vmbsim::Simulation* sim = vmbsim::Simulation::current())
    sim->retire(chain, free_mdl_chain);
  else
    free_mdl_chain(chain);
}

bool external_data_misuse(PMDL mdl, const char* call, bool freeing) {
  if (!is_external_data(mdl)) return false;
  uint64_t tag = tag_of(mdl);
  bool retired = (tag & 1u) != 0;
  if (!retired && !freeing) return false;
  if (vmbsim::Simulation* sim = vmbsim::Simulation::current()) {
    std::string object = "completion C" + std::to_string((tag >> 1) & 0x7fffffffffffull);
    const char* what = freeing && !retired ? "the driver freed the external-data MDL; it belongs to KMCL until completion"
                       : freeing           ? "the driver freed the external-data MDL after VmbChannelPacketComplete"
                                           : "external-data MDL used after VmbChannelPacketComplete";
    sim->verifier().violation(59, call, tag >> 48, object, what, sim->now());
  }
  return true;
}

}  // namespace vmbsim::shim

