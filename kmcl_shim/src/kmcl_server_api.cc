// KMCL server-only initialisation (kmcl-api.md §3.3, §3.10.1). Argument translation only.
#include <cstdlib>
#include <cstring>
#include <vector>

#include <wdm.h>

#include "handle_checks.h"
#include "kmcl_client.h"
#include "mdl_builder.h"

using vmbsim::shim::checked_channel;
using vmbsim::shim::to_guid;

extern "C" {

NTSTATUS VmbServerChannelInitSetFlags(VMBCHANNEL Channel, UINT32 Flags) {
  auto* c = checked_channel(Channel, "VmbServerChannelInitSetFlags");
  return c ? c->server_init_set_flags(Flags) : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbServerChannelInitSetMmioMegabytes(VMBCHANNEL Channel, UINT16 MmioMegabytes, UINT16 MmioMegabytesOptional) {
  auto* c = checked_channel(Channel, "VmbServerChannelInitSetMmioMegabytes");
  return c ? c->server_init_set_mmio_megabytes(MmioMegabytes, MmioMegabytesOptional) : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbServerChannelInitSetSaveRestorePacketCallbacks(VMBCHANNEL Channel,
                                                           PFN_VMB_CHANNEL_SAVE_PACKET SavePacketCallback,
                                                           PFN_VMB_CHANNEL_RESTORE_PACKET RestorePacketCallback) {
  auto* c = checked_channel(Channel, "VmbServerChannelInitSetSaveRestorePacketCallbacks");
  if (c == nullptr) return STATUS_INVALID_PARAMETER_1;
  NTSTATUS s = c->server_init_set_save_restore_callbacks(SavePacketCallback != nullptr, RestorePacketCallback != nullptr);
  if (NT_SUCCESS(s)) {
    auto* client = static_cast<vmbsim::shim::KmclClient*>(c->client());
    client->save_packet_cb = SavePacketCallback;
    client->restore_packet_cb = RestorePacketCallback;
  }
  return s;
}

NTSTATUS VmbServerChannelInitSetTargetInterfaceId(VMBCHANNEL Channel, GUID InterfaceType, GUID InterfaceInstance) {
  auto* c = checked_channel(Channel, "VmbServerChannelInitSetTargetInterfaceId");
  return c ? c->server_init_set_target_interface_id(to_guid(InterfaceType), to_guid(InterfaceInstance))
           : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbServerChannelInitSetTargetVtl(VMBCHANNEL Channel, UINT8 TargetVtl) {
  auto* c = checked_channel(Channel, "VmbServerChannelInitSetTargetVtl");
  return c ? c->server_init_set_target_vtl(TargetVtl) : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbServerChannelInitSetVmbusHandle(VMBCHANNEL Channel, HANDLE VmbusHandle) {
  auto* c = checked_channel(Channel, "VmbServerChannelInitSetVmbusHandle");
  return c ? c->server_init_set_vmbus_handle(VmbusHandle) : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbConvertVmbusHandleToKernelHandle(HANDLE VmbusHandle, PHANDLE KernelHandle) {
  if (KernelHandle == nullptr) return STATUS_INVALID_PARAMETER_2;
  *KernelHandle = nullptr;
  if (VmbusHandle == nullptr) return STATUS_INVALID_PARAMETER_1;
  vmbsim::Simulation* sim = vmbsim::Simulation::current();
  if (sim == nullptr) return STATUS_INVALID_DEVICE_STATE;
  *KernelHandle = sim->convert_vmbus_handle(VmbusHandle);
  return STATUS_SUCCESS;
}

}  // extern "C"


using vmbsim::shim::free_mdl_chain;
using vmbsim::shim::mdl_chain_for;


extern "C" {

// The MDL a mapping returns describes the guest's pages by PFN, with no virtual address (the
// server maps it with MmGetSystemAddressForMdlSafe): one MDL per range, chained through Next.
NTSTATUS VmbChannelMapGpadl(VMBCHANNEL Channel, UINT32 Flags, UINT32 GpadlHandle, PMDL* Mdl) {
  auto* c = checked_channel(Channel, "VmbChannelMapGpadl");
  if (!c) return STATUS_INVALID_PARAMETER_1;
  if (Mdl == nullptr) return STATUS_INVALID_PARAMETER_4;
  *Mdl = nullptr;
  const std::vector<vmbsim::ring::GpaRange>* ranges = nullptr;
  NTSTATUS s = c->map_gpadl(Flags, GpadlHandle, &ranges);
  if (!NT_SUCCESS(s)) return s;
  PMDL head = mdl_chain_for(*ranges);
  c->set_gpadl_mapping(GpadlHandle, head, free_mdl_chain);
  *Mdl = head;
  return STATUS_SUCCESS;
}

VOID VmbChannelUnmapGpadl(VMBCHANNEL Channel, UINT32 GpadlHandle) {
  auto* c = checked_channel(Channel, "VmbChannelUnmapGpadl");
  if (!c) return;
  free_mdl_chain(c->unmap_gpadl(GpadlHandle));
}

}  // extern "C"
