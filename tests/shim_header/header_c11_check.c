/*
 * header_c11_check.c - compile-only check that the KMCL shim headers work
 * for a C11 driver exactly as a Windows driver would use them: strict C11,
 * no -fms-extensions, -Wall -Wextra -Werror (and -pedantic-errors in ctest).
 *
 * Nothing here is ever run. Functions that call into KMCL are never called,
 * so the object file may contain undefined references to the direct-call
 * API; it is built as an object library and never linked.
 */
#include <ntddk.h>
#include <wdm.h>
#include <wdf.h>
#include <vmbuskernelmodeclientlibapi.h>

/* Including twice must be harmless. */
#include <vmbuskernelmodeclientlibapi.h>
#include <vmbsim_wdk.h>

#include <stddef.h>

/* ---- WDK base types ------------------------------------------------------ */

_Static_assert(sizeof(ULONG) == 4, "ULONG is 32-bit");
_Static_assert(sizeof(NTSTATUS) == 4, "NTSTATUS is 32-bit");
_Static_assert(sizeof(BOOLEAN) == 1, "BOOLEAN is one byte");
_Static_assert(sizeof(WCHAR) == 2, "WCHAR is 16-bit");
_Static_assert(sizeof(USHORT) == 2 && sizeof(UCHAR) == 1, "USHORT/UCHAR widths");
_Static_assert(sizeof(LONGLONG) == 8 && sizeof(ULONGLONG) == 8, "64-bit types");
_Static_assert(sizeof(UINT8) == 1 && sizeof(UINT16) == 2 && sizeof(UINT32) == 4 && sizeof(UINT64) == 8,
               "UINTn widths");
_Static_assert(sizeof(ULONG_PTR) == sizeof(void *), "ULONG_PTR is pointer-sized");
_Static_assert(sizeof(GUID) == 16, "GUID is 16 bytes");
_Static_assert(offsetof(LARGE_INTEGER, QuadPart) == 0, "QuadPart at 0");
_Static_assert(offsetof(LARGE_INTEGER, LowPart) == 0 && offsetof(LARGE_INTEGER, HighPart) == 4,
               "LowPart/HighPart halves");
_Static_assert(PASSIVE_LEVEL == 0 && APC_LEVEL == 1 && DISPATCH_LEVEL == 2, "IRQL numbers");
_Static_assert(TRUE == 1 && FALSE == 0, "TRUE/FALSE");

/* Status codes: documented ntstatus.h values and their NT_SUCCESS class. */
_Static_assert((ULONG)STATUS_SUCCESS == 0x00000000u && NT_SUCCESS(STATUS_SUCCESS), "SUCCESS");
_Static_assert((ULONG)STATUS_TIMEOUT == 0x00000102u && NT_SUCCESS(STATUS_TIMEOUT), "TIMEOUT");
_Static_assert((ULONG)STATUS_PENDING == 0x00000103u && NT_SUCCESS(STATUS_PENDING), "PENDING");
_Static_assert((ULONG)STATUS_BUFFER_OVERFLOW == 0x80000005u && !NT_SUCCESS(STATUS_BUFFER_OVERFLOW), "OVERFLOW");
_Static_assert((ULONG)STATUS_DEVICE_BUSY == 0x80000011u && !NT_SUCCESS(STATUS_DEVICE_BUSY), "BUSY");
_Static_assert((ULONG)STATUS_UNSUCCESSFUL == 0xC0000001u, "UNSUCCESSFUL");
_Static_assert((ULONG)STATUS_NOT_IMPLEMENTED == 0xC0000002u, "NOT_IMPLEMENTED");
_Static_assert((ULONG)STATUS_INVALID_HANDLE == 0xC0000008u, "INVALID_HANDLE");
_Static_assert((ULONG)STATUS_INVALID_PARAMETER == 0xC000000Du, "INVALID_PARAMETER");
_Static_assert((ULONG)STATUS_MORE_PROCESSING_REQUIRED == 0xC0000016u &&
                   !NT_SUCCESS(STATUS_MORE_PROCESSING_REQUIRED),
               "MORE_PROCESSING_REQUIRED");
_Static_assert((ULONG)STATUS_ACCESS_DENIED == 0xC0000022u, "ACCESS_DENIED");
_Static_assert((ULONG)STATUS_BUFFER_TOO_SMALL == 0xC0000023u, "BUFFER_TOO_SMALL");
_Static_assert((ULONG)STATUS_INSUFFICIENT_RESOURCES == 0xC000009Au, "INSUFFICIENT_RESOURCES");
_Static_assert((ULONG)STATUS_NOT_SUPPORTED == 0xC00000BBu, "NOT_SUPPORTED");
_Static_assert((ULONG)STATUS_INVALID_PARAMETER_1 == 0xC00000EFu, "INVALID_PARAMETER_1");
_Static_assert((ULONG)STATUS_INVALID_PARAMETER_2 == 0xC00000F0u, "INVALID_PARAMETER_2");
_Static_assert((ULONG)STATUS_INVALID_PARAMETER_3 == 0xC00000F1u, "INVALID_PARAMETER_3");
_Static_assert((ULONG)STATUS_INVALID_PARAMETER_4 == 0xC00000F2u, "INVALID_PARAMETER_4");
_Static_assert((ULONG)STATUS_INVALID_PARAMETER_5 == 0xC00000F3u, "INVALID_PARAMETER_5");
_Static_assert((ULONG)STATUS_INVALID_PARAMETER_6 == 0xC00000F4u, "INVALID_PARAMETER_6");
_Static_assert((ULONG)STATUS_INVALID_PARAMETER_7 == 0xC00000F5u, "INVALID_PARAMETER_7");
_Static_assert((ULONG)STATUS_INVALID_PARAMETER_8 == 0xC00000F6u, "INVALID_PARAMETER_8");
_Static_assert((ULONG)STATUS_CANCELLED == 0xC0000120u, "CANCELLED");
_Static_assert((ULONG)STATUS_INVALID_DEVICE_STATE == 0xC0000184u, "INVALID_DEVICE_STATE");
_Static_assert((ULONG)STATUS_DEVICE_REMOVED == 0xC00002B6u, "DEVICE_REMOVED");

/* ---- KMCL constants (kmcl-api.md section 4) ------------------------------ */

_Static_assert(VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION == 0x1, "WAIT_FOR_COMPLETION");
_Static_assert(VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH == 0x2, "FORCE_MDL_LENGTH");
_Static_assert(VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER == 0x4, "PAGED_BUFFER");
_Static_assert(VMBUS_CHANNEL_FORMAT_FLAGS == 0x7, "FORMAT_FLAGS");
_Static_assert(VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY == 0x1 && VMBUS_CHANNEL_GPADL_FLAGS == 0x1, "GPADL flags");
_Static_assert(VMBUS_CHANNEL_INIT_FLAG_IS_PIPE == 0x1 && VMBUS_CHANNEL_INIT_FLAGS == 0x1, "init flags");
_Static_assert(VMBUS_SERVER_CHANNEL_INIT_FLAG_LOOPBACK_OFFER == 0x1, "LOOPBACK_OFFER");
_Static_assert(VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE == 0x2, "ENUMERATE_DEVICE_INTERFACE");
_Static_assert(VMBUS_SERVER_CHANNEL_INIT_FLAG_OFFER_AS_PIPE == 0x4, "OFFER_AS_PIPE");
_Static_assert(VMBUS_SERVER_CHANNEL_INIT_FLAG_FORCE_NEW_CHANNEL == 0x8, "FORCE_NEW_CHANNEL");
_Static_assert(VMBUS_SERVER_CHANNEL_INIT_FLAG_TLNPI_PROVIDER_OFFER == 0x10, "TLNPI_PROVIDER_OFFER");
_Static_assert(VMBUS_SERVER_CHANNEL_INIT_FLAGS == 0x1F, "SERVER_CHANNEL_INIT_FLAGS");
_Static_assert(VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA == 0x1 && VMBUS_CHANNEL_PROCESS_PACKET_FLAGS == 0x1,
               "process-packet flags");
_Static_assert(VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY == 0x1 &&
                   VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAGS == 0x1,
               "external-data flags");
_Static_assert(VMBUS_SERVER_CHANNEL_INIT_MAXIMUM_OFFER_DATA == 120, "MAXIMUM_OFFER_DATA");
_Static_assert(KMCL_CLIENT_INTERFACE_VERSION_V1 == 1 && KMCL_CLIENT_INTERFACE_VERSION_LATEST == 1 &&
                   KMCL_SERVER_INTERFACE_VERSION_V1 == 1,
               "interface versions");

/* ---- Layouts (x64 numbers from kmcl-api.md section 5) -------------------- */

#if VMBSIM_TARGET_64BIT
_Static_assert(sizeof(INTERFACE) == 0x20, "INTERFACE");
_Static_assert(sizeof(MDL) == 0x30, "MDL");
_Static_assert(offsetof(MDL, MappedSystemVa) == 0x18 && offsetof(MDL, StartVa) == 0x20 &&
                   offsetof(MDL, ByteOffset) == 0x2C,
               "MDL fields");
_Static_assert(sizeof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS) == 0x30, "callbacks struct");
_Static_assert(offsetof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS, Size) == 0x04, "callbacks Size");
_Static_assert(offsetof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS, EvtChannelSuspend) == 0x18, "callbacks Suspend");
_Static_assert(sizeof(KMCL_CLIENT_INTERFACE_V1) == 0x168, "client table size");
_Static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, Version) == 0x02, "Version");
_Static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, InterfaceReference) == 0x10, "InterfaceReference");
_Static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbChannelEnable) == 0x50, "VmbChannelEnable");
_Static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbChannelSendSynchronousRequest) == 0xD0,
               "VmbChannelSendSynchronousRequest");
_Static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbClientChannelInitSetTargetPnp) == 0x110,
               "VmbClientChannelInitSetTargetPnp");
_Static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbPacketSendWithExternalPfns) == 0x150,
               "VmbPacketSendWithExternalPfns");
_Static_assert(sizeof(KMCL_SERVER_ONLY_METHODS) == 0x70, "server-only size");
_Static_assert(offsetof(KMCL_SERVER_ONLY_METHODS, VmbPacketRestore) == 0x38, "server-only VmbPacketRestore");
_Static_assert(sizeof(KMCL_SERVER_INTERFACE_V1) == 0x1D8, "server table size");
_Static_assert(offsetof(KMCL_SERVER_INTERFACE_V1, Context) == 0x08, "server Context");
_Static_assert(offsetof(KMCL_SERVER_INTERFACE_V1, VmbChannelMapGpadl) == 0x168, "server VmbChannelMapGpadl");
_Static_assert(offsetof(KMCL_SERVER_INTERFACE_V1, VmbChannelSaveContinue) == 0x180, "server VmbChannelSaveContinue");
_Static_assert(offsetof(KMCL_SERVER_INTERFACE_V1, VmbServerChannelInitSetTargetVtl) == 0x1C8,
               "server VmbServerChannelInitSetTargetVtl");
#endif

/* ---- Handles are distinct types ----------------------------------------- */

#define C11_IS_TYPE(expr, type) _Generic((expr), type: 1, default: 0)

_Static_assert(C11_IS_TYPE((VMBCHANNEL)0, VMBCHANNEL) && !C11_IS_TYPE((VMBCHANNEL)0, VMBPACKET) &&
                   !C11_IS_TYPE((VMBPACKET)0, VMBPACKETCOMPLETION) && !C11_IS_TYPE((WDFDEVICE)0, VMBCHANNEL),
               "handles must be distinct types");

/* ---- Direct-call declarations have exactly the table's pointer types ---- */
/* (_Generic does not evaluate its operand, so no symbol is referenced.)     */

#define C11_CHECK_DIRECT(name, pfn) \
    _Static_assert(C11_IS_TYPE(&name, pfn), #name " must have type " #pfn)

C11_CHECK_DIRECT(VmbChannelAllocate, PFN_VMB_CHANNEL_ALLOCATE);
C11_CHECK_DIRECT(VmbChannelCleanup, PFN_VMB_CHANNEL_CLEANUP);
C11_CHECK_DIRECT(VmbChannelCreateGpadlFromBuffer, PFN_VMB_CHANNEL_CREATE_GPADL_FROM_BUFFER);
C11_CHECK_DIRECT(VmbChannelCreateGpadlFromMdl, PFN_VMB_CHANNEL_CREATE_GPADL_FROM_MDL);
C11_CHECK_DIRECT(VmbChannelDeleteGpadl, PFN_VMB_CHANNEL_DELETE_GPADL);
C11_CHECK_DIRECT(VmbChannelDisable, PFN_VMB_CHANNEL_DISABLE);
C11_CHECK_DIRECT(VmbChannelEnable, PFN_VMB_CHANNEL_ENABLE);
C11_CHECK_DIRECT(VmbChannelGetInterfaceInstance, PFN_VMB_CHANNEL_GET_INTERFACE_INSTANCE);
C11_CHECK_DIRECT(VmbChannelGetMmioSpace, PFN_VMB_CHANNEL_GET_MMIO_SPACE);
C11_CHECK_DIRECT(VmbChannelGetPointer, PFN_VMB_CHANNEL_GET_POINTER);
C11_CHECK_DIRECT(VmbChannelInitSetClientContextSize, PFN_VMB_CHANNEL_INIT_SET_CLIENT_CONTEXT_SIZE);
C11_CHECK_DIRECT(VmbChannelInitSetFlags, PFN_VMB_CHANNEL_INIT_SET_FLAGS);
C11_CHECK_DIRECT(VmbChannelInitSetFriendlyName, PFN_VMB_CHANNEL_INIT_SET_FRIENDLY_NAME);
C11_CHECK_DIRECT(VmbChannelInitSetMaximumExternalData, PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_EXTERNAL_DATA);
C11_CHECK_DIRECT(VmbChannelInitSetMaximumPacketSize, PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_SIZE);
C11_CHECK_DIRECT(VmbChannelInitSetProcessPacketCallbacks, PFN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS);
C11_CHECK_DIRECT(VmbChannelInitSetStateChangeCallbacks, PFN_VMB_CHANNEL_INIT_SET_STATE_CHANGE_CALLBACKS);
C11_CHECK_DIRECT(VmbChannelPacketComplete, PFN_VMB_CHANNEL_PACKET_COMPLETE);
C11_CHECK_DIRECT(VmbChannelPacketDeferToPassive, PFN_VMB_CHANNEL_PACKET_DEFER_TO_PASSIVE);
C11_CHECK_DIRECT(VmbChannelPacketFail, PFN_VMB_CHANNEL_PACKET_FAIL);
C11_CHECK_DIRECT(VmbChannelPacketGetExternalData, PFN_VMB_CHANNEL_PACKET_GET_EXTERNAL_DATA);
C11_CHECK_DIRECT(VmbChannelPause, PFN_VMB_CHANNEL_PAUSE);
C11_CHECK_DIRECT(VmbChannelSendSynchronousRequest, PFN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST);
C11_CHECK_DIRECT(VmbChannelSetIncomingProcessingAtPassive, PFN_VMB_CHANNEL_SET_INCOMING_PROCESSING_AT_PASSIVE);
C11_CHECK_DIRECT(VmbChannelSetInterruptLatency, PFN_VMB_CHANNEL_SET_INTERRUPT_LATENCY);
C11_CHECK_DIRECT(VmbChannelSetPointer, PFN_VMB_CHANNEL_SET_POINTER);
C11_CHECK_DIRECT(VmbChannelSetTransactionQuota, PFN_VMB_CHANNEL_SET_TRANSACTION_QUOTA);
C11_CHECK_DIRECT(VmbChannelSizeofPacket, PFN_VMB_CHANNEL_SIZEOF_PACKET);
C11_CHECK_DIRECT(VmbChannelStart, PFN_VMB_CHANNEL_START);
C11_CHECK_DIRECT(VmbClientChannelInitSetRingBufferPageCount, PFN_VMB_CLIENT_CHANNEL_INIT_SET_RING_BUFFER_PAGE_COUNT);
C11_CHECK_DIRECT(VmbClientChannelInitSetTargetPnp, PFN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PNP);
C11_CHECK_DIRECT(VmbPacketAllocate, PFN_VMB_PACKET_ALLOCATE);
C11_CHECK_DIRECT(VmbPacketFree, PFN_VMB_PACKET_FREE);
C11_CHECK_DIRECT(VmbPacketGetChannel, PFN_VMB_PACKET_GET_CHANNEL);
C11_CHECK_DIRECT(VmbPacketGetPointer, PFN_VMB_PACKET_GET_POINTER);
C11_CHECK_DIRECT(VmbPacketInitialize, PFN_VMB_PACKET_INITIALIZE);
C11_CHECK_DIRECT(VmbPacketSend, PFN_VMB_PACKET_SEND);
C11_CHECK_DIRECT(VmbPacketSendWithExternalMdl, PFN_VMB_PACKET_SEND_WITH_EXTERNAL_MDL);
C11_CHECK_DIRECT(VmbPacketSendWithExternalPfns, PFN_VMB_PACKET_SEND_WITH_EXTERNAL_PFNS);
C11_CHECK_DIRECT(VmbPacketSetCompletionRoutine, PFN_VMB_PACKET_SET_COMPLETION_ROUTINE);
C11_CHECK_DIRECT(VmbPacketSetPointer, PFN_VMB_PACKET_SET_POINTER);
C11_CHECK_DIRECT(VmbChannelMapGpadl, PFN_VMB_CHANNEL_MAP_GPADL);
C11_CHECK_DIRECT(VmbChannelRestoreFromBuffer, PFN_VMB_CHANNEL_RESTORE_FROM_BUFFER);
C11_CHECK_DIRECT(VmbChannelSaveBegin, PFN_VMB_CHANNEL_SAVE_BEGIN);
C11_CHECK_DIRECT(VmbChannelSaveContinue, PFN_VMB_CHANNEL_SAVE_CONTINUE);
C11_CHECK_DIRECT(VmbChannelSaveEnd, PFN_VMB_CHANNEL_SAVE_END);
C11_CHECK_DIRECT(VmbChannelUnmapGpadl, PFN_VMB_CHANNEL_UNMAP_GPADL);
C11_CHECK_DIRECT(VmbConvertVmbusHandleToKernelHandle, PFN_VMB_CONVERT_VMBUS_HANDLE_TO_KERNEL_HANDLE);
C11_CHECK_DIRECT(VmbPacketRestore, PFN_VMB_PACKET_RESTORE);
C11_CHECK_DIRECT(VmbServerChannelInitSetFlags, PFN_VMB_SERVER_CHANNEL_INIT_SET_FLAGS);
C11_CHECK_DIRECT(VmbServerChannelInitSetMmioMegabytes, PFN_VMB_SERVER_CHANNEL_INIT_SET_MMIO_MEGABYTES);
C11_CHECK_DIRECT(VmbServerChannelInitSetSaveRestorePacketCallbacks,
                 PFN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS);
C11_CHECK_DIRECT(VmbServerChannelInitSetTargetInterfaceId, PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID);
C11_CHECK_DIRECT(VmbServerChannelInitSetTargetVtl, PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_VTL);
C11_CHECK_DIRECT(VmbServerChannelInitSetVmbusHandle, PFN_VMB_SERVER_CHANNEL_INIT_SET_VMBUS_HANDLE);

/* Redeclaring with the spelled-out prototype must be compatible (catches a
 * parameter-type drift such as GUID passed by pointer, or ULONG vs UINT32). */
NTSTATUS VmbServerChannelInitSetTargetInterfaceId(VMBCHANNEL Channel, GUID InterfaceType, GUID InterfaceInstance);
NTSTATUS VmbChannelSaveContinue(VMBCHANNEL Channel, PVOID SaveBuffer, ULONG SaveBufferSize, PULONG BytesFilled,
                                PULONG BytesRequired);
NTSTATUS VmbChannelSendSynchronousRequest(VMBCHANNEL Channel, PVOID Buffer, UINT32 BufferSize, PMDL ExternalDataMdl,
                                          UINT32 Flags, PVOID CompletionBuffer, PUINT32 CompletionBufferSize,
                                          PLARGE_INTEGER Timeout);

/* ---- Callbacks declared the driver way, through the EVT_ function types -- */

EVT_VMB_CHANNEL_OPENED C11Opened;
EVT_VMB_CHANNEL_CLOSED C11Closed;
EVT_VMB_CHANNEL_SUSPEND C11Suspend;
EVT_VMB_CHANNEL_STARTED C11Started;
EVT_VMB_CHANNEL_POST_STARTED C11PostStarted;
EVT_VMB_CHANNEL_PROCESS_PACKET C11ProcessPacket;
EVT_VMB_CHANNEL_PROCESSING_COMPLETE C11ProcessingComplete;
EVT_VMB_PACKET_COMPLETION_ROUTINE C11PacketCompletion;
EVT_VMB_CHANNEL_SAVE_PACKET C11SavePacket;
EVT_VMB_CHANNEL_RESTORE_PACKET C11RestorePacket;
EVT_VMB_CHANNEL_PNP_FAILURE C11PnpFailure;

/* The table the callbacks below reach KMCL through; filled by the query. */
static KMCL_CLIENT_INTERFACE_V1 g_Kmcl;
static KMCL_SERVER_INTERFACE_V1 g_KmclServer;

_Use_decl_annotations_
NTSTATUS C11Opened(VMBCHANNEL Channel)
{
    (void)Channel;
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID C11Closed(VMBCHANNEL Channel)
{
    (void)Channel;
}

_Use_decl_annotations_
VOID C11Suspend(VMBCHANNEL Channel)
{
    (void)Channel;
}

_Use_decl_annotations_
VOID C11Started(VMBCHANNEL Channel)
{
    (void)Channel;
}

_Use_decl_annotations_
VOID C11PostStarted(VMBCHANNEL Channel)
{
    (void)Channel;
}

_Use_decl_annotations_
VOID C11ProcessPacket(VMBCHANNEL Channel, VMBPACKETCOMPLETION Packet, PVOID Buffer, UINT32 BufferLength, UINT32 Flags)
{
    PMDL mdl = NULL;
    (void)Channel;
    (void)Buffer;
    (void)BufferLength;
    if (g_Kmcl.VmbChannelPacketComplete == NULL) {
        return;
    }
    if ((Flags & VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA) != 0 &&
        (Flags & ~VMBUS_CHANNEL_PROCESS_PACKET_FLAGS) == 0) {
        NTSTATUS status = g_Kmcl.VmbChannelPacketGetExternalData(
            Packet, VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY & VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAGS, &mdl);
        if (status == STATUS_PENDING) {
            return; /* redelivered later */
        }
        if (!NT_SUCCESS(status)) {
            g_Kmcl.VmbChannelPacketFail(Packet);
            return;
        }
    }
    if (mdl != NULL && mdl->ByteCount == 0) {
        g_Kmcl.VmbChannelPacketDeferToPassive(Packet);
        return;
    }
    g_Kmcl.VmbChannelPacketComplete(Packet, NULL, 0);
}

_Use_decl_annotations_
VOID C11ProcessingComplete(VMBCHANNEL Channel, UINT32 PacketsProcessed)
{
    (void)Channel;
    (void)PacketsProcessed;
}

_Use_decl_annotations_
VOID C11PacketCompletion(VMBPACKET Packet, NTSTATUS Status, PVOID Buffer, UINT32 BufferLength)
{
    (void)Status;
    (void)Buffer;
    (void)BufferLength;
    if (g_Kmcl.VmbPacketFree != NULL) {
        g_Kmcl.VmbPacketFree(Packet);
    }
}

_Use_decl_annotations_
NTSTATUS C11SavePacket(VMBCHANNEL Channel, VMBPACKET Packet, PVOID SaveBuf, UINT32 SaveBufSize, PUINT32 BytesNeeded)
{
    (void)Channel;
    (void)Packet;
    (void)SaveBuf;
    *BytesNeeded = 8;
    return SaveBufSize < 8 ? STATUS_BUFFER_TOO_SMALL : STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS C11RestorePacket(VMBCHANNEL Channel, PVOID LibBuf, UINT32 LibBufSize, PVOID SaveBuf, UINT32 SaveBufSize)
{
    VMBPACKET packet;
    (void)SaveBuf;
    (void)SaveBufSize;
    if (g_KmclServer.VmbPacketAllocate == NULL) {
        return STATUS_NOT_SUPPORTED;
    }
    packet = g_KmclServer.VmbPacketAllocate(Channel);
    if (packet == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    return g_KmclServer.VmbPacketRestore(packet, LibBuf, LibBufSize);
}

_Use_decl_annotations_
VOID C11PnpFailure(VMBCHANNEL Channel, NTSTATUS FailureStatus)
{
    (void)Channel;
    (void)FailureStatus;
}

/* ---- Driver-style use of the client table (compiled, never called) ------ */

NTSTATUS C11ClientSetup(WDFDEVICE Device);

NTSTATUS C11ClientSetup(WDFDEVICE Device)
{
    KMCL_CLIENT_INTERFACE_V1 iface = {0};
    VMB_CHANNEL_STATE_CHANGE_CALLBACKS callbacks;
    static const WCHAR nameText[] = u"C11Check";
    UNICODE_STRING name;
    VMBCHANNEL channel = NULL;
    VMBPACKET packet;
    GUID instance;
    UINT16 oldLatency = 0;
    UINT32 completionSize = 8;
    UINT64 mmioBase = 0;
    UINT64 mmioSize = 0;
    UINT32 gpadl = 0;
    UCHAR payload[16] = {0};
    UCHAR completion[8];
    PFN_NUMBER pfns[1] = {0};
    MDL mdl = {0};
    LARGE_INTEGER timeout;
    NTSTATUS status;

    status = WdfFdoQueryForInterface(Device, &KMCL_CLIENT_INTERFACE_TYPE, (PINTERFACE)&iface,
                                     (USHORT)sizeof(iface), KMCL_CLIENT_INTERFACE_VERSION_V1, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    g_Kmcl = iface;

    /* The INTERFACE members are reachable without -fms-extensions. */
    if (iface.Size != sizeof(iface) || iface.Version != KMCL_CLIENT_INTERFACE_VERSION_LATEST ||
        iface.Context == NULL) {
        return STATUS_NOT_SUPPORTED;
    }

    status = iface.VmbChannelAllocate(WdfDeviceWdmGetDeviceObject(Device), FALSE, &channel);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    name.Buffer = (PWSTR)nameText;
    name.Length = (USHORT)(sizeof(nameText) - sizeof(WCHAR));
    name.MaximumLength = (USHORT)sizeof(nameText);

    VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&callbacks);
    callbacks.EvtChannelOpened = C11Opened;
    callbacks.EvtChannelClosed = C11Closed;
    callbacks.EvtChannelSuspend = C11Suspend;
    callbacks.EvtChannelStarted = C11Started;
    callbacks.EvtChannelPostStarted = C11PostStarted;

    (void)iface.VmbChannelInitSetStateChangeCallbacks(channel, &callbacks);
    (void)iface.VmbChannelInitSetProcessPacketCallbacks(channel, C11ProcessPacket, C11ProcessingComplete);
    (void)iface.VmbChannelInitSetFriendlyName(channel, &name);
    (void)iface.VmbChannelInitSetFlags(channel, VMBUS_CHANNEL_INIT_FLAG_IS_PIPE & VMBUS_CHANNEL_INIT_FLAGS);
    (void)iface.VmbChannelInitSetMaximumPacketSize(channel, 4096);
    (void)iface.VmbChannelInitSetMaximumExternalData(channel, 65536, 4);
    (void)iface.VmbChannelInitSetClientContextSize(channel, 0);
    (void)iface.VmbClientChannelInitSetRingBufferPageCount(channel, 8, 8);
    (void)iface.VmbClientChannelInitSetTargetPnp(channel, &KMCL_CLIENT_INTERFACE_TYPE, NULL, C11PnpFailure);
    iface.VmbChannelSetIncomingProcessingAtPassive(channel, TRUE);
    iface.VmbChannelSetTransactionQuota(channel, 16);
    iface.VmbChannelSetPointer(channel, &iface);

    status = iface.VmbChannelEnable(channel);
    if (!NT_SUCCESS(status)) {
        iface.VmbChannelCleanup(channel);
        return status;
    }
    iface.VmbChannelStart(channel);

    (void)iface.VmbChannelGetPointer(channel);
    iface.VmbChannelGetInterfaceInstance(channel, &instance);
    iface.VmbChannelGetMmioSpace(channel, &mmioBase, &mmioSize);
    status = iface.VmbChannelSetInterruptLatency(channel, 100, &oldLatency);
    (void)status;

    status = iface.VmbChannelCreateGpadlFromBuffer(channel, VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY, payload,
                                                   (UINT32)sizeof(payload), &gpadl);
    if (NT_SUCCESS(status)) {
        iface.VmbChannelDeleteGpadl(channel, gpadl);
    }
    status = iface.VmbChannelCreateGpadlFromMdl(channel, VMBUS_CHANNEL_GPADL_FLAGS & 0, &mdl, 0, 0, &gpadl);
    if (NT_SUCCESS(status)) {
        iface.VmbChannelDeleteGpadl(channel, gpadl);
    }

    packet = iface.VmbPacketAllocate(channel);
    if (packet != NULL) {
        iface.VmbPacketSetPointer(packet, NULL);
        (void)iface.VmbPacketGetPointer(packet);
        (void)iface.VmbPacketGetChannel(packet);
        iface.VmbPacketSetCompletionRoutine(packet, C11PacketCompletion);
        status = iface.VmbPacketSend(packet, payload, (UINT32)sizeof(payload), NULL,
                                     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION |
                                         VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER);
        if (!NT_SUCCESS(status)) {
            iface.VmbPacketFree(packet);
        }
    }
    packet = iface.VmbPacketAllocate(channel);
    if (packet != NULL) {
        status = iface.VmbPacketSendWithExternalMdl(packet, payload, (UINT32)sizeof(payload), &mdl, 0, 0,
                                                    VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION |
                                                        VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH);
        (void)status;
    }
    packet = iface.VmbPacketAllocate(channel);
    if (packet != NULL) {
        status = iface.VmbPacketSendWithExternalPfns(packet, payload, (UINT32)sizeof(payload), pfns, 1,
                                                     VMBUS_CHANNEL_FORMAT_FLAGS & 1);
        (void)status;
    }
    {
        UINT32 bytes = iface.VmbChannelSizeofPacket(channel);
        static UCHAR storage[1024];
        if (bytes <= sizeof(storage)) {
            (void)iface.VmbPacketInitialize(channel, (VMBPACKET)storage, bytes);
        }
    }

    timeout.QuadPart = 0;
    timeout.LowPart = 0;
    timeout.HighPart = 0;
    timeout.u.LowPart = timeout.LowPart;
    status = iface.VmbChannelSendSynchronousRequest(channel, payload, (UINT32)sizeof(payload), NULL,
                                                    VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION, completion,
                                                    &completionSize, &timeout);
    (void)status;

    iface.VmbChannelPause(channel);
    iface.VmbChannelDisable(channel);
    iface.VmbChannelCleanup(channel);

    /* Done with the table: drop the reference the provider took. */
    if (iface.InterfaceDereference != NULL) {
        iface.InterfaceDereference(iface.Context);
    }
    if (iface.InterfaceReference != NULL) {
        iface.InterfaceReference(iface.Context);
    }
    return STATUS_SUCCESS;
}

/* ---- Driver-style use of the server table (compiled, never called) ------ */

NTSTATUS C11ServerSetup(WDFDEVICE Device, HANDLE UserVmbusHandle);

NTSTATUS C11ServerSetup(WDFDEVICE Device, HANDLE UserVmbusHandle)
{
    KMCL_SERVER_INTERFACE_V1 siface = {0};
    PKMCL_CLIENT_INTERFACE_V1 asClient = (PKMCL_CLIENT_INTERFACE_V1)&siface;
    VMBCHANNEL channel = NULL;
    HANDLE kernelHandle = NULL;
    PMDL mapped = NULL;
    UCHAR saveBuffer[256];
    ULONG filled = 0;
    ULONG required = 0;
    NTSTATUS status;
    const GUID instance = {0x12345678, 0x1234, 0x4234, {0x80, 0, 0, 0, 0, 0, 0, 1}};

    status = WdfFdoQueryForInterface(Device, &KMCL_SERVER_INTERFACE_TYPE, (PINTERFACE)&siface,
                                     (USHORT)sizeof(siface), KMCL_SERVER_INTERFACE_VERSION_V1, NULL);
    if (!NT_SUCCESS(status) || siface.VmbChannelAllocate == NULL) {
        return status;
    }
    g_KmclServer = siface;

    status = siface.VmbChannelAllocate(WdfDeviceWdmGetDeviceObject(Device), TRUE, &channel);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    (void)siface.VmbServerChannelInitSetTargetInterfaceId(channel, KMCL_CLIENT_INTERFACE_TYPE, instance);
    (void)siface.VmbServerChannelInitSetFlags(channel, VMBUS_SERVER_CHANNEL_INIT_FLAG_LOOPBACK_OFFER |
                                                           VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE |
                                                           VMBUS_SERVER_CHANNEL_INIT_FLAG_OFFER_AS_PIPE |
                                                           VMBUS_SERVER_CHANNEL_INIT_FLAG_FORCE_NEW_CHANNEL |
                                                           VMBUS_SERVER_CHANNEL_INIT_FLAG_TLNPI_PROVIDER_OFFER);
    (void)siface.VmbServerChannelInitSetFlags(channel, VMBUS_SERVER_CHANNEL_INIT_FLAGS);
    (void)siface.VmbServerChannelInitSetMmioMegabytes(channel, 1, 0);
    (void)siface.VmbServerChannelInitSetSaveRestorePacketCallbacks(channel, C11SavePacket, C11RestorePacket);
    (void)siface.VmbServerChannelInitSetTargetVtl(channel, 0);
    status = siface.VmbConvertVmbusHandleToKernelHandle(UserVmbusHandle, &kernelHandle);
    if (NT_SUCCESS(status)) {
        (void)siface.VmbServerChannelInitSetVmbusHandle(channel, kernelHandle);
    }

    status = asClient->VmbChannelEnable(channel);
    if (NT_SUCCESS(status)) {
        siface.VmbChannelStart(channel);
    }

    status = siface.VmbChannelMapGpadl(channel, VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY, 1, &mapped);
    if (NT_SUCCESS(status) && mapped != NULL) {
        siface.VmbChannelUnmapGpadl(channel, 1);
    }

    status = siface.VmbChannelSaveBegin(channel);
    if (NT_SUCCESS(status)) {
        do {
            status = siface.VmbChannelSaveContinue(channel, saveBuffer, (ULONG)sizeof(saveBuffer), &filled,
                                                   &required);
        } while (status == STATUS_BUFFER_OVERFLOW);
        siface.VmbChannelSaveEnd(channel);
    }
    status = siface.VmbChannelRestoreFromBuffer(channel, saveBuffer, filled);
    if (status == STATUS_MORE_PROCESSING_REQUIRED) {
        status = STATUS_SUCCESS;
    }

    siface.VmbChannelDisable(channel);
    siface.VmbChannelCleanup(channel);
    siface.InterfaceDereference(siface.Context);
    return status;
}

/* ---- Direct calls, as with the static library (compiled, never called) -- */

NTSTATUS C11DirectCalls(PDEVICE_OBJECT Pdo);

NTSTATUS C11DirectCalls(PDEVICE_OBJECT Pdo)
{
    VMBCHANNEL channel = NULL;
    VMBPACKET packet;
    NTSTATUS status = VmbChannelAllocate(Pdo, FALSE, &channel);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    (void)VmbChannelInitSetMaximumPacketSize(channel, 512);
    status = VmbChannelEnable(channel);
    packet = VmbPacketAllocate(channel);
    if (packet != NULL) {
        VmbPacketFree(packet);
    }
    VmbChannelDisable(channel);
    VmbChannelCleanup(channel);
    return status;
}
