/*
 * vmbuskernelmodeclientlibapi.h - vmbsim's version of the VMBus Kernel Mode
 * Client Library (KMCL) header.
 *
 * A Windows VMBus driver includes this file unchanged. It declares the same
 * names, types, parameter lists, constants and interface-table layouts as the
 * WDK header of that name, so the driver's C or C++ source compiles on Linux
 * and runs against the vmbsim simulator instead of Vmbkmcl.sys.
 *
 * Sections follow docs kmcl-api.md (section numbers in brackets):
 *   [2.1] handles  [2.3] callbacks  [2.4] state-change callbacks struct
 *   [3]   function types and direct-call declarations  [4] constants
 *   [5]   interface tables and their identifiers
 *
 * The file is self-contained: it pulls in the WDK base types it needs.
 */
#ifndef VMBSIM_VMBUSKERNELMODECLIENTLIBAPI_H
#define VMBSIM_VMBUSKERNELMODECLIENTLIBAPI_H

#include <string.h> /* memset, for VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT */

#include "vmbsim_wdk.h"

VMBSIM_EXTERN_C_START

/* ========================================================================= */
/* [4] Constants. Plain int macros, as in the WDK, so they compare cleanly  */
/* with both signed and unsigned driver variables. Each *_FLAGS name is the */
/* mask of all valid bits for that parameter.                               */
/* ========================================================================= */

/* [4.1] Flags of VmbPacketSend* and VmbChannelSendSynchronousRequest. */
#ifndef VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION 0x1 /* transaction ends with the peer's completion */
#endif
#ifndef VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH
#define VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH 0x2    /* use MdlLength even past ByteCount (first MDL only) */
#endif
#ifndef VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER
#define VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER 0x4        /* inline buffer is pageable; copy it at PASSIVE */
#endif
#ifndef VMBUS_CHANNEL_FORMAT_FLAGS
#define VMBUS_CHANNEL_FORMAT_FLAGS                                                        \
    (VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION | VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH | \
     VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER)
#endif

/* [4.2] Flags of VmbChannelCreateGpadlFrom* and VmbChannelMapGpadl. */
#ifndef VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY
#define VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY 0x1 /* create: hint only; map: request no write access */
#endif
#ifndef VMBUS_CHANNEL_GPADL_FLAGS
#define VMBUS_CHANNEL_GPADL_FLAGS VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY
#endif

/* [4.3] Flags of VmbChannelInitSetFlags (either endpoint). */
#ifndef VMBUS_CHANNEL_INIT_FLAG_IS_PIPE
#define VMBUS_CHANNEL_INIT_FLAG_IS_PIPE 0x1 /* pipe mode: no transactions, no memory descriptors */
#endif
#ifndef VMBUS_CHANNEL_INIT_FLAGS
#define VMBUS_CHANNEL_INIT_FLAGS VMBUS_CHANNEL_INIT_FLAG_IS_PIPE
#endif

/* [4.4] Flags of VmbServerChannelInitSetFlags (server endpoint only). */
#ifndef VMBUS_SERVER_CHANNEL_INIT_FLAG_LOOPBACK_OFFER
#define VMBUS_SERVER_CHANNEL_INIT_FLAG_LOOPBACK_OFFER 0x1             /* undocumented; accepted */
#endif
#ifndef VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE
#define VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE 0x2 /* guest gets a device interface */
#endif
#ifndef VMBUS_SERVER_CHANNEL_INIT_FLAG_OFFER_AS_PIPE
#define VMBUS_SERVER_CHANNEL_INIT_FLAG_OFFER_AS_PIPE 0x4              /* offer in pipe mode */
#endif
#ifndef VMBUS_SERVER_CHANNEL_INIT_FLAG_FORCE_NEW_CHANNEL
#define VMBUS_SERVER_CHANNEL_INIT_FLAG_FORCE_NEW_CHANNEL 0x8          /* re-offer as new after restore */
#endif
#ifndef VMBUS_SERVER_CHANNEL_INIT_FLAG_TLNPI_PROVIDER_OFFER
#define VMBUS_SERVER_CHANNEL_INIT_FLAG_TLNPI_PROVIDER_OFFER 0x10      /* channel provides a socket interface */
#endif
#ifndef VMBUS_SERVER_CHANNEL_INIT_FLAGS
#define VMBUS_SERVER_CHANNEL_INIT_FLAGS                                                               \
    (VMBUS_SERVER_CHANNEL_INIT_FLAG_LOOPBACK_OFFER | VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE | \
     VMBUS_SERVER_CHANNEL_INIT_FLAG_OFFER_AS_PIPE | VMBUS_SERVER_CHANNEL_INIT_FLAG_FORCE_NEW_CHANNEL |          \
     VMBUS_SERVER_CHANNEL_INIT_FLAG_TLNPI_PROVIDER_OFFER)
#endif

/* [4.5] Flags passed to EvtVmbChannelProcessPacket. */
#ifndef VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA
#define VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA 0x1 /* fetch it with VmbChannelPacketGetExternalData */
#endif
#ifndef VMBUS_CHANNEL_PROCESS_PACKET_FLAGS
#define VMBUS_CHANNEL_PROCESS_PACKET_FLAGS VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA
#endif

/* [4.6] Flags of VmbChannelPacketGetExternalData. */
#ifndef VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY
#define VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY 0x1 /* map the returned MDL read-only */
#endif
#ifndef VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAGS
#define VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAGS VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY
#endif

/* [4.7] Largest number of extra bytes a channel offer can carry. */
#ifndef VMBUS_SERVER_CHANNEL_INIT_MAXIMUM_OFFER_DATA
#define VMBUS_SERVER_CHANNEL_INIT_MAXIMUM_OFFER_DATA 120
#endif

/* [4.9] Interface versions to pass to the interface query. The sources give
 * no numbers; vmbsim uses V1 = 1, and LATEST is the newest version vmbsim
 * implements. */
#ifndef KMCL_CLIENT_INTERFACE_VERSION_V1
#define KMCL_CLIENT_INTERFACE_VERSION_V1 1
#endif
#ifndef KMCL_CLIENT_INTERFACE_VERSION_LATEST
#define KMCL_CLIENT_INTERFACE_VERSION_LATEST KMCL_CLIENT_INTERFACE_VERSION_V1
#endif
#ifndef KMCL_SERVER_INTERFACE_VERSION_V1
#define KMCL_SERVER_INTERFACE_VERSION_V1 1
#endif

/* ========================================================================= */
/* [2.1] Opaque handles. Distinct pointer types; drivers never look inside. */
/* A GPADL has no handle type: it is a plain UINT32 number.                 */
/* ========================================================================= */

DECLARE_HANDLE(VMBCHANNEL);          /* one channel, from VmbChannelAllocate to VmbChannelCleanup */
DECLARE_HANDLE(VMBPACKET);           /* one outgoing packet object (one transaction at a time) */
DECLARE_HANDLE(VMBPACKETCOMPLETION); /* one incoming packet, from delivery until it is completed */

/* ========================================================================= */
/* [2.3] Driver callbacks. Each EVT_VMB_* is a function type, so a driver    */
/* can declare its handler as "EVT_VMB_CHANNEL_OPENED MyOpened;"; each       */
/* PFN_VMB_* is the matching pointer type used for registration.             */
/* ========================================================================= */

/* The channel was opened by the guest (both endpoints); failing rolls it back. PASSIVE. */
typedef _Function_class_(EVT_VMB_CHANNEL_OPENED) _IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS EVT_VMB_CHANNEL_OPENED(
    _In_ VMBCHANNEL Channel);
typedef EVT_VMB_CHANNEL_OPENED *PFN_VMB_CHANNEL_OPENED;

/* The channel closed (local Disable or peer close/rescind); destroy all GPADLs here. PASSIVE. */
typedef _Function_class_(EVT_VMB_CHANNEL_CLOSED) _IRQL_requires_(PASSIVE_LEVEL)
VOID EVT_VMB_CHANNEL_CLOSED(
    _In_ VMBCHANNEL Channel);
typedef EVT_VMB_CHANNEL_CLOSED *PFN_VMB_CHANNEL_CLOSED;

/* Delivery stopped: complete every held incoming packet and stop sending. PASSIVE. */
typedef _Function_class_(EVT_VMB_CHANNEL_SUSPEND) _IRQL_requires_(PASSIVE_LEVEL)
VOID EVT_VMB_CHANNEL_SUSPEND(
    _In_ VMBCHANNEL Channel);
typedef EVT_VMB_CHANNEL_SUSPEND *PFN_VMB_CHANNEL_SUSPEND;

/* The channel is open and running, incoming queue not yet on: may queue sends, must not wait. PASSIVE. */
typedef _Function_class_(EVT_VMB_CHANNEL_STARTED) _IRQL_requires_(PASSIVE_LEVEL)
VOID EVT_VMB_CHANNEL_STARTED(
    _In_ VMBCHANNEL Channel);
typedef EVT_VMB_CHANNEL_STARTED *PFN_VMB_CHANNEL_STARTED;

/* The incoming queue is on; synchronous traffic (e.g. negotiation) is allowed. PASSIVE. */
typedef _Function_class_(EVT_VMB_CHANNEL_POST_STARTED) _IRQL_requires_(PASSIVE_LEVEL)
VOID EVT_VMB_CHANNEL_POST_STARTED(
    _In_ VMBCHANNEL Channel);
typedef EVT_VMB_CHANNEL_POST_STARTED *PFN_VMB_CHANNEL_POST_STARTED;

/* One incoming packet (payload only); each call needs exactly one later VmbChannelPacketComplete. <= DISPATCH. */
typedef _Function_class_(EVT_VMB_CHANNEL_PROCESS_PACKET) _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_VMB_CHANNEL_PROCESS_PACKET(
    _In_ VMBCHANNEL Channel,
    _In_ VMBPACKETCOMPLETION Packet,
    _In_reads_bytes_(BufferLength) PVOID Buffer,
    _In_ UINT32 BufferLength,
    _In_ UINT32 Flags);
typedef EVT_VMB_CHANNEL_PROCESS_PACKET *PFN_VMB_CHANNEL_PROCESS_PACKET;

/* A delivery batch of PacketsProcessed packets ended (e.g. the ring ran empty). <= DISPATCH. */
typedef _Function_class_(EVT_VMB_CHANNEL_PROCESSING_COMPLETE) _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_VMB_CHANNEL_PROCESSING_COMPLETE(
    _In_ VMBCHANNEL Channel,
    _In_ UINT32 PacketsProcessed);
typedef EVT_VMB_CHANNEL_PROCESSING_COMPLETE *PFN_VMB_CHANNEL_PROCESSING_COMPLETE;

/* A sent packet's transaction finished; Buffer holds the peer's completion data, if any. <= DISPATCH. */
typedef _Function_class_(EVT_VMB_PACKET_COMPLETION_ROUTINE) _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_VMB_PACKET_COMPLETION_ROUTINE(
    _In_ VMBPACKET Packet,
    _In_ NTSTATUS Status,
    _In_reads_bytes_opt_(BufferLength) PVOID Buffer,
    _In_ UINT32 BufferLength);
typedef EVT_VMB_PACKET_COMPLETION_ROUTINE *PFN_VMB_PACKET_COMPLETION_ROUTINE;

/* Save the driver's state for one in-use packet; the first call probes with SaveBufSize 0. PASSIVE. */
typedef _Function_class_(EVT_VMB_CHANNEL_SAVE_PACKET) _IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS EVT_VMB_CHANNEL_SAVE_PACKET(
    _In_ VMBCHANNEL Channel,
    _In_ VMBPACKET Packet,
    _Out_writes_bytes_(SaveBufSize) PVOID SaveBuf,
    _In_ UINT32 SaveBufSize,
    _Out_ PUINT32 BytesNeeded);
typedef EVT_VMB_CHANNEL_SAVE_PACKET *PFN_VMB_CHANNEL_SAVE_PACKET;

/* Rebuild one saved packet: allocate a new one, VmbPacketRestore(LibBuf), then use SaveBuf. PASSIVE. */
typedef _Function_class_(EVT_VMB_CHANNEL_RESTORE_PACKET) _IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS EVT_VMB_CHANNEL_RESTORE_PACKET(
    _In_ VMBCHANNEL Channel,
    _In_reads_bytes_(LibBufSize) PVOID LibBuf,
    _In_ UINT32 LibBufSize,
    _In_reads_bytes_(SaveBufSize) PVOID SaveBuf,
    _In_ UINT32 SaveBufSize);
typedef EVT_VMB_CHANNEL_RESTORE_PACKET *PFN_VMB_CHANNEL_RESTORE_PACKET;

/* Client: the PnP target was found but connecting to it failed asynchronously. PASSIVE. */
typedef _Function_class_(EVT_VMB_CHANNEL_PNP_FAILURE) _IRQL_requires_(PASSIVE_LEVEL)
VOID EVT_VMB_CHANNEL_PNP_FAILURE(
    _In_ VMBCHANNEL Channel,
    _In_ NTSTATUS FailureStatus);
typedef EVT_VMB_CHANNEL_PNP_FAILURE *PFN_VMB_CHANNEL_PNP_FAILURE;

/* ========================================================================= */
/* [2.4] Optional state-change callbacks, registered as one versioned       */
/* struct. Fill it with VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT first.       */
/* ========================================================================= */

typedef struct _VMB_CHANNEL_STATE_CHANGE_CALLBACKS {
    ULONG Version; /* 1 */
    ULONG Size;    /* sizeof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS) */
    PFN_VMB_CHANNEL_OPENED EvtChannelOpened;
    PFN_VMB_CHANNEL_CLOSED EvtChannelClosed;
    PFN_VMB_CHANNEL_SUSPEND EvtChannelSuspend;
    PFN_VMB_CHANNEL_STARTED EvtChannelStarted;
    PFN_VMB_CHANNEL_POST_STARTED EvtChannelPostStarted;
} VMB_CHANNEL_STATE_CHANGE_CALLBACKS;
typedef VMB_CHANNEL_STATE_CHANGE_CALLBACKS *PVMB_CHANNEL_STATE_CHANGE_CALLBACKS;

/* Zeroes the struct (no callbacks), then stamps Version 1 and its Size. */
static inline void VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(
    _Out_ PVMB_CHANNEL_STATE_CHANGE_CALLBACKS Callbacks)
{
    memset(Callbacks, 0, sizeof(*Callbacks));
    Callbacks->Version = 1;
    Callbacks->Size = sizeof(*Callbacks); /* a small constant: no narrowing */
}

/* ========================================================================= */
/* [3] Function types. For every KMCL function VmbFoo there is a function   */
/* type FN_VMB_FOO and a pointer type PFN_VMB_FOO; the pointers fill the    */
/* interface tables of [5], and the function types also declare the         */
/* direct-call functions further below, so both can never disagree.          */
/* SAL annotations are kept for readers; they expand to nothing.             */
/* ========================================================================= */

/* ---- [3.1] Channel allocation and common initialization ----------------- */

/* Creates a Disabled server (IsServer) or client channel; release it with VmbChannelCleanup. PASSIVE. */
typedef _IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS FN_VMB_CHANNEL_ALLOCATE(
    _In_ PDEVICE_OBJECT ParentDeviceObject,
    _In_ BOOLEAN IsServer,
    _Out_ _At_(*Channel, __drv_allocatesMem(Mem)) VMBCHANNEL *Channel);
typedef FN_VMB_CHANNEL_ALLOCATE *PFN_VMB_CHANNEL_ALLOCATE;

/* Sets the largest inline packet the driver will ever send (sizes the rings). Init only. */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_SIZE(
    _In_ VMBCHANNEL Channel,
    _In_range_(>, 0) UINT32 PacketSize);
typedef FN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_SIZE *PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_SIZE;

/* Sets the largest external-data size and MDL chain length per packet (sizes the rings). Init only. */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_MAXIMUM_EXTERNAL_DATA(
    _In_ VMBCHANNEL Channel,
    _In_range_(>, 0) UINT32 DataSize,
    _In_range_(>, 0) UINT32 ChainLength);
typedef FN_VMB_CHANNEL_INIT_SET_MAXIMUM_EXTERNAL_DATA *PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_EXTERNAL_DATA;

/* Reserves a driver context area of ContextSize bytes on every incoming packet. Init only. */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_CLIENT_CONTEXT_SIZE(
    _In_ VMBCHANNEL Channel,
    _In_ UINT32 ContextSize);
typedef FN_VMB_CHANNEL_INIT_SET_CLIENT_CONTEXT_SIZE *PFN_VMB_CHANNEL_INIT_SET_CLIENT_CONTEXT_SIZE;

/* Registers the receive callback and the optional end-of-batch callback. Init only. */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS(
    _In_ VMBCHANNEL Channel,
    _In_ PFN_VMB_CHANNEL_PROCESS_PACKET ProcessPacketCallback,
    _In_opt_ PFN_VMB_CHANNEL_PROCESSING_COMPLETE ProcessingCompleteCallback);
typedef FN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS *PFN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS;

/* Registers the state-change callbacks; Version/Size must match. Init only. */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_STATE_CHANGE_CALLBACKS(
    _In_ VMBCHANNEL Channel,
    _In_ PVMB_CHANNEL_STATE_CHANGE_CALLBACKS StateChangeCallbacks);
typedef FN_VMB_CHANNEL_INIT_SET_STATE_CHANGE_CALLBACKS *PFN_VMB_CHANNEL_INIT_SET_STATE_CHANGE_CALLBACKS;

/* Gives the channel a short name for debugging and perf counters. Init only. */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_FRIENDLY_NAME(
    _In_ VMBCHANNEL Channel,
    _In_ PCUNICODE_STRING Name);
typedef FN_VMB_CHANNEL_INIT_SET_FRIENDLY_NAME *PFN_VMB_CHANNEL_INIT_SET_FRIENDLY_NAME;

/* Sets VMBUS_CHANNEL_INIT_FLAG_* bits valid on either endpoint. Init only. */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_FLAGS(
    _In_ VMBCHANNEL Channel,
    _In_ UINT32 Flags);
typedef FN_VMB_CHANNEL_INIT_SET_FLAGS *PFN_VMB_CHANNEL_INIT_SET_FLAGS;

/* TRUE forces receive callbacks to PASSIVE; FALSE allows DISPATCH. */
typedef VOID FN_VMB_CHANNEL_SET_INCOMING_PROCESSING_AT_PASSIVE(
    _In_ VMBCHANNEL Channel,
    _In_ BOOLEAN RequirePassive);
typedef FN_VMB_CHANNEL_SET_INCOMING_PROCESSING_AT_PASSIVE *PFN_VMB_CHANNEL_SET_INCOMING_PROCESSING_AT_PASSIVE;

/* Caps outstanding (delivered, not completed) incoming packets; Quota > 0. */
typedef VOID FN_VMB_CHANNEL_SET_TRANSACTION_QUOTA(
    _In_ VMBCHANNEL Channel,
    _In_ UINT32 Quota);
typedef FN_VMB_CHANNEL_SET_TRANSACTION_QUOTA *PFN_VMB_CHANNEL_SET_TRANSACTION_QUOTA;

/* ---- [3.2] Client-endpoint-only initialization -------------------------- */

/* Sets the page counts of the guest-donated incoming and outgoing rings. Client, init only. */
typedef NTSTATUS FN_VMB_CLIENT_CHANNEL_INIT_SET_RING_BUFFER_PAGE_COUNT(
    _In_ VMBCHANNEL Channel,
    _In_ UINT32 IncomingPageCount,
    _In_ UINT32 OutgoingPageCount);
typedef FN_VMB_CLIENT_CHANNEL_INIT_SET_RING_BUFFER_PAGE_COUNT *PFN_VMB_CLIENT_CHANNEL_INIT_SET_RING_BUFFER_PAGE_COUNT;

/* Binds to the offer of this type (and instance, or any if NULL) found via PnP. Client, init only. */
typedef NTSTATUS FN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PNP(
    _In_ VMBCHANNEL Channel,
    _In_ LPCGUID InterfaceType,
    _In_opt_ LPCGUID InterfaceInstance,
    _In_opt_ PFN_VMB_CHANNEL_PNP_FAILURE PnpFailureCallback);
typedef FN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PNP *PFN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PNP;

/* ---- [3.3] Server-endpoint-only initialization -------------------------- */

/* Sets VMBUS_SERVER_CHANNEL_INIT_FLAG_* bits. Server, init only. */
typedef NTSTATUS FN_VMB_SERVER_CHANNEL_INIT_SET_FLAGS(
    _In_ VMBCHANNEL Channel,
    _In_ UINT32 Flags);
typedef FN_VMB_SERVER_CHANNEL_INIT_SET_FLAGS *PFN_VMB_SERVER_CHANNEL_INIT_SET_FLAGS;

/* Asks the guest to reserve this much MMIO space (MB), plus an optional extra. Server, init only. */
typedef NTSTATUS FN_VMB_SERVER_CHANNEL_INIT_SET_MMIO_MEGABYTES(
    _In_ VMBCHANNEL Channel,
    _In_range_(>, 0) UINT16 MmioMegabytes,
    _In_ UINT16 MmioMegabytesOptional);
typedef FN_VMB_SERVER_CHANNEL_INIT_SET_MMIO_MEGABYTES *PFN_VMB_SERVER_CHANNEL_INIT_SET_MMIO_MEGABYTES;

/* Registers the per-packet save and restore callbacks. Server, init only. */
typedef NTSTATUS FN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS(
    _In_ VMBCHANNEL Channel,
    _In_ PFN_VMB_CHANNEL_SAVE_PACKET SavePacketCallback,
    _In_ PFN_VMB_CHANNEL_RESTORE_PACKET RestorePacketCallback);
typedef FN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS
    *PFN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS;

/* Sets the offer's type (protocol) and instance GUIDs, both passed by value. Server, init only. */
typedef NTSTATUS FN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID(
    _In_ VMBCHANNEL Channel,
    _In_ GUID InterfaceType,
    _In_ GUID InterfaceInstance);
typedef FN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID *PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID;

/* Offers the channel only to clients running in TargetVtl. Server, init only. (No SAL in the sources.) */
typedef NTSTATUS FN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_VTL(
    VMBCHANNEL Channel,
    UINT8 TargetVtl);
typedef FN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_VTL *PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_VTL;

/* Picks the VM to offer to, by a handle from VmbConvertVmbusHandleToKernelHandle. Server, any thread. */
typedef NTSTATUS FN_VMB_SERVER_CHANNEL_INIT_SET_VMBUS_HANDLE(
    _In_ VMBCHANNEL Channel,
    _In_ HANDLE VmbusHandle);
typedef FN_VMB_SERVER_CHANNEL_INIT_SET_VMBUS_HANDLE *PFN_VMB_SERVER_CHANNEL_INIT_SET_VMBUS_HANDLE;

/* ---- [3.4] Channel lifecycle ------------------------------------------- */

/* Connects a Disabled channel: the server offers, the client opens or waits. Returns at once. */
typedef _Must_inspect_result_
NTSTATUS FN_VMB_CHANNEL_ENABLE(
    _In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_ENABLE *PFN_VMB_CHANNEL_ENABLE;

/* Closes (client) or rescinds (server) and blocks until the channel is fully Disabled. */
typedef VOID FN_VMB_CHANNEL_DISABLE(
    _In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_DISABLE *PFN_VMB_CHANNEL_DISABLE;

/* Leaves the Paused run state; required on the server, implicit on the client. */
typedef VOID FN_VMB_CHANNEL_START(
    _In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_START *PFN_VMB_CHANNEL_START;

/* Pauses and waits until no incoming packet is outstanding; on a Disabled channel, pause on Enable. */
typedef VOID FN_VMB_CHANNEL_PAUSE(
    _In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_PAUSE *PFN_VMB_CHANNEL_PAUSE;

/* Frees a channel; it must be Disabled. */
typedef VOID FN_VMB_CHANNEL_CLEANUP(
    _In_ __drv_freesMem(Mem) VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_CLEANUP *PFN_VMB_CHANNEL_CLEANUP;

/* ---- [3.5] Context pointers and simple queries --------------------------- */

/* Stores one driver pointer in the channel. */
typedef VOID FASTCALL FN_VMB_CHANNEL_SET_POINTER(
    _In_ VMBCHANNEL Channel,
    _In_opt_ __drv_aliasesMem PVOID Pointer);
typedef FN_VMB_CHANNEL_SET_POINTER *PFN_VMB_CHANNEL_SET_POINTER;

/* Returns the pointer stored with VmbChannelSetPointer. */
typedef PVOID FASTCALL FN_VMB_CHANNEL_GET_POINTER(
    _In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_GET_POINTER *PFN_VMB_CHANNEL_GET_POINTER;

/* Stores one driver pointer in a packet object. */
typedef VOID FASTCALL FN_VMB_PACKET_SET_POINTER(
    _In_ VMBPACKET PacketObject,
    _In_opt_ PVOID Pointer);
typedef FN_VMB_PACKET_SET_POINTER *PFN_VMB_PACKET_SET_POINTER;

/* Returns the pointer stored with VmbPacketSetPointer. */
typedef PVOID FASTCALL FN_VMB_PACKET_GET_POINTER(
    _In_ VMBPACKET PacketObject);
typedef FN_VMB_PACKET_GET_POINTER *PFN_VMB_PACKET_GET_POINTER;

/* Returns the channel that owns a packet object. */
typedef VMBCHANNEL FASTCALL FN_VMB_PACKET_GET_CHANNEL(
    _In_ VMBPACKET PacketObject);
typedef FN_VMB_PACKET_GET_CHANNEL *PFN_VMB_PACKET_GET_CHANNEL;

/* Copies out the active instance GUID, which identifies the channel. */
typedef VOID FN_VMB_CHANNEL_GET_INTERFACE_INSTANCE(
    _In_ VMBCHANNEL Channel,
    _Out_ LPGUID InterfaceInstance);
typedef FN_VMB_CHANNEL_GET_INTERFACE_INSTANCE *PFN_VMB_CHANNEL_GET_INTERFACE_INSTANCE;

/* Returns the byte size a caller-supplied buffer needs for VmbPacketInitialize. */
typedef UINT32 FN_VMB_CHANNEL_SIZEOF_PACKET(
    _In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_SIZEOF_PACKET *PFN_VMB_CHANNEL_SIZEOF_PACKET;

/* ---- [3.6] GPADLs (client creates/deletes, server maps/unmaps) ----------- */

/* Describes (and locks) a client buffer to the peer; returns once the peer confirmed. */
typedef NTSTATUS FN_VMB_CHANNEL_CREATE_GPADL_FROM_BUFFER(
    _In_ VMBCHANNEL Channel,
    _In_ UINT32 Flags,
    _In_reads_bytes_(ByteCount) PVOID Buffer,
    _In_ UINT32 ByteCount,
    _Out_ PUINT32 GpadlHandle);
typedef FN_VMB_CHANNEL_CREATE_GPADL_FROM_BUFFER *PFN_VMB_CHANNEL_CREATE_GPADL_FROM_BUFFER;

/* Same for a range of an MDL chain; DataLengthWithinMdl 0 means "to the end". */
typedef NTSTATUS FN_VMB_CHANNEL_CREATE_GPADL_FROM_MDL(
    _In_ VMBCHANNEL Channel,
    _In_ UINT32 Flags,
    _In_ PMDL Mdl,
    _In_ UINT32 StartOffsetWithinMdl,
    _In_ UINT32 DataLengthWithinMdl,
    _Out_ PUINT32 GpadlHandle);
typedef FN_VMB_CHANNEL_CREATE_GPADL_FROM_MDL *PFN_VMB_CHANNEL_CREATE_GPADL_FROM_MDL;

/* Tears a GPADL down; blocks while the server still has it mapped. */
typedef VOID FN_VMB_CHANNEL_DELETE_GPADL(
    _In_ VMBCHANNEL Channel,
    _In_ UINT32 GpadlHandle);
typedef FN_VMB_CHANNEL_DELETE_GPADL *PFN_VMB_CHANNEL_DELETE_GPADL;

/* Maps a client GPADL and returns an MDL without a VA; one mapping at a time. Server. */
typedef NTSTATUS FN_VMB_CHANNEL_MAP_GPADL(
    _In_ VMBCHANNEL Channel,
    _In_ UINT32 Flags,
    _In_ UINT32 GpadlHandle,
    _Out_ PMDL *Mdl);
typedef FN_VMB_CHANNEL_MAP_GPADL *PFN_VMB_CHANNEL_MAP_GPADL;

/* Undoes VmbChannelMapGpadl once the server no longer uses the buffer. Server. */
typedef VOID FN_VMB_CHANNEL_UNMAP_GPADL(
    _In_ VMBCHANNEL Channel,
    _In_ UINT32 GpadlHandle);
typedef FN_VMB_CHANNEL_UNMAP_GPADL *PFN_VMB_CHANNEL_UNMAP_GPADL;

/* ---- [3.7] Outgoing packets --------------------------------------------- */

/* Takes a packet object from the channel's cache; NULL on failure. Default completion frees it. */
typedef __drv_allocatesMem(Mem)
VMBPACKET FN_VMB_PACKET_ALLOCATE(
    _In_ VMBCHANNEL Channel);
typedef FN_VMB_PACKET_ALLOCATE *PFN_VMB_PACKET_ALLOCATE;

/* Builds a packet object in caller memory; set a completion routine before sending. */
typedef NTSTATUS FN_VMB_PACKET_INITIALIZE(
    _In_ VMBCHANNEL Channel,
    _Out_writes_bytes_(ByteCount) VMBPACKET VmbPacket,
    _In_ UINT32 ByteCount);
typedef FN_VMB_PACKET_INITIALIZE *PFN_VMB_PACKET_INITIALIZE;

/* Frees a packet object obtained from VmbPacketAllocate. */
typedef VOID FN_VMB_PACKET_FREE(
    _In_ __drv_freesMem(Mem) VMBPACKET VmbPacket);
typedef FN_VMB_PACKET_FREE *PFN_VMB_PACKET_FREE;

/* Replaces the routine run when the packet's transaction completes. */
typedef VOID FN_VMB_PACKET_SET_COMPLETION_ROUTINE(
    _In_ VMBPACKET PacketObject,
    _In_ PFN_VMB_PACKET_COMPLETION_ROUTINE CompletionRoutine);
typedef FN_VMB_PACKET_SET_COMPLETION_ROUTINE *PFN_VMB_PACKET_SET_COMPLETION_ROUTINE;

/* Sends an inline buffer plus an optional external-data MDL; queued if the ring is full. */
typedef NTSTATUS FN_VMB_PACKET_SEND(
    _In_ __drv_aliasesMem VMBPACKET PacketObject,
    _In_reads_bytes_(BufferLength) PVOID Buffer,
    _In_ UINT32 BufferLength,
    _In_opt_ PMDL ExternalDataMdl,
    _In_ UINT32 Flags);
typedef FN_VMB_PACKET_SEND *PFN_VMB_PACKET_SEND;

/* Sends with a sub-range of an MDL (MdlLength 0 = whole MDL); needs WAIT_FOR_COMPLETION. */
typedef NTSTATUS FN_VMB_PACKET_SEND_WITH_EXTERNAL_MDL(
    _In_ __drv_aliasesMem VMBPACKET PacketObject,
    _In_reads_bytes_(BufferLength) PVOID Buffer,
    _In_ UINT32 BufferLength,
    _In_ PMDL ExternalDataMdl,
    _In_ UINT32 MdlOffset,
    _In_ UINT32 MdlLength,
    _In_ UINT32 Flags);
typedef FN_VMB_PACKET_SEND_WITH_EXTERNAL_MDL *PFN_VMB_PACKET_SEND_WITH_EXTERNAL_MDL;

/* Sends with PfnLength page frame numbers as external data; needs WAIT_FOR_COMPLETION. */
typedef NTSTATUS FN_VMB_PACKET_SEND_WITH_EXTERNAL_PFNS(
    _In_ __drv_aliasesMem VMBPACKET PacketObject,
    _In_reads_bytes_(BufferLength) PVOID Buffer,
    _In_ UINT32 BufferLength,
    _In_reads_(PfnLength) PPFN_NUMBER ExternalDataPfns,
    _In_ UINT32 PfnLength,
    _In_ UINT32 Flags);
typedef FN_VMB_PACKET_SEND_WITH_EXTERNAL_PFNS *PFN_VMB_PACKET_SEND_WITH_EXTERNAL_PFNS;

/* Sends one packet without a packet object and waits for the reply (PASSIVE), or,
 * with *Timeout == 0 and no WAIT_FOR_COMPLETION, only tries to put it in the ring
 * (<= DISPATCH; the only form a server may use). *CompletionBufferSize must be a
 * multiple of 8 and returns the bytes written. */
typedef _When_(Timeout == NULL || Timeout->QuadPart != 0 || (Flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
               _IRQL_requires_(PASSIVE_LEVEL))
        _When_(Timeout != NULL && Timeout->QuadPart == 0 && !(Flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
               _IRQL_requires_max_(DISPATCH_LEVEL))
NTSTATUS FN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST(
    _In_ VMBCHANNEL Channel,
    _In_reads_bytes_(BufferSize) PVOID Buffer,
    _In_ UINT32 BufferSize,
    _In_opt_ PMDL ExternalDataMdl,
    _In_ UINT32 Flags,
    _Out_writes_bytes_to_opt_(*CompletionBufferSize, *CompletionBufferSize) PVOID CompletionBuffer,
    _Inout_opt_ _Pre_satisfies_(*_Curr_ % 8 == 0) PUINT32 CompletionBufferSize,
    _In_opt_ PLARGE_INTEGER Timeout);
typedef FN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST *PFN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST;

/* ---- [3.8] Incoming packets --------------------------------------------- */

/* Finishes an incoming packet: releases its mappings and, if asked, returns the completion buffer. */
typedef VOID FN_VMB_CHANNEL_PACKET_COMPLETE(
    _In_ VMBPACKETCOMPLETION PacketCompletionContext,
    _In_reads_bytes_opt_(BufSize) PVOID PacketCompletionBuffer,
    _In_ UINT32 BufSize);
typedef FN_VMB_CHANNEL_PACKET_COMPLETE *PFN_VMB_CHANNEL_PACKET_COMPLETE;

/* From inside ProcessPacket only: requeue the packet for redelivery at PASSIVE. */
typedef VOID FASTCALL FN_VMB_CHANNEL_PACKET_DEFER_TO_PASSIVE(
    _In_ VMBPACKETCOMPLETION PacketCompletionContext);
typedef FN_VMB_CHANNEL_PACKET_DEFER_TO_PASSIVE *PFN_VMB_CHANNEL_PACKET_DEFER_TO_PASSIVE;

/* Rejects a malformed packet as unrecoverable and stops the incoming queue. */
typedef VOID FASTCALL FN_VMB_CHANNEL_PACKET_FAIL(
    _In_ VMBPACKETCOMPLETION PacketCompletionContext);
typedef FN_VMB_CHANNEL_PACKET_FAIL *PFN_VMB_CHANNEL_PACKET_FAIL;

/* Returns the locked, VA-less MDL of the packet's external data; STATUS_PENDING means return and await redelivery. */
typedef _Success_(return == STATUS_SUCCESS)
NTSTATUS FN_VMB_CHANNEL_PACKET_GET_EXTERNAL_DATA(
    _In_ VMBPACKETCOMPLETION PacketCompletionContext,
    _In_ UINT32 Flags,
    _Out_ PMDL *Mdl);
typedef FN_VMB_CHANNEL_PACKET_GET_EXTERNAL_DATA *PFN_VMB_CHANNEL_PACKET_GET_EXTERNAL_DATA;

/* ---- [3.9] Save and restore (server only) ------------------------------- */

/* Starts a save; follow with VmbChannelSaveContinue calls and VmbChannelSaveEnd. */
typedef _Must_inspect_result_
NTSTATUS FN_VMB_CHANNEL_SAVE_BEGIN(
    _In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_SAVE_BEGIN *PFN_VMB_CHANNEL_SAVE_BEGIN;

/* Saves the next chunk: SUCCESS = done, BUFFER_OVERFLOW = more, BUFFER_TOO_SMALL = see *BytesRequired. */
typedef _Must_inspect_result_
NTSTATUS FN_VMB_CHANNEL_SAVE_CONTINUE(
    _In_ VMBCHANNEL Channel,
    _Out_writes_bytes_to_(SaveBufferSize, *BytesFilled) PVOID SaveBuffer,
    _In_ ULONG SaveBufferSize,
    _Out_ PULONG BytesFilled,
    _Out_ PULONG BytesRequired);
typedef FN_VMB_CHANNEL_SAVE_CONTINUE *PFN_VMB_CHANNEL_SAVE_CONTINUE;

/* Releases the save context created by VmbChannelSaveBegin. */
typedef VOID FN_VMB_CHANNEL_SAVE_END(
    _In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_SAVE_END *PFN_VMB_CHANNEL_SAVE_END;

/* Restores whole saved chunks: SUCCESS = done, MORE_PROCESSING_REQUIRED = feed the next chunk. */
typedef _Must_inspect_result_
NTSTATUS FN_VMB_CHANNEL_RESTORE_FROM_BUFFER(
    _In_ VMBCHANNEL Channel,
    _In_reads_bytes_(BufferSize) PVOID Buffer,
    _In_ ULONG BufferSize);
typedef FN_VMB_CHANNEL_RESTORE_FROM_BUFFER *PFN_VMB_CHANNEL_RESTORE_FROM_BUFFER;

/* Restores a freshly allocated packet from the library buffer given to EvtVmbChannelRestorePacket. */
typedef NTSTATUS FN_VMB_PACKET_RESTORE(
    _In_ __drv_aliasesMem VMBPACKET PacketObject,
    _In_reads_bytes_(BufferSize) PVOID Buffer,
    _In_ ULONG BufferSize);
typedef FN_VMB_PACKET_RESTORE *PFN_VMB_PACKET_RESTORE;

/* ---- [3.10] Miscellaneous ----------------------------------------------- */

/* Turns the worker process's VMBus handle into a kernel handle the caller must close. Server. */
typedef NTSTATUS FN_VMB_CONVERT_VMBUS_HANDLE_TO_KERNEL_HANDLE(
    _In_ HANDLE VmbusHandle,
    _Out_ PHANDLE KernelHandle);
typedef FN_VMB_CONVERT_VMBUS_HANDLE_TO_KERNEL_HANDLE *PFN_VMB_CONVERT_VMBUS_HANDLE_TO_KERNEL_HANDLE;

/* Sets the outgoing interrupt latency (100 ns units) and returns the old one; Opened..Closed only. */
typedef _Must_inspect_result_
NTSTATUS FN_VMB_CHANNEL_SET_INTERRUPT_LATENCY(
    _In_ VMBCHANNEL Channel,
    _In_ UINT16 Latency,
    _Out_ PUINT16 OriginalLatency);
typedef FN_VMB_CHANNEL_SET_INTERRUPT_LATENCY *PFN_VMB_CHANNEL_SET_INTERRUPT_LATENCY;

/* Returns the MMIO range reserved for the channel; valid after EvtChannelOpened. (No SAL in the sources.) */
typedef VOID FN_VMB_CHANNEL_GET_MMIO_SPACE(
    VMBCHANNEL Channel,
    UINT64 *MmioAddress,
    UINT64 *MmioSize);
typedef FN_VMB_CHANNEL_GET_MMIO_SPACE *PFN_VMB_CHANNEL_GET_MMIO_SPACE;

/* ========================================================================= */
/* [3] Direct-call declarations, as when a driver links the KMCL static      */
/* library. vmbsim exports all 55 with C linkage. Each is declared through   */
/* its FN_VMB_* type so the prototype cannot drift from the table entry.     */
/* ========================================================================= */

/* Client interface V1 functions, in table order. */
FN_VMB_CHANNEL_ALLOCATE VmbChannelAllocate;                                 /* create a Disabled channel */
FN_VMB_CHANNEL_CLEANUP VmbChannelCleanup;                                   /* free a Disabled channel */
FN_VMB_CHANNEL_CREATE_GPADL_FROM_BUFFER VmbChannelCreateGpadlFromBuffer;    /* share a client buffer */
FN_VMB_CHANNEL_CREATE_GPADL_FROM_MDL VmbChannelCreateGpadlFromMdl;          /* share an MDL range */
FN_VMB_CHANNEL_DELETE_GPADL VmbChannelDeleteGpadl;                          /* unshare (waits for unmap) */
FN_VMB_CHANNEL_DISABLE VmbChannelDisable;                                   /* close/rescind, blocking */
FN_VMB_CHANNEL_ENABLE VmbChannelEnable;                                     /* offer or open */
FN_VMB_CHANNEL_GET_INTERFACE_INSTANCE VmbChannelGetInterfaceInstance;       /* read the instance GUID */
FN_VMB_CHANNEL_GET_MMIO_SPACE VmbChannelGetMmioSpace;                       /* read the MMIO reservation */
FN_VMB_CHANNEL_GET_POINTER VmbChannelGetPointer;                            /* read the channel context pointer */
FN_VMB_CHANNEL_INIT_SET_CLIENT_CONTEXT_SIZE VmbChannelInitSetClientContextSize;   /* per-packet context size */
FN_VMB_CHANNEL_INIT_SET_FLAGS VmbChannelInitSetFlags;                             /* common init flags */
FN_VMB_CHANNEL_INIT_SET_FRIENDLY_NAME VmbChannelInitSetFriendlyName;              /* debug name */
FN_VMB_CHANNEL_INIT_SET_MAXIMUM_EXTERNAL_DATA VmbChannelInitSetMaximumExternalData; /* external-data limits */
FN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_SIZE VmbChannelInitSetMaximumPacketSize;   /* inline packet limit */
FN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS VmbChannelInitSetProcessPacketCallbacks; /* receive callbacks */
FN_VMB_CHANNEL_INIT_SET_STATE_CHANGE_CALLBACKS VmbChannelInitSetStateChangeCallbacks;     /* state callbacks */
FN_VMB_CHANNEL_PACKET_COMPLETE VmbChannelPacketComplete;                    /* finish an incoming packet */
FN_VMB_CHANNEL_PACKET_DEFER_TO_PASSIVE VmbChannelPacketDeferToPassive;      /* redeliver at PASSIVE */
FN_VMB_CHANNEL_PACKET_FAIL VmbChannelPacketFail;                            /* reject and stop the queue */
FN_VMB_CHANNEL_PACKET_GET_EXTERNAL_DATA VmbChannelPacketGetExternalData;    /* get the external-data MDL */
FN_VMB_CHANNEL_PAUSE VmbChannelPause;                                       /* pause, blocking */
FN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST VmbChannelSendSynchronousRequest;   /* send and wait */
FN_VMB_CHANNEL_SET_INCOMING_PROCESSING_AT_PASSIVE VmbChannelSetIncomingProcessingAtPassive; /* receive IRQL */
FN_VMB_CHANNEL_SET_INTERRUPT_LATENCY VmbChannelSetInterruptLatency;         /* interrupt latency */
FN_VMB_CHANNEL_SET_POINTER VmbChannelSetPointer;                            /* set the channel context pointer */
FN_VMB_CHANNEL_SET_TRANSACTION_QUOTA VmbChannelSetTransactionQuota;         /* incoming flow control */
FN_VMB_CHANNEL_SIZEOF_PACKET VmbChannelSizeofPacket;                        /* bytes for VmbPacketInitialize */
FN_VMB_CHANNEL_START VmbChannelStart;                                       /* leave Paused */
FN_VMB_CLIENT_CHANNEL_INIT_SET_RING_BUFFER_PAGE_COUNT VmbClientChannelInitSetRingBufferPageCount; /* ring sizes */
FN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PNP VmbClientChannelInitSetTargetPnp; /* choose the offer to open */
FN_VMB_PACKET_ALLOCATE VmbPacketAllocate;                                   /* get a packet object */
FN_VMB_PACKET_FREE VmbPacketFree;                                           /* free a packet object */
FN_VMB_PACKET_GET_CHANNEL VmbPacketGetChannel;                              /* owning channel */
FN_VMB_PACKET_GET_POINTER VmbPacketGetPointer;                              /* read the packet context pointer */
FN_VMB_PACKET_INITIALIZE VmbPacketInitialize;                               /* packet object in caller memory */
FN_VMB_PACKET_SEND VmbPacketSend;                                           /* send (+ optional MDL) */
FN_VMB_PACKET_SEND_WITH_EXTERNAL_MDL VmbPacketSendWithExternalMdl;          /* send with an MDL range */
FN_VMB_PACKET_SEND_WITH_EXTERNAL_PFNS VmbPacketSendWithExternalPfns;        /* send with a PFN array */
FN_VMB_PACKET_SET_COMPLETION_ROUTINE VmbPacketSetCompletionRoutine;         /* set the completion routine */
FN_VMB_PACKET_SET_POINTER VmbPacketSetPointer;                              /* set the packet context pointer */

/* Server-only functions, in table order. */
FN_VMB_CHANNEL_MAP_GPADL VmbChannelMapGpadl;                                /* map a client GPADL */
FN_VMB_CHANNEL_RESTORE_FROM_BUFFER VmbChannelRestoreFromBuffer;             /* restore saved chunks */
FN_VMB_CHANNEL_SAVE_BEGIN VmbChannelSaveBegin;                              /* start a save */
FN_VMB_CHANNEL_SAVE_CONTINUE VmbChannelSaveContinue;                        /* save the next chunk */
FN_VMB_CHANNEL_SAVE_END VmbChannelSaveEnd;                                  /* end a save */
FN_VMB_CHANNEL_UNMAP_GPADL VmbChannelUnmapGpadl;                            /* unmap a GPADL */
FN_VMB_CONVERT_VMBUS_HANDLE_TO_KERNEL_HANDLE VmbConvertVmbusHandleToKernelHandle; /* user -> kernel handle */
FN_VMB_PACKET_RESTORE VmbPacketRestore;                                     /* restore one packet */
FN_VMB_SERVER_CHANNEL_INIT_SET_FLAGS VmbServerChannelInitSetFlags;          /* server init flags */
FN_VMB_SERVER_CHANNEL_INIT_SET_MMIO_MEGABYTES VmbServerChannelInitSetMmioMegabytes; /* guest MMIO request */
/* save/restore callbacks: */
FN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS VmbServerChannelInitSetSaveRestorePacketCallbacks;
FN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID VmbServerChannelInitSetTargetInterfaceId; /* offer GUIDs */
FN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_VTL VmbServerChannelInitSetTargetVtl; /* offer VTL */
FN_VMB_SERVER_CHANNEL_INIT_SET_VMBUS_HANDLE VmbServerChannelInitSetVmbusHandle; /* offer's target VM */

/* ========================================================================= */
/* [5] Interface tables, handed out by the interface query (1.3).            */
/*                                                                           */
/* The WDK begins each table with an unnamed "INTERFACE;" member, a          */
/* Microsoft extension. Standard C11 only allows an anonymous member of      */
/* untagged struct type, so the five INTERFACE members are spelled out in    */
/* an anonymous struct with the identical layout; iface.Size, iface.Context  */
/* and iface.InterfaceDereference(iface.Context) then work without           */
/* -fms-extensions, and (PINTERFACE)&iface is valid. C++ uses the same       */
/* layout (instead of the WDK's inheritance) so that the tables stay         */
/* standard-layout and offsetof-checkable.                                   */
/*                                                                           */
/* The member lists are macros because the server table repeats the client  */
/* table's members; a named struct type cannot be embedded anonymously.      */
/* ========================================================================= */

/* The INTERFACE header, as an anonymous member. */
#define VMBSIM_KMCL_INTERFACE_HEADER_MEMBER              \
    VMBSIM_ANONYMOUS struct {                            \
        USHORT Size;                                     \
        USHORT Version;                                  \
        PVOID Context;                                   \
        PINTERFACE_REFERENCE InterfaceReference;         \
        PINTERFACE_DEREFERENCE InterfaceDereference;     \
    };

/* [5.2] The 41 V1 function pointers, in the documented (alphabetical) order. */
#define VMBSIM_KMCL_CLIENT_INTERFACE_V1_FUNCTIONS                                            \
    PFN_VMB_CHANNEL_ALLOCATE VmbChannelAllocate;                                             \
    PFN_VMB_CHANNEL_CLEANUP VmbChannelCleanup;                                               \
    PFN_VMB_CHANNEL_CREATE_GPADL_FROM_BUFFER VmbChannelCreateGpadlFromBuffer;                \
    PFN_VMB_CHANNEL_CREATE_GPADL_FROM_MDL VmbChannelCreateGpadlFromMdl;                      \
    PFN_VMB_CHANNEL_DELETE_GPADL VmbChannelDeleteGpadl;                                      \
    PFN_VMB_CHANNEL_DISABLE VmbChannelDisable;                                               \
    PFN_VMB_CHANNEL_ENABLE VmbChannelEnable;                                                 \
    PFN_VMB_CHANNEL_GET_INTERFACE_INSTANCE VmbChannelGetInterfaceInstance;                   \
    PFN_VMB_CHANNEL_GET_MMIO_SPACE VmbChannelGetMmioSpace;                                   \
    PFN_VMB_CHANNEL_GET_POINTER VmbChannelGetPointer;                                        \
    PFN_VMB_CHANNEL_INIT_SET_CLIENT_CONTEXT_SIZE VmbChannelInitSetClientContextSize;         \
    PFN_VMB_CHANNEL_INIT_SET_FLAGS VmbChannelInitSetFlags;                                   \
    PFN_VMB_CHANNEL_INIT_SET_FRIENDLY_NAME VmbChannelInitSetFriendlyName;                    \
    PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_EXTERNAL_DATA VmbChannelInitSetMaximumExternalData;     \
    PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_SIZE VmbChannelInitSetMaximumPacketSize;         \
    PFN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS VmbChannelInitSetProcessPacketCallbacks; \
    PFN_VMB_CHANNEL_INIT_SET_STATE_CHANGE_CALLBACKS VmbChannelInitSetStateChangeCallbacks;   \
    PFN_VMB_CHANNEL_PACKET_COMPLETE VmbChannelPacketComplete;                                \
    PFN_VMB_CHANNEL_PACKET_DEFER_TO_PASSIVE VmbChannelPacketDeferToPassive;                  \
    PFN_VMB_CHANNEL_PACKET_FAIL VmbChannelPacketFail;                                        \
    PFN_VMB_CHANNEL_PACKET_GET_EXTERNAL_DATA VmbChannelPacketGetExternalData;                \
    PFN_VMB_CHANNEL_PAUSE VmbChannelPause;                                                   \
    PFN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST VmbChannelSendSynchronousRequest;               \
    PFN_VMB_CHANNEL_SET_INCOMING_PROCESSING_AT_PASSIVE VmbChannelSetIncomingProcessingAtPassive; \
    PFN_VMB_CHANNEL_SET_INTERRUPT_LATENCY VmbChannelSetInterruptLatency;                     \
    PFN_VMB_CHANNEL_SET_POINTER VmbChannelSetPointer;                                        \
    PFN_VMB_CHANNEL_SET_TRANSACTION_QUOTA VmbChannelSetTransactionQuota;                     \
    PFN_VMB_CHANNEL_SIZEOF_PACKET VmbChannelSizeofPacket;                                    \
    PFN_VMB_CHANNEL_START VmbChannelStart;                                                   \
    PFN_VMB_CLIENT_CHANNEL_INIT_SET_RING_BUFFER_PAGE_COUNT VmbClientChannelInitSetRingBufferPageCount; \
    PFN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PNP VmbClientChannelInitSetTargetPnp;             \
    PFN_VMB_PACKET_ALLOCATE VmbPacketAllocate;                                               \
    PFN_VMB_PACKET_FREE VmbPacketFree;                                                       \
    PFN_VMB_PACKET_GET_CHANNEL VmbPacketGetChannel;                                          \
    PFN_VMB_PACKET_GET_POINTER VmbPacketGetPointer;                                          \
    PFN_VMB_PACKET_INITIALIZE VmbPacketInitialize;                                           \
    PFN_VMB_PACKET_SEND VmbPacketSend;                                                       \
    PFN_VMB_PACKET_SEND_WITH_EXTERNAL_MDL VmbPacketSendWithExternalMdl;                      \
    PFN_VMB_PACKET_SEND_WITH_EXTERNAL_PFNS VmbPacketSendWithExternalPfns;                    \
    PFN_VMB_PACKET_SET_COMPLETION_ROUTINE VmbPacketSetCompletionRoutine;                     \
    PFN_VMB_PACKET_SET_POINTER VmbPacketSetPointer;

/* [5.3] The 14 server-only function pointers, in the documented order. */
#define VMBSIM_KMCL_SERVER_ONLY_METHODS_FUNCTIONS                                            \
    PFN_VMB_CHANNEL_MAP_GPADL VmbChannelMapGpadl;                                            \
    PFN_VMB_CHANNEL_RESTORE_FROM_BUFFER VmbChannelRestoreFromBuffer;                         \
    PFN_VMB_CHANNEL_SAVE_BEGIN VmbChannelSaveBegin;                                          \
    PFN_VMB_CHANNEL_SAVE_CONTINUE VmbChannelSaveContinue;                                    \
    PFN_VMB_CHANNEL_SAVE_END VmbChannelSaveEnd;                                              \
    PFN_VMB_CHANNEL_UNMAP_GPADL VmbChannelUnmapGpadl;                                        \
    PFN_VMB_CONVERT_VMBUS_HANDLE_TO_KERNEL_HANDLE VmbConvertVmbusHandleToKernelHandle;       \
    PFN_VMB_PACKET_RESTORE VmbPacketRestore;                                                 \
    PFN_VMB_SERVER_CHANNEL_INIT_SET_FLAGS VmbServerChannelInitSetFlags;                      \
    PFN_VMB_SERVER_CHANNEL_INIT_SET_MMIO_MEGABYTES VmbServerChannelInitSetMmioMegabytes;     \
    PFN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS VmbServerChannelInitSetSaveRestorePacketCallbacks; \
    PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID VmbServerChannelInitSetTargetInterfaceId; \
    PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_VTL VmbServerChannelInitSetTargetVtl;             \
    PFN_VMB_SERVER_CHANNEL_INIT_SET_VMBUS_HANDLE VmbServerChannelInitSetVmbusHandle;

/* [5.2] Client table: INTERFACE header + 41 functions (0x168 bytes on x64). */
typedef struct _KMCL_CLIENT_INTERFACE_V1 {
    VMBSIM_KMCL_INTERFACE_HEADER_MEMBER
    VMBSIM_KMCL_CLIENT_INTERFACE_V1_FUNCTIONS
} KMCL_CLIENT_INTERFACE_V1;
typedef KMCL_CLIENT_INTERFACE_V1 *PKMCL_CLIENT_INTERFACE_V1;

/* [5.3] The server-only functions on their own (0x70 bytes on x64). */
typedef struct _KMCL_SERVER_ONLY_METHODS {
    VMBSIM_KMCL_SERVER_ONLY_METHODS_FUNCTIONS
} KMCL_SERVER_ONLY_METHODS;
typedef KMCL_SERVER_ONLY_METHODS *PKMCL_SERVER_ONLY_METHODS;

/* [5.3] Server table: the whole client table, then the server-only functions
 * (0x1D8 bytes on x64). (PKMCL_CLIENT_INTERFACE_V1)&siface is valid. */
typedef struct _KMCL_SERVER_INTERFACE_V1 {
    VMBSIM_KMCL_INTERFACE_HEADER_MEMBER
    VMBSIM_KMCL_CLIENT_INTERFACE_V1_FUNCTIONS
    VMBSIM_KMCL_SERVER_ONLY_METHODS_FUNCTIONS
} KMCL_SERVER_INTERFACE_V1;
typedef KMCL_SERVER_INTERFACE_V1 *PKMCL_SERVER_INTERFACE_V1;

/* [4.9] Interface type GUIDs for the query.
 *
 * These values are vmbsim-defined: the public sources name the GUIDs but do
 * not give their values, so vmbsim generated two random (version 4) GUIDs.
 * Drivers built against vmbsim and vmbsim itself agree on them; a binary
 * meant for the real Vmbkmcl.sys would need the real WDK values instead.
 *
 * They are static const so that every translation unit can take their
 * address without needing a definition elsewhere. Compare GUIDs by value,
 * never by address: each translation unit has its own copy.
 *
 * KMCL_CLIENT_INTERFACE_TYPE = {618d4ae9-2cb4-4e16-84b0-acda3f2b19e4}
 * KMCL_SERVER_INTERFACE_TYPE = {919b25d3-0029-4deb-9f5a-377f301bee56}
 */
static const GUID KMCL_CLIENT_INTERFACE_TYPE = {
    0x618d4ae9, 0x2cb4, 0x4e16, {0x84, 0xb0, 0xac, 0xda, 0x3f, 0x2b, 0x19, 0xe4}};
static const GUID KMCL_SERVER_INTERFACE_TYPE = {
    0x919b25d3, 0x0029, 0x4deb, {0x9f, 0x5a, 0x37, 0x7f, 0x30, 0x1b, 0xee, 0x56}};

VMBSIM_EXTERN_C_END

/* ========================================================================= */
/* Layout checks. The anonymous header must line up with INTERFACE on every */
/* target; absolute sizes and offsets are the documented x64 values.         */
/* ========================================================================= */

VMBSIM_STATIC_ASSERT(offsetof(KMCL_CLIENT_INTERFACE_V1, Size) == offsetof(INTERFACE, Size),
                     "client table: Size must line up with INTERFACE");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_CLIENT_INTERFACE_V1, Version) == offsetof(INTERFACE, Version),
                     "client table: Version must line up with INTERFACE");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_CLIENT_INTERFACE_V1, Context) == offsetof(INTERFACE, Context),
                     "client table: Context must line up with INTERFACE");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_CLIENT_INTERFACE_V1, InterfaceReference) ==
                         offsetof(INTERFACE, InterfaceReference),
                     "client table: InterfaceReference must line up with INTERFACE");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_CLIENT_INTERFACE_V1, InterfaceDereference) ==
                         offsetof(INTERFACE, InterfaceDereference),
                     "client table: InterfaceDereference must line up with INTERFACE");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbChannelAllocate) == sizeof(INTERFACE),
                     "client table: functions start right after INTERFACE");
VMBSIM_STATIC_ASSERT(sizeof(KMCL_CLIENT_INTERFACE_V1) == sizeof(INTERFACE) + 41 * sizeof(void (*)(void)),
                     "client table: INTERFACE + 41 pointers");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_SERVER_INTERFACE_V1, VmbChannelMapGpadl) == sizeof(KMCL_CLIENT_INTERFACE_V1),
                     "server table: server-only part follows the client table");
VMBSIM_STATIC_ASSERT(sizeof(KMCL_SERVER_INTERFACE_V1) ==
                         sizeof(KMCL_CLIENT_INTERFACE_V1) + sizeof(KMCL_SERVER_ONLY_METHODS),
                     "server table: client table + server-only methods");

#if VMBSIM_TARGET_64BIT
VMBSIM_STATIC_ASSERT(sizeof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS) == 0x30, "callbacks struct is 0x30 bytes on x64");
VMBSIM_STATIC_ASSERT(offsetof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS, EvtChannelOpened) == 0x08, "EvtChannelOpened");
VMBSIM_STATIC_ASSERT(offsetof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS, EvtChannelPostStarted) == 0x28,
                     "EvtChannelPostStarted");

VMBSIM_STATIC_ASSERT(sizeof(KMCL_CLIENT_INTERFACE_V1) == 0x168, "KMCL_CLIENT_INTERFACE_V1 is 0x168 bytes on x64");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_CLIENT_INTERFACE_V1, Context) == 0x08, "Context");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_CLIENT_INTERFACE_V1, InterfaceDereference) == 0x18, "InterfaceDereference");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbChannelAllocate) == 0x20, "VmbChannelAllocate");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbChannelGetMmioSpace) == 0x60, "VmbChannelGetMmioSpace");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbChannelPacketComplete) == 0xA8,
                     "VmbChannelPacketComplete");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbChannelStart) == 0x100, "VmbChannelStart");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbPacketAllocate) == 0x118, "VmbPacketAllocate");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbPacketSetPointer) == 0x160, "VmbPacketSetPointer");

VMBSIM_STATIC_ASSERT(sizeof(KMCL_SERVER_ONLY_METHODS) == 0x70, "KMCL_SERVER_ONLY_METHODS is 14 pointers");
VMBSIM_STATIC_ASSERT(sizeof(KMCL_SERVER_INTERFACE_V1) == 0x1D8, "KMCL_SERVER_INTERFACE_V1 is 0x1D8 bytes on x64");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_SERVER_INTERFACE_V1, VmbPacketSetPointer) == 0x160, "server: VmbPacketSetPointer");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_SERVER_INTERFACE_V1, VmbChannelMapGpadl) == 0x168, "server: VmbChannelMapGpadl");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_SERVER_INTERFACE_V1, VmbServerChannelInitSetTargetInterfaceId) == 0x1C0,
                     "server: VmbServerChannelInitSetTargetInterfaceId");
VMBSIM_STATIC_ASSERT(offsetof(KMCL_SERVER_INTERFACE_V1, VmbServerChannelInitSetVmbusHandle) == 0x1D0,
                     "server: VmbServerChannelInitSetVmbusHandle");
#endif

#endif /* VMBSIM_VMBUSKERNELMODECLIENTLIBAPI_H */
