// header_cpp17_check.cc - compile-only check that the KMCL shim headers work
// for a C++17 driver (and for vmbsim's own C++ code): strict C++17, no GNU
// extensions, -Wall -Wextra -Werror.
//
// Nothing here is ever run. Functions that call into KMCL are never called;
// the object file may reference the direct-call API and is never linked.

#include <ntddk.h>
#include <wdm.h>
#include <wdf.h>
#include <vmbuskernelmodeclientlibapi.h>
#include <vmbuskernelmodeclientlibapi.h>  // twice on purpose

// Standard headers after the shim: the no-op SAL macros and the WDK type
// names must not collide with anything in the C++ library.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <variant>
#include <vector>

// ---- WDK base types --------------------------------------------------------

static_assert(sizeof(ULONG) == 4, "ULONG is 32-bit");
static_assert(std::is_same<ULONG, std::uint32_t>::value, "ULONG is uint32_t");
static_assert(std::is_same<NTSTATUS, std::int32_t>::value, "NTSTATUS is int32_t");
static_assert(std::is_same<BOOLEAN, unsigned char>::value, "BOOLEAN is unsigned char");
static_assert(std::is_same<WCHAR, char16_t>::value, "WCHAR is char16_t in C++");
static_assert(std::is_same<PFN_NUMBER, ULONG_PTR>::value && sizeof(ULONG_PTR) == sizeof(void*), "PFN_NUMBER");
static_assert(sizeof(GUID) == 16, "GUID");
static_assert(offsetof(LARGE_INTEGER, HighPart) == 4 && offsetof(LARGE_INTEGER, QuadPart) == 0, "LARGE_INTEGER");
static_assert(std::is_same<PINTERFACE_DEREFERENCE, void (*)(PVOID)>::value, "PINTERFACE_DEREFERENCE");
static_assert(PASSIVE_LEVEL == 0 && APC_LEVEL == 1 && DISPATCH_LEVEL == 2, "IRQL numbers");
static_assert(TRUE == 1 && FALSE == 0, "TRUE/FALSE");

// Status codes are integral constant expressions usable in switch labels.
static_assert(NT_SUCCESS(STATUS_SUCCESS) && NT_SUCCESS(STATUS_PENDING) && NT_SUCCESS(STATUS_TIMEOUT), "success");
static_assert(!NT_SUCCESS(STATUS_BUFFER_OVERFLOW) && !NT_SUCCESS(STATUS_DEVICE_BUSY), "warnings fail");
static_assert(!NT_SUCCESS(STATUS_MORE_PROCESSING_REQUIRED), "MORE_PROCESSING_REQUIRED fails NT_SUCCESS");
static_assert(static_cast<ULONG>(STATUS_NOT_SUPPORTED) == 0xC00000BBu, "NOT_SUPPORTED");
static_assert(static_cast<ULONG>(STATUS_INSUFFICIENT_RESOURCES) == 0xC000009Au, "INSUFFICIENT_RESOURCES");
static_assert(static_cast<ULONG>(STATUS_UNSUCCESSFUL) == 0xC0000001u, "UNSUCCESSFUL");
static_assert(static_cast<ULONG>(STATUS_INVALID_HANDLE) == 0xC0000008u, "INVALID_HANDLE");
static_assert(static_cast<ULONG>(STATUS_INVALID_DEVICE_STATE) == 0xC0000184u, "INVALID_DEVICE_STATE");
static_assert(static_cast<ULONG>(STATUS_DEVICE_REMOVED) == 0xC00002B6u, "DEVICE_REMOVED");

namespace {

constexpr const char* StatusName(NTSTATUS status)
{
    switch (status) {
    case STATUS_SUCCESS: return "SUCCESS";
    case STATUS_TIMEOUT: return "TIMEOUT";
    case STATUS_PENDING: return "PENDING";
    case STATUS_BUFFER_OVERFLOW: return "BUFFER_OVERFLOW";
    case STATUS_DEVICE_BUSY: return "DEVICE_BUSY";
    case STATUS_UNSUCCESSFUL: return "UNSUCCESSFUL";
    case STATUS_NOT_IMPLEMENTED: return "NOT_IMPLEMENTED";
    case STATUS_INVALID_HANDLE: return "INVALID_HANDLE";
    case STATUS_INVALID_PARAMETER: return "INVALID_PARAMETER";
    case STATUS_MORE_PROCESSING_REQUIRED: return "MORE_PROCESSING_REQUIRED";
    case STATUS_ACCESS_DENIED: return "ACCESS_DENIED";
    case STATUS_BUFFER_TOO_SMALL: return "BUFFER_TOO_SMALL";
    case STATUS_INSUFFICIENT_RESOURCES: return "INSUFFICIENT_RESOURCES";
    case STATUS_NOT_SUPPORTED: return "NOT_SUPPORTED";
    case STATUS_INVALID_PARAMETER_1: return "INVALID_PARAMETER_1";
    case STATUS_INVALID_PARAMETER_2: return "INVALID_PARAMETER_2";
    case STATUS_INVALID_PARAMETER_3: return "INVALID_PARAMETER_3";
    case STATUS_INVALID_PARAMETER_4: return "INVALID_PARAMETER_4";
    case STATUS_INVALID_PARAMETER_5: return "INVALID_PARAMETER_5";
    case STATUS_INVALID_PARAMETER_6: return "INVALID_PARAMETER_6";
    case STATUS_INVALID_PARAMETER_7: return "INVALID_PARAMETER_7";
    case STATUS_INVALID_PARAMETER_8: return "INVALID_PARAMETER_8";
    case STATUS_CANCELLED: return "CANCELLED";
    case STATUS_INVALID_DEVICE_STATE: return "INVALID_DEVICE_STATE";
    case STATUS_DEVICE_REMOVED: return "DEVICE_REMOVED";
    default: return "?";
    }
}
static_assert(StatusName(STATUS_CANCELLED)[0] == 'C', "constexpr switch over status codes");

}  // namespace

// ---- KMCL constants (kmcl-api.md section 4) ---------------------------------

static_assert(VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION == 0x1, "WAIT_FOR_COMPLETION");
static_assert(VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH == 0x2, "FORCE_MDL_LENGTH");
static_assert(VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER == 0x4, "PAGED_BUFFER");
static_assert(VMBUS_CHANNEL_FORMAT_FLAGS == 0x7, "FORMAT_FLAGS");
static_assert(VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY == 0x1 && VMBUS_CHANNEL_GPADL_FLAGS == 0x1, "GPADL flags");
static_assert(VMBUS_CHANNEL_INIT_FLAG_IS_PIPE == 0x1 && VMBUS_CHANNEL_INIT_FLAGS == 0x1, "init flags");
static_assert(VMBUS_SERVER_CHANNEL_INIT_FLAG_LOOPBACK_OFFER == 0x1, "LOOPBACK_OFFER");
static_assert(VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE == 0x2, "ENUMERATE_DEVICE_INTERFACE");
static_assert(VMBUS_SERVER_CHANNEL_INIT_FLAG_OFFER_AS_PIPE == 0x4, "OFFER_AS_PIPE");
static_assert(VMBUS_SERVER_CHANNEL_INIT_FLAG_FORCE_NEW_CHANNEL == 0x8, "FORCE_NEW_CHANNEL");
static_assert(VMBUS_SERVER_CHANNEL_INIT_FLAG_TLNPI_PROVIDER_OFFER == 0x10, "TLNPI_PROVIDER_OFFER");
static_assert(VMBUS_SERVER_CHANNEL_INIT_FLAGS == 0x1F, "SERVER_CHANNEL_INIT_FLAGS");
static_assert(VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA == 0x1 && VMBUS_CHANNEL_PROCESS_PACKET_FLAGS == 0x1,
              "process-packet flags");
static_assert(VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY == 0x1 &&
                  VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAGS == 0x1,
              "external-data flags");
static_assert(VMBUS_SERVER_CHANNEL_INIT_MAXIMUM_OFFER_DATA == 120, "MAXIMUM_OFFER_DATA");
static_assert(KMCL_CLIENT_INTERFACE_VERSION_V1 == 1 && KMCL_CLIENT_INTERFACE_VERSION_LATEST == 1 &&
                  KMCL_SERVER_INTERFACE_VERSION_V1 == 1,
              "interface versions");

// ---- Layouts ----------------------------------------------------------------

// vmbsim's C++ side memcpy's and zero-fills these; they must stay C-like.
static_assert(std::is_standard_layout<KMCL_CLIENT_INTERFACE_V1>::value, "client table is standard-layout");
static_assert(std::is_trivially_copyable<KMCL_SERVER_INTERFACE_V1>::value, "server table is trivially copyable");
static_assert(std::is_standard_layout<MDL>::value && std::is_trivial<GUID>::value, "C-like WDK structs");

#if VMBSIM_TARGET_64BIT
static_assert(sizeof(INTERFACE) == 0x20, "INTERFACE");
static_assert(sizeof(MDL) == 0x30 && offsetof(MDL, ByteOffset) == 0x2C, "MDL");
static_assert(sizeof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS) == 0x30, "callbacks struct");
static_assert(offsetof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS, EvtChannelStarted) == 0x20, "callbacks Started");
static_assert(sizeof(KMCL_CLIENT_INTERFACE_V1) == 0x168, "client table size");
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, Context) == 0x08, "Context");
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, InterfaceDereference) == 0x18, "InterfaceDereference");
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbChannelAllocate) == 0x20, "VmbChannelAllocate");
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbChannelPacketGetExternalData) == 0xC0,
              "VmbChannelPacketGetExternalData");
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbClientChannelInitSetRingBufferPageCount) == 0x108,
              "VmbClientChannelInitSetRingBufferPageCount");
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbPacketSetPointer) == 0x160, "VmbPacketSetPointer");
static_assert(sizeof(KMCL_SERVER_ONLY_METHODS) == 0x70, "server-only size");
static_assert(sizeof(KMCL_SERVER_INTERFACE_V1) == 0x1D8, "server table size");
static_assert(offsetof(KMCL_SERVER_INTERFACE_V1, VmbChannelMapGpadl) == 0x168, "server VmbChannelMapGpadl");
static_assert(offsetof(KMCL_SERVER_INTERFACE_V1, VmbConvertVmbusHandleToKernelHandle) == 0x198,
              "server VmbConvertVmbusHandleToKernelHandle");
static_assert(offsetof(KMCL_SERVER_INTERFACE_V1, VmbServerChannelInitSetVmbusHandle) == 0x1D0,
              "server VmbServerChannelInitSetVmbusHandle");
#endif

// ---- Types of handles, callbacks and direct-call functions -----------------

static_assert(!std::is_same<VMBCHANNEL, VMBPACKET>::value && !std::is_same<VMBPACKET, VMBPACKETCOMPLETION>::value &&
                  !std::is_convertible<VMBCHANNEL, VMBPACKETCOMPLETION>::value &&
                  !std::is_convertible<WDFDEVICE, VMBCHANNEL>::value,
              "handles are distinct, non-convertible types");
static_assert(std::is_function<EVT_VMB_CHANNEL_PROCESS_PACKET>::value, "EVT_ types are function types");
static_assert(std::is_same<PFN_VMB_CHANNEL_PROCESS_PACKET, EVT_VMB_CHANNEL_PROCESS_PACKET*>::value,
              "PFN_ = EVT_ *");
static_assert(std::is_same<PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID,
                           NTSTATUS (*)(VMBCHANNEL, GUID, GUID)>::value,
              "target interface id takes GUIDs by value");
static_assert(std::is_same<PFN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST,
                           NTSTATUS (*)(VMBCHANNEL, PVOID, UINT32, PMDL, UINT32, PVOID, PUINT32,
                                        PLARGE_INTEGER)>::value,
              "synchronous request prototype");
static_assert(std::is_same<PFN_VMB_CHANNEL_SAVE_CONTINUE,
                           NTSTATUS (*)(VMBCHANNEL, PVOID, ULONG, PULONG, PULONG)>::value,
              "save-continue prototype");

#define CPP_CHECK_DIRECT(name, pfn) \
    static_assert(std::is_same<decltype(&name), pfn>::value, #name " must have type " #pfn)

CPP_CHECK_DIRECT(VmbChannelAllocate, PFN_VMB_CHANNEL_ALLOCATE);
CPP_CHECK_DIRECT(VmbChannelCleanup, PFN_VMB_CHANNEL_CLEANUP);
CPP_CHECK_DIRECT(VmbChannelCreateGpadlFromBuffer, PFN_VMB_CHANNEL_CREATE_GPADL_FROM_BUFFER);
CPP_CHECK_DIRECT(VmbChannelCreateGpadlFromMdl, PFN_VMB_CHANNEL_CREATE_GPADL_FROM_MDL);
CPP_CHECK_DIRECT(VmbChannelDeleteGpadl, PFN_VMB_CHANNEL_DELETE_GPADL);
CPP_CHECK_DIRECT(VmbChannelDisable, PFN_VMB_CHANNEL_DISABLE);
CPP_CHECK_DIRECT(VmbChannelEnable, PFN_VMB_CHANNEL_ENABLE);
CPP_CHECK_DIRECT(VmbChannelGetInterfaceInstance, PFN_VMB_CHANNEL_GET_INTERFACE_INSTANCE);
CPP_CHECK_DIRECT(VmbChannelGetMmioSpace, PFN_VMB_CHANNEL_GET_MMIO_SPACE);
CPP_CHECK_DIRECT(VmbChannelGetPointer, PFN_VMB_CHANNEL_GET_POINTER);
CPP_CHECK_DIRECT(VmbChannelInitSetClientContextSize, PFN_VMB_CHANNEL_INIT_SET_CLIENT_CONTEXT_SIZE);
CPP_CHECK_DIRECT(VmbChannelInitSetFlags, PFN_VMB_CHANNEL_INIT_SET_FLAGS);
CPP_CHECK_DIRECT(VmbChannelInitSetFriendlyName, PFN_VMB_CHANNEL_INIT_SET_FRIENDLY_NAME);
CPP_CHECK_DIRECT(VmbChannelInitSetMaximumExternalData, PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_EXTERNAL_DATA);
CPP_CHECK_DIRECT(VmbChannelInitSetMaximumPacketSize, PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_SIZE);
CPP_CHECK_DIRECT(VmbChannelInitSetProcessPacketCallbacks, PFN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS);
CPP_CHECK_DIRECT(VmbChannelInitSetStateChangeCallbacks, PFN_VMB_CHANNEL_INIT_SET_STATE_CHANGE_CALLBACKS);
CPP_CHECK_DIRECT(VmbChannelPacketComplete, PFN_VMB_CHANNEL_PACKET_COMPLETE);
CPP_CHECK_DIRECT(VmbChannelPacketDeferToPassive, PFN_VMB_CHANNEL_PACKET_DEFER_TO_PASSIVE);
CPP_CHECK_DIRECT(VmbChannelPacketFail, PFN_VMB_CHANNEL_PACKET_FAIL);
CPP_CHECK_DIRECT(VmbChannelPacketGetExternalData, PFN_VMB_CHANNEL_PACKET_GET_EXTERNAL_DATA);
CPP_CHECK_DIRECT(VmbChannelPause, PFN_VMB_CHANNEL_PAUSE);
CPP_CHECK_DIRECT(VmbChannelSendSynchronousRequest, PFN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST);
CPP_CHECK_DIRECT(VmbChannelSetIncomingProcessingAtPassive, PFN_VMB_CHANNEL_SET_INCOMING_PROCESSING_AT_PASSIVE);
CPP_CHECK_DIRECT(VmbChannelSetInterruptLatency, PFN_VMB_CHANNEL_SET_INTERRUPT_LATENCY);
CPP_CHECK_DIRECT(VmbChannelSetPointer, PFN_VMB_CHANNEL_SET_POINTER);
CPP_CHECK_DIRECT(VmbChannelSetTransactionQuota, PFN_VMB_CHANNEL_SET_TRANSACTION_QUOTA);
CPP_CHECK_DIRECT(VmbChannelSizeofPacket, PFN_VMB_CHANNEL_SIZEOF_PACKET);
CPP_CHECK_DIRECT(VmbChannelStart, PFN_VMB_CHANNEL_START);
CPP_CHECK_DIRECT(VmbClientChannelInitSetRingBufferPageCount, PFN_VMB_CLIENT_CHANNEL_INIT_SET_RING_BUFFER_PAGE_COUNT);
CPP_CHECK_DIRECT(VmbClientChannelInitSetTargetPnp, PFN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PNP);
CPP_CHECK_DIRECT(VmbPacketAllocate, PFN_VMB_PACKET_ALLOCATE);
CPP_CHECK_DIRECT(VmbPacketFree, PFN_VMB_PACKET_FREE);
CPP_CHECK_DIRECT(VmbPacketGetChannel, PFN_VMB_PACKET_GET_CHANNEL);
CPP_CHECK_DIRECT(VmbPacketGetPointer, PFN_VMB_PACKET_GET_POINTER);
CPP_CHECK_DIRECT(VmbPacketInitialize, PFN_VMB_PACKET_INITIALIZE);
CPP_CHECK_DIRECT(VmbPacketSend, PFN_VMB_PACKET_SEND);
CPP_CHECK_DIRECT(VmbPacketSendWithExternalMdl, PFN_VMB_PACKET_SEND_WITH_EXTERNAL_MDL);
CPP_CHECK_DIRECT(VmbPacketSendWithExternalPfns, PFN_VMB_PACKET_SEND_WITH_EXTERNAL_PFNS);
CPP_CHECK_DIRECT(VmbPacketSetCompletionRoutine, PFN_VMB_PACKET_SET_COMPLETION_ROUTINE);
CPP_CHECK_DIRECT(VmbPacketSetPointer, PFN_VMB_PACKET_SET_POINTER);
CPP_CHECK_DIRECT(VmbChannelMapGpadl, PFN_VMB_CHANNEL_MAP_GPADL);
CPP_CHECK_DIRECT(VmbChannelRestoreFromBuffer, PFN_VMB_CHANNEL_RESTORE_FROM_BUFFER);
CPP_CHECK_DIRECT(VmbChannelSaveBegin, PFN_VMB_CHANNEL_SAVE_BEGIN);
CPP_CHECK_DIRECT(VmbChannelSaveContinue, PFN_VMB_CHANNEL_SAVE_CONTINUE);
CPP_CHECK_DIRECT(VmbChannelSaveEnd, PFN_VMB_CHANNEL_SAVE_END);
CPP_CHECK_DIRECT(VmbChannelUnmapGpadl, PFN_VMB_CHANNEL_UNMAP_GPADL);
CPP_CHECK_DIRECT(VmbConvertVmbusHandleToKernelHandle, PFN_VMB_CONVERT_VMBUS_HANDLE_TO_KERNEL_HANDLE);
CPP_CHECK_DIRECT(VmbPacketRestore, PFN_VMB_PACKET_RESTORE);
CPP_CHECK_DIRECT(VmbServerChannelInitSetFlags, PFN_VMB_SERVER_CHANNEL_INIT_SET_FLAGS);
CPP_CHECK_DIRECT(VmbServerChannelInitSetMmioMegabytes, PFN_VMB_SERVER_CHANNEL_INIT_SET_MMIO_MEGABYTES);
CPP_CHECK_DIRECT(VmbServerChannelInitSetSaveRestorePacketCallbacks,
                 PFN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS);
CPP_CHECK_DIRECT(VmbServerChannelInitSetTargetInterfaceId, PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID);
CPP_CHECK_DIRECT(VmbServerChannelInitSetTargetVtl, PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_VTL);
CPP_CHECK_DIRECT(VmbServerChannelInitSetVmbusHandle, PFN_VMB_SERVER_CHANNEL_INIT_SET_VMBUS_HANDLE);

// ---- Callbacks declared the driver way, through the EVT_ function types ----

namespace {

KMCL_CLIENT_INTERFACE_V1 g_kmcl{};
KMCL_SERVER_INTERFACE_V1 g_kmclServer{};

EVT_VMB_CHANNEL_OPENED CppOpened;
EVT_VMB_CHANNEL_CLOSED CppClosed;
EVT_VMB_CHANNEL_SUSPEND CppSuspend;
EVT_VMB_CHANNEL_STARTED CppStarted;
EVT_VMB_CHANNEL_POST_STARTED CppPostStarted;
EVT_VMB_CHANNEL_PROCESS_PACKET CppProcessPacket;
EVT_VMB_CHANNEL_PROCESSING_COMPLETE CppProcessingComplete;
EVT_VMB_PACKET_COMPLETION_ROUTINE CppPacketCompletion;
EVT_VMB_CHANNEL_SAVE_PACKET CppSavePacket;
EVT_VMB_CHANNEL_RESTORE_PACKET CppRestorePacket;
EVT_VMB_CHANNEL_PNP_FAILURE CppPnpFailure;

_Use_decl_annotations_ NTSTATUS CppOpened(VMBCHANNEL) { return STATUS_SUCCESS; }
_Use_decl_annotations_ VOID CppClosed(VMBCHANNEL) {}
_Use_decl_annotations_ VOID CppSuspend(VMBCHANNEL) {}
_Use_decl_annotations_ VOID CppStarted(VMBCHANNEL) {}
_Use_decl_annotations_ VOID CppPostStarted(VMBCHANNEL) {}

_Use_decl_annotations_ VOID CppProcessPacket(VMBCHANNEL, VMBPACKETCOMPLETION Packet, PVOID Buffer,
                                             UINT32 BufferLength, UINT32 Flags)
{
    if (g_kmcl.VmbChannelPacketComplete == nullptr) {
        return;
    }
    if ((Flags & VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA) != 0) {
        PMDL mdl = nullptr;
        const NTSTATUS status = g_kmcl.VmbChannelPacketGetExternalData(
            Packet, VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY, &mdl);
        if (status == STATUS_PENDING) {
            return;
        }
        if (!NT_SUCCESS(status)) {
            g_kmcl.VmbChannelPacketFail(Packet);
            return;
        }
    }
    if (BufferLength == 0) {
        g_kmcl.VmbChannelPacketDeferToPassive(Packet);
        return;
    }
    ULONG reply = 0;
    std::memcpy(&reply, Buffer, std::min<std::size_t>(BufferLength, sizeof(reply)));
    g_kmcl.VmbChannelPacketComplete(Packet, &reply, sizeof(reply));
}

_Use_decl_annotations_ VOID CppProcessingComplete(VMBCHANNEL, UINT32) {}

_Use_decl_annotations_ VOID CppPacketCompletion(VMBPACKET Packet, NTSTATUS, PVOID, UINT32)
{
    if (g_kmcl.VmbPacketFree != nullptr) {
        g_kmcl.VmbPacketFree(Packet);
    }
}

_Use_decl_annotations_ NTSTATUS CppSavePacket(VMBCHANNEL, VMBPACKET, PVOID, UINT32 SaveBufSize, PUINT32 BytesNeeded)
{
    *BytesNeeded = 0;
    return SaveBufSize == 0 ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

_Use_decl_annotations_ NTSTATUS CppRestorePacket(VMBCHANNEL Channel, PVOID LibBuf, UINT32 LibBufSize, PVOID, UINT32)
{
    if (g_kmclServer.VmbPacketAllocate == nullptr) {
        return STATUS_NOT_SUPPORTED;
    }
    VMBPACKET packet = g_kmclServer.VmbPacketAllocate(Channel);
    if (packet == nullptr) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    return g_kmclServer.VmbPacketRestore(packet, LibBuf, LibBufSize);
}

_Use_decl_annotations_ VOID CppPnpFailure(VMBCHANNEL, NTSTATUS) {}

}  // namespace

// ---- Driver-style use of both tables (compiled, never called) ---------------

NTSTATUS CppClientSetup(WDFDEVICE Device);
NTSTATUS CppServerSetup(WDFDEVICE Device);
NTSTATUS CppDirectCalls(PDEVICE_OBJECT Pdo);

NTSTATUS CppClientSetup(WDFDEVICE Device)
{
    KMCL_CLIENT_INTERFACE_V1 iface{};
    NTSTATUS status = WdfFdoQueryForInterface(Device, &KMCL_CLIENT_INTERFACE_TYPE,
                                              reinterpret_cast<PINTERFACE>(&iface),
                                              static_cast<USHORT>(sizeof(iface)),
                                              KMCL_CLIENT_INTERFACE_VERSION_LATEST, nullptr);
    if (!NT_SUCCESS(status) || iface.Size < sizeof(iface) || iface.Version != KMCL_CLIENT_INTERFACE_VERSION_V1) {
        return status;
    }
    g_kmcl = iface;

    VMBCHANNEL channel = nullptr;
    status = iface.VmbChannelAllocate(WdfDeviceWdmGetDeviceObject(Device), FALSE, &channel);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    static const WCHAR kName[] = u"CppCheck";
    UNICODE_STRING name{};
    name.Buffer = const_cast<PWSTR>(kName);
    name.Length = static_cast<USHORT>(sizeof(kName) - sizeof(WCHAR));
    name.MaximumLength = static_cast<USHORT>(sizeof(kName));

    VMB_CHANNEL_STATE_CHANGE_CALLBACKS callbacks;
    VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&callbacks);
    callbacks.EvtChannelOpened = CppOpened;
    callbacks.EvtChannelClosed = CppClosed;
    callbacks.EvtChannelSuspend = CppSuspend;
    callbacks.EvtChannelStarted = CppStarted;
    callbacks.EvtChannelPostStarted = CppPostStarted;

    (void)iface.VmbChannelInitSetStateChangeCallbacks(channel, &callbacks);
    (void)iface.VmbChannelInitSetProcessPacketCallbacks(channel, CppProcessPacket, CppProcessingComplete);
    (void)iface.VmbChannelInitSetFriendlyName(channel, &name);
    (void)iface.VmbChannelInitSetFlags(channel, VMBUS_CHANNEL_INIT_FLAGS);
    (void)iface.VmbChannelInitSetMaximumPacketSize(channel, 4096);
    (void)iface.VmbChannelInitSetMaximumExternalData(channel, 1u << 20, 8);
    (void)iface.VmbChannelInitSetClientContextSize(channel, 64);
    (void)iface.VmbClientChannelInitSetRingBufferPageCount(channel, 16, 16);
    (void)iface.VmbClientChannelInitSetTargetPnp(channel, &KMCL_SERVER_INTERFACE_TYPE, nullptr, CppPnpFailure);

    status = iface.VmbChannelEnable(channel);
    if (NT_SUCCESS(status)) {
        std::vector<UCHAR> payload(32);
        UINT32 gpadl = 0;
        if (NT_SUCCESS(iface.VmbChannelCreateGpadlFromBuffer(channel, VMBUS_CHANNEL_GPADL_FLAGS, payload.data(),
                                                             static_cast<UINT32>(payload.size()), &gpadl))) {
            iface.VmbChannelDeleteGpadl(channel, gpadl);
        }

        if (VMBPACKET packet = iface.VmbPacketAllocate(channel)) {
            iface.VmbPacketSetCompletionRoutine(packet, CppPacketCompletion);
            status = iface.VmbPacketSend(packet, payload.data(), static_cast<UINT32>(payload.size()), nullptr,
                                         VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
            if (!NT_SUCCESS(status)) {
                iface.VmbPacketFree(packet);
            }
        }

        UINT64 completion = 0;
        UINT32 completionSize = sizeof(completion);
        LARGE_INTEGER timeout{};
        timeout.QuadPart = -10 * 1000 * 1000;  // one second, relative
        status = iface.VmbChannelSendSynchronousRequest(channel, payload.data(), static_cast<UINT32>(payload.size()),
                                                        nullptr, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
                                                        &completion, &completionSize, &timeout);
        iface.VmbChannelDisable(channel);
    }
    iface.VmbChannelCleanup(channel);

    iface.InterfaceDereference(iface.Context);
    return status;
}

NTSTATUS CppServerSetup(WDFDEVICE Device)
{
    KMCL_SERVER_INTERFACE_V1 siface{};
    NTSTATUS status = WdfFdoQueryForInterface(Device, &KMCL_SERVER_INTERFACE_TYPE,
                                              reinterpret_cast<PINTERFACE>(&siface),
                                              static_cast<USHORT>(sizeof(siface)), KMCL_SERVER_INTERFACE_VERSION_V1,
                                              nullptr);
    if (!NT_SUCCESS(status) || siface.VmbChannelAllocate == nullptr) {
        return status;
    }
    g_kmclServer = siface;

    VMBCHANNEL channel = nullptr;
    status = siface.VmbChannelAllocate(nullptr, TRUE, &channel);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    const GUID instance{0xabcdef01, 0x2345, 0x4678, {0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78}};
    (void)siface.VmbServerChannelInitSetTargetInterfaceId(channel, KMCL_CLIENT_INTERFACE_TYPE, instance);
    (void)siface.VmbServerChannelInitSetFlags(channel, VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE);
    (void)siface.VmbServerChannelInitSetSaveRestorePacketCallbacks(channel, CppSavePacket, CppRestorePacket);
    (void)siface.VmbServerChannelInitSetMmioMegabytes(channel, 2, 0);
    (void)siface.VmbServerChannelInitSetTargetVtl(channel, 0);

    status = siface.VmbChannelEnable(channel);
    if (NT_SUCCESS(status)) {
        siface.VmbChannelStart(channel);
        PMDL mdl = nullptr;
        if (NT_SUCCESS(siface.VmbChannelMapGpadl(channel, 0, 7, &mdl))) {
            siface.VmbChannelUnmapGpadl(channel, 7);
        }
        siface.VmbChannelDisable(channel);
    }
    siface.VmbChannelCleanup(channel);
    siface.InterfaceDereference(siface.Context);
    return status;
}

NTSTATUS CppDirectCalls(PDEVICE_OBJECT Pdo)
{
    VMBCHANNEL channel = nullptr;
    NTSTATUS status = VmbChannelAllocate(Pdo, TRUE, &channel);
    if (NT_SUCCESS(status)) {
        (void)VmbServerChannelInitSetTargetInterfaceId(channel, KMCL_CLIENT_INTERFACE_TYPE, KMCL_SERVER_INTERFACE_TYPE);
        status = VmbChannelEnable(channel);
        VmbChannelDisable(channel);
        VmbChannelCleanup(channel);
    }
    return status;
}
