// The KMCL function tables and the WDF glue a driver uses to obtain them
// (WdfFdoQueryForInterface, as on Windows 10 1803+; kmcl-api.md §1.3, §5, §7 Q1/Q2).
#include <cstring>
#include <string>

#include <wdf.h>

#include "handle_checks.h"

namespace {

// WDM convention: the provider references the interface before returning it and the consumer
// dereferences it when done. References are counted per device, so a dereference with none
// left (the table used after its last dereference) is caught.
VOID interface_reference(PVOID context) {
  vmbsim::Device* d = vmbsim::Device::from_handle(context);
  if (d == nullptr) {
    vmbsim::Simulation::report_bad_handle("InterfaceReference", "KMCL interface Context", context);
    return;
  }
  d->interface_referenced();
  d->sim().log().debug("KMCL interface referenced ({} held)", d->interface_refs());
}
VOID interface_dereference(PVOID context) {
  vmbsim::Device* d = vmbsim::Device::from_handle(context);
  if (d == nullptr) {
    vmbsim::Simulation::report_bad_handle("InterfaceDereference", "KMCL interface Context", context);
    return;
  }
  if (!d->interface_dereferenced()) {
    d->sim().verifier().violation(1, "InterfaceDereference", 0, "device " + std::to_string(d->id()),
                                  "dereferenced more often than it was referenced: the table was used after "
                                  "its last InterfaceDereference",
                                  d->sim().now());
    return;
  }
  d->sim().log().debug("KMCL interface dereferenced ({} held)", d->interface_refs());
}

void fill_client(KMCL_CLIENT_INTERFACE_V1* t) {
  t->VmbChannelAllocate = VmbChannelAllocate;
  t->VmbChannelCleanup = VmbChannelCleanup;
  t->VmbChannelCreateGpadlFromBuffer = VmbChannelCreateGpadlFromBuffer;
  t->VmbChannelCreateGpadlFromMdl = VmbChannelCreateGpadlFromMdl;
  t->VmbChannelDeleteGpadl = VmbChannelDeleteGpadl;
  t->VmbChannelDisable = VmbChannelDisable;
  t->VmbChannelEnable = VmbChannelEnable;
  t->VmbChannelGetInterfaceInstance = VmbChannelGetInterfaceInstance;
  t->VmbChannelGetMmioSpace = VmbChannelGetMmioSpace;
  t->VmbChannelGetPointer = VmbChannelGetPointer;
  t->VmbChannelInitSetClientContextSize = VmbChannelInitSetClientContextSize;
  t->VmbChannelInitSetFlags = VmbChannelInitSetFlags;
  t->VmbChannelInitSetFriendlyName = VmbChannelInitSetFriendlyName;
  t->VmbChannelInitSetMaximumExternalData = VmbChannelInitSetMaximumExternalData;
  t->VmbChannelInitSetMaximumPacketSize = VmbChannelInitSetMaximumPacketSize;
  t->VmbChannelInitSetProcessPacketCallbacks = VmbChannelInitSetProcessPacketCallbacks;
  t->VmbChannelInitSetStateChangeCallbacks = VmbChannelInitSetStateChangeCallbacks;
  t->VmbChannelPacketComplete = VmbChannelPacketComplete;
  t->VmbChannelPacketDeferToPassive = VmbChannelPacketDeferToPassive;
  t->VmbChannelPacketFail = VmbChannelPacketFail;
  t->VmbChannelPacketGetExternalData = VmbChannelPacketGetExternalData;
  t->VmbChannelPause = VmbChannelPause;
  t->VmbChannelSendSynchronousRequest = VmbChannelSendSynchronousRequest;
  t->VmbChannelSetIncomingProcessingAtPassive = VmbChannelSetIncomingProcessingAtPassive;
  t->VmbChannelSetInterruptLatency = VmbChannelSetInterruptLatency;
  t->VmbChannelSetPointer = VmbChannelSetPointer;
  t->VmbChannelSetTransactionQuota = VmbChannelSetTransactionQuota;
  t->VmbChannelSizeofPacket = VmbChannelSizeofPacket;
  t->VmbChannelStart = VmbChannelStart;
  t->VmbClientChannelInitSetRingBufferPageCount = VmbClientChannelInitSetRingBufferPageCount;
  t->VmbClientChannelInitSetTargetPnp = VmbClientChannelInitSetTargetPnp;
  t->VmbPacketAllocate = VmbPacketAllocate;
  t->VmbPacketFree = VmbPacketFree;
  t->VmbPacketGetChannel = VmbPacketGetChannel;
  t->VmbPacketGetPointer = VmbPacketGetPointer;
  t->VmbPacketInitialize = VmbPacketInitialize;
  t->VmbPacketSend = VmbPacketSend;
  t->VmbPacketSendWithExternalMdl = VmbPacketSendWithExternalMdl;
  t->VmbPacketSendWithExternalPfns = VmbPacketSendWithExternalPfns;
  t->VmbPacketSetCompletionRoutine = VmbPacketSetCompletionRoutine;
  t->VmbPacketSetPointer = VmbPacketSetPointer;
}

void fill_server_only(KMCL_SERVER_INTERFACE_V1* t) {
  t->VmbChannelMapGpadl = VmbChannelMapGpadl;
  t->VmbChannelRestoreFromBuffer = VmbChannelRestoreFromBuffer;
  t->VmbChannelSaveBegin = VmbChannelSaveBegin;
  t->VmbChannelSaveContinue = VmbChannelSaveContinue;
  t->VmbChannelSaveEnd = VmbChannelSaveEnd;
  t->VmbChannelUnmapGpadl = VmbChannelUnmapGpadl;
  t->VmbConvertVmbusHandleToKernelHandle = VmbConvertVmbusHandleToKernelHandle;
  t->VmbPacketRestore = VmbPacketRestore;
  t->VmbServerChannelInitSetFlags = VmbServerChannelInitSetFlags;
  t->VmbServerChannelInitSetMmioMegabytes = VmbServerChannelInitSetMmioMegabytes;
  t->VmbServerChannelInitSetSaveRestorePacketCallbacks = VmbServerChannelInitSetSaveRestorePacketCallbacks;
  t->VmbServerChannelInitSetTargetInterfaceId = VmbServerChannelInitSetTargetInterfaceId;
  t->VmbServerChannelInitSetTargetVtl = VmbServerChannelInitSetTargetVtl;
  t->VmbServerChannelInitSetVmbusHandle = VmbServerChannelInitSetVmbusHandle;
}

NTSTATUS bad_query(vmbsim::Device& d, const std::string& what, NTSTATUS status) {
  d.sim().verifier().violation(1, "WdfFdoQueryForInterface", 0, "device " + std::to_string(d.id()), what,
                               d.sim().now());
  return status;
}

}  // namespace

extern "C" {

PDEVICE_OBJECT WdfDeviceWdmGetDeviceObject(WDFDEVICE Device) {
  vmbsim::Device* d = vmbsim::Device::from_handle(Device);
  if (d == nullptr) {
    vmbsim::Simulation::report_bad_handle("WdfDeviceWdmGetDeviceObject", "WDFDEVICE", Device);
    return nullptr;
  }
  return vmbsim::shim::device_object(*d);
}

// Statuses (documented in docs/decisions.md): an interface GUID we do not provide ->
// STATUS_NOT_SUPPORTED (what a PnP stack answers for an unknown interface); a buffer smaller
// than the table -> STATUS_BUFFER_TOO_SMALL; a version other than 1..LATEST ->
// STATUS_NOT_SUPPORTED. The last two also break rule 1.
NTSTATUS WdfFdoQueryForInterface(WDFDEVICE Fdo, LPCGUID InterfaceType, PINTERFACE Interface, USHORT Size,
                                 USHORT Version, PVOID InterfaceSpecificData) {
  (void)InterfaceSpecificData;
  vmbsim::Device* d = vmbsim::Device::from_handle(Fdo);
  if (d == nullptr) {
    vmbsim::Simulation::report_bad_handle("WdfFdoQueryForInterface", "WDFDEVICE", Fdo);
    return STATUS_INVALID_PARAMETER_1;
  }
  if (InterfaceType == nullptr || Interface == nullptr) return STATUS_INVALID_PARAMETER;
  bool client = std::memcmp(InterfaceType, &KMCL_CLIENT_INTERFACE_TYPE, sizeof(GUID)) == 0;
  bool server = std::memcmp(InterfaceType, &KMCL_SERVER_INTERFACE_TYPE, sizeof(GUID)) == 0;
  if (!client && !server) return STATUS_NOT_SUPPORTED;
  USHORT latest = client ? KMCL_CLIENT_INTERFACE_VERSION_LATEST : KMCL_SERVER_INTERFACE_VERSION_V1;
  if (Version < 1 || Version > latest)
    return bad_query(*d, "unsupported interface Version " + std::to_string(Version), STATUS_NOT_SUPPORTED);
  size_t need = client ? sizeof(KMCL_CLIENT_INTERFACE_V1) : sizeof(KMCL_SERVER_INTERFACE_V1);
  if (Size < need)
    return bad_query(*d, "Size " + std::to_string(Size) + " is smaller than the interface (" + std::to_string(need) +
                             " bytes)", STATUS_BUFFER_TOO_SMALL);
  std::memset(Interface, 0, need);
  auto* table = reinterpret_cast<KMCL_CLIENT_INTERFACE_V1*>(Interface);
  table->Size = static_cast<USHORT>(need);
  table->Version = Version;
  table->Context = d->handle();
  table->InterfaceReference = interface_reference;
  table->InterfaceDereference = interface_dereference;
  fill_client(table);
  if (server) fill_server_only(reinterpret_cast<KMCL_SERVER_INTERFACE_V1*>(Interface));
  // By WDM convention the interface comes back referenced.
  table->InterfaceReference(table->Context);
  return STATUS_SUCCESS;
}

}  // extern "C"
