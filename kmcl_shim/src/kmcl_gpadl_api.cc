// KMCL GPADL functions, client side (kmcl-api.md §3.6). Argument translation only.
#include <vector>

#include "handle_checks.h"
#include "mdl_chain.h"

using vmbsim::shim::checked_channel;

extern "C" {

NTSTATUS VmbChannelCreateGpadlFromBuffer(VMBCHANNEL Channel, UINT32 Flags, PVOID Buffer, UINT32 ByteCount,
                                         PUINT32 GpadlHandle) {
  auto* c = checked_channel(Channel, "VmbChannelCreateGpadlFromBuffer");
  if (!c) return STATUS_INVALID_PARAMETER_1;
  return c->create_gpadl_from_buffer(Flags, Buffer, ByteCount, GpadlHandle);
}

NTSTATUS VmbChannelCreateGpadlFromMdl(VMBCHANNEL Channel, UINT32 Flags, PMDL Mdl, UINT32 StartOffsetWithinMdl,
                                      UINT32 DataLengthWithinMdl, PUINT32 GpadlHandle) {
  auto* c = checked_channel(Channel, "VmbChannelCreateGpadlFromMdl");
  if (!c) return STATUS_INVALID_PARAMETER_1;
  std::vector<vmbsim::MemoryDescriptor> chain;
  vmbsim::shim::read_mdl_chain(Mdl, chain);
  return c->create_gpadl_from_chain(Flags, chain.data(), chain.size(), StartOffsetWithinMdl, DataLengthWithinMdl,
                                    GpadlHandle);
}

VOID VmbChannelDeleteGpadl(VMBCHANNEL Channel, UINT32 GpadlHandle) {
  if (auto* c = checked_channel(Channel, "VmbChannelDeleteGpadl")) c->delete_gpadl(GpadlHandle);
}

}  // extern "C"
