// MDL routines (kmcl_shim/include/vmbsim_mdl.h). Building an MDL is where a buffer's pages
// enter the simulated guest-physical address space.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <wdm.h>

#include "mdl_builder.h"
#include "sim/core/simulation.h"

using vmbsim::shim::external_data_misuse;
using vmbsim::shim::pfns_of;

extern "C" {

PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota, PVOID Irp) {
  (void)SecondaryBuffer, (void)ChargeQuota, (void)Irp;
  if (Length == 0) return nullptr;
  ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(VirtualAddress, Length);
  size_t bytes = sizeof(MDL) + size_t{pages} * sizeof(PFN_NUMBER);
  if (bytes > 0x7fff) return nullptr;  // MDL.Size is a CSHORT, as in Windows
  auto* mdl = static_cast<PMDL>(std::calloc(1, bytes));
  if (mdl == nullptr) return nullptr;
  mdl->Size = static_cast<CSHORT>(bytes);
  mdl->MdlFlags = MDL_ALLOCATED_FIXED_SIZE;
  mdl->StartVa = PAGE_ALIGN(VirtualAddress);
  mdl->ByteOffset = BYTE_OFFSET(VirtualAddress);
  mdl->ByteCount = Length;
  return mdl;
}

VOID IoFreeMdl(PMDL Mdl) {
  if (external_data_misuse(Mdl, "IoFreeMdl", /*freeing=*/true)) return;  // KMCL's to free
  std::free(Mdl);
}

VOID MmBuildMdlForNonPagedPool(PMDL Mdl) {
  vmbsim::Simulation* sim = vmbsim::Simulation::current();
  ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(static_cast<uint8_t*>(Mdl->StartVa) + Mdl->ByteOffset, Mdl->ByteCount);
  PPFN_NUMBER pfns = pfns_of(Mdl);
  for (ULONG i = 0; i < pages; ++i) {
    const uint8_t* page = static_cast<const uint8_t*>(Mdl->StartVa) + size_t{i} * PAGE_SIZE;
    pfns[i] = sim ? static_cast<PFN_NUMBER>(sim->guest_memory().pfn_for(page)) : 0;
  }
  if (sim == nullptr)
    std::fprintf(stderr, "vmbsim: MmBuildMdlForNonPagedPool with no live simulation on this thread; PFNs left 0\n");
  Mdl->MappedSystemVa = static_cast<uint8_t*>(Mdl->StartVa) + Mdl->ByteOffset;
  Mdl->MdlFlags = static_cast<CSHORT>(Mdl->MdlFlags | MDL_SOURCE_IS_NONPAGED_POOL);
}

// Each accessor reports rule 59 on an external-data MDL whose packet was completed, and then
// returns the poisoned fields (a NULL address, zero bytes).
PVOID MmGetMdlVirtualAddress(PMDL Mdl) {
  external_data_misuse(Mdl, "MmGetMdlVirtualAddress", false);
  return static_cast<uint8_t*>(Mdl->StartVa) + Mdl->ByteOffset;
}

ULONG MmGetMdlByteCount(PMDL Mdl) {
  external_data_misuse(Mdl, "MmGetMdlByteCount", false);
  return Mdl->ByteCount;
}

ULONG MmGetMdlByteOffset(PMDL Mdl) {
  external_data_misuse(Mdl, "MmGetMdlByteOffset", false);
  return Mdl->ByteOffset;
}

PVOID MmGetSystemAddressForMdlSafe(PMDL Mdl, ULONG Priority) {
  (void)Priority;
  if (external_data_misuse(Mdl, "MmGetSystemAddressForMdlSafe", false)) return nullptr;
  if (Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) return Mdl->MappedSystemVa;
  // An MDL that describes guest pages only (a mapped GPADL): "map" it. The simulated guest's
  // pages are process memory, so a run of consecutive pages maps to its own address; pages
  // scattered in process memory cannot be made contiguous here, and the call fails.
  vmbsim::Simulation* sim = vmbsim::Simulation::current();
  if (sim == nullptr) return nullptr;
  ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(Mdl->ByteOffset, Mdl->ByteCount);
  PPFN_NUMBER pfns = pfns_of(Mdl);
  uint8_t* first = sim->guest_memory().page(pfns[0]);
  if (first == nullptr) return nullptr;
  for (ULONG i = 1; i < pages; ++i)
    if (sim->guest_memory().page(pfns[i]) != first + size_t{i} * PAGE_SIZE) return nullptr;
  Mdl->MappedSystemVa = first + Mdl->ByteOffset;
  Mdl->MdlFlags = static_cast<CSHORT>(Mdl->MdlFlags | MDL_MAPPED_TO_SYSTEM_VA);
  return Mdl->MappedSystemVa;
}

PPFN_NUMBER MmGetMdlPfnArray(PMDL Mdl) {
  external_data_misuse(Mdl, "MmGetMdlPfnArray", false);
  return pfns_of(Mdl);
}

}  // extern "C"
