/*
 * storage_driver.c - a sample block-storage VMBus client driver (a VSC like storvsc), written
 * as a Windows KMCL driver is. It shows the external-data side of KMCL:
 *   - a GPADL over a page shared with the host, created in EvtChannelOpened and deleted in
 *     EvtChannelClosed;
 *   - an INIT handshake from EvtChannelPostStarted that tells the host the GPADL handle;
 *   - reads and writes whose data buffers travel as external data (an MDL per request, sent
 *     with VmbPacketSendWithExternalMdl, so the host reads or fills the pages directly).
 * Nothing in it knows about vmbsim.
 */
#include "storage_driver.h"

#include <string.h>

static EVT_VMB_CHANNEL_OPENED StorEvtChannelOpened;
static EVT_VMB_CHANNEL_CLOSED StorEvtChannelClosed;
static EVT_VMB_CHANNEL_POST_STARTED StorEvtChannelPostStarted;
static EVT_VMB_CHANNEL_PROCESS_PACKET StorEvtProcessPacket;
static EVT_VMB_PACKET_COMPLETION_ROUTINE StorIoCompletion;

static PSTOR_DEVICE_CONTEXT StorContext(VMBCHANNEL Channel)
{
    return (PSTOR_DEVICE_CONTEXT)VmbChannelGetPointer(Channel);
}

static NTSTATUS StorEvtChannelOpened(_In_ VMBCHANNEL Channel)
{
    PSTOR_DEVICE_CONTEXT context = StorContext(Channel);
    context->Stats.Opened++;
    memset(context->StatusPage, 0, sizeof(context->StatusPage));
    /* Long-lived shared buffers are set up here: the GPADL exists before any traffic. */
    return context->Kmcl.VmbChannelCreateGpadlFromBuffer(Channel, 0, context->StatusPage,
                                                         sizeof(context->StatusPage),
                                                         &context->StatusPageGpadl);
}

static VOID StorEvtChannelClosed(_In_ VMBCHANNEL Channel)
{
    PSTOR_DEVICE_CONTEXT context = StorContext(Channel);
    context->Stats.Closed++;
    /* Every GPADL must be gone when this callback returns. */
    if (context->StatusPageGpadl != 0) {
        context->Kmcl.VmbChannelDeleteGpadl(Channel, context->StatusPageGpadl);
        context->StatusPageGpadl = 0;
    }
}

static VOID StorEvtChannelPostStarted(_In_ VMBCHANNEL Channel)
{
    PSTOR_DEVICE_CONTEXT context = StorContext(Channel);
    STOR_INIT init;
    STOR_COMPLETION reply;
    UINT32 replySize = sizeof(reply);
    LARGE_INTEGER timeout;

    context->Stats.PostStarted++;
    memset(&init, 0, sizeof(init));
    memset(&reply, 0, sizeof(reply));
    init.Header.Type = STOR_MSG_INIT;
    init.StatusPageGpadl = context->StatusPageGpadl;
    timeout.QuadPart = -10 * 1000 * 1000;
    context->Stats.InitStatus = context->Kmcl.VmbChannelSendSynchronousRequest(
        Channel, &init, sizeof(init), NULL, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION, &reply, &replySize,
        &timeout);
    if (NT_SUCCESS(context->Stats.InitStatus) && (replySize < sizeof(reply) || reply.Status != STOR_OK)) {
        context->Stats.InitStatus = STATUS_UNSUCCESSFUL;
    }
}

static VOID StorEvtProcessPacket(_In_ VMBCHANNEL Channel, _In_ VMBPACKETCOMPLETION Packet,
                                 _In_reads_bytes_(BufferLength) PVOID Buffer, _In_ UINT32 BufferLength,
                                 _In_ UINT32 Flags)
{
    /* This protocol has no host-initiated messages: complete whatever arrives. */
    UNREFERENCED_PARAMETER(Buffer);
    UNREFERENCED_PARAMETER(BufferLength);
    UNREFERENCED_PARAMETER(Flags);
    StorContext(Channel)->Kmcl.VmbChannelPacketComplete(Packet, NULL, 0);
}

static VOID StorIoCompletion(_In_ VMBPACKET Packet, _In_ NTSTATUS Status,
                             _In_reads_bytes_opt_(BufferLength) PVOID Buffer, _In_ UINT32 BufferLength)
{
    VMBCHANNEL channel = VmbPacketGetChannel(Packet);
    PSTOR_DEVICE_CONTEXT context = StorContext(channel);
    PMDL mdl = (PMDL)context->Kmcl.VmbPacketGetPointer(Packet);
    const STOR_COMPLETION* completion = (const STOR_COMPLETION*)Buffer;

    if (!NT_SUCCESS(Status)) {
        context->Stats.IosCancelled++;
    } else if (Buffer == NULL || BufferLength < sizeof(STOR_COMPLETION) || completion->Status != STOR_OK) {
        context->Stats.IosFailed++;
        context->Stats.LastError = (Buffer != NULL && BufferLength >= sizeof(STOR_COMPLETION))
                                       ? completion->Status
                                       : STOR_ERROR_PROTOCOL;
    } else {
        context->Stats.IosSucceeded++;
    }
    /* The transaction is over: the host no longer touches the pages, so the MDL can go. */
    IoFreeMdl(mdl);
    context->Kmcl.VmbPacketFree(Packet);
}

NTSTATUS StorDeviceAdd(_In_ WDFDEVICE Device, _Out_ PSTOR_DEVICE_CONTEXT Context)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl = &Context->Kmcl;
    VMB_CHANNEL_STATE_CHANGE_CALLBACKS callbacks;
    NTSTATUS status;

    memset(Context, 0, sizeof(*Context));
    Context->Device = Device;
    Context->NextTag = 1;

    status = WdfFdoQueryForInterface(Device, &KMCL_CLIENT_INTERFACE_TYPE, (PINTERFACE)kmcl, sizeof(*kmcl),
                                     KMCL_CLIENT_INTERFACE_VERSION_V1, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = kmcl->VmbChannelAllocate(WdfDeviceWdmGetDeviceObject(Device), FALSE, &Context->Channel);
    if (!NT_SUCCESS(status)) {
        kmcl->InterfaceDereference(kmcl->Context);
        return status;
    }
    kmcl->VmbChannelSetPointer(Context->Channel, Context);

    status = kmcl->VmbChannelInitSetMaximumPacketSize(Context->Channel, sizeof(STOR_IO));
    if (NT_SUCCESS(status)) {
        status = kmcl->VmbChannelInitSetMaximumExternalData(Context->Channel, STOR_MAX_TRANSFER, 1);
    }
    if (NT_SUCCESS(status)) {
        VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&callbacks);
        callbacks.EvtChannelOpened = StorEvtChannelOpened;
        callbacks.EvtChannelClosed = StorEvtChannelClosed;
        callbacks.EvtChannelPostStarted = StorEvtChannelPostStarted;
        status = kmcl->VmbChannelInitSetStateChangeCallbacks(Context->Channel, &callbacks);
    }
    if (NT_SUCCESS(status)) {
        status = kmcl->VmbChannelInitSetProcessPacketCallbacks(Context->Channel, StorEvtProcessPacket, NULL);
    }
    if (NT_SUCCESS(status)) {
        status = kmcl->VmbChannelEnable(Context->Channel);
    }
    if (!NT_SUCCESS(status)) {
        kmcl->VmbChannelCleanup(Context->Channel);
        Context->Channel = NULL;
        kmcl->InterfaceDereference(kmcl->Context);
    }
    return status;
}

NTSTATUS StorSubmitIo(_In_ PSTOR_DEVICE_CONTEXT Context, _In_ BOOLEAN Write, _In_ UINT64 Sector,
                      _In_ ULONG SectorCount, _Inout_ PVOID Buffer)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl = &Context->Kmcl;
    ULONG length = SectorCount * STOR_SECTOR_SIZE;
    STOR_IO io;
    VMBPACKET packet;
    PMDL mdl;
    NTSTATUS status;

    if (SectorCount == 0 || length > STOR_MAX_TRANSFER) {
        return STATUS_INVALID_PARAMETER;
    }
    mdl = IoAllocateMdl(Buffer, length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    MmBuildMdlForNonPagedPool(mdl);
    packet = kmcl->VmbPacketAllocate(Context->Channel);
    if (packet == NULL) {
        IoFreeMdl(mdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memset(&io, 0, sizeof(io));
    io.Header.Type = Write ? STOR_MSG_WRITE : STOR_MSG_READ;
    io.Header.Tag = Context->NextTag++;
    io.Sector = Sector;
    io.SectorCount = SectorCount;
    kmcl->VmbPacketSetPointer(packet, mdl);
    kmcl->VmbPacketSetCompletionRoutine(packet, StorIoCompletion);
    status = kmcl->VmbPacketSendWithExternalMdl(packet, &io, sizeof(io), mdl, 0, 0,
                                                VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
    if (!NT_SUCCESS(status)) {
        kmcl->VmbPacketFree(packet);
        IoFreeMdl(mdl);
        return status;
    }
    Context->Stats.IosSubmitted++;
    return STATUS_SUCCESS;
}

const STOR_STATUS_PAGE* StorStatusPage(_In_ PSTOR_DEVICE_CONTEXT Context)
{
    return (const STOR_STATUS_PAGE*)Context->StatusPage;
}

VOID StorDeviceRemove(_In_ PSTOR_DEVICE_CONTEXT Context)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl = &Context->Kmcl;
    if (Context->Channel != NULL) {
        kmcl->VmbChannelDisable(Context->Channel);
        kmcl->VmbChannelCleanup(Context->Channel);
        Context->Channel = NULL;
    }
    kmcl->InterfaceDereference(kmcl->Context);
}
