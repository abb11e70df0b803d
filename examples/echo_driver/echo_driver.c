/*
 * echo_driver.c - a sample VMBus client driver (VSC) written the way a Windows KMCL driver is:
 * it obtains the KMCL function table with WdfFdoQueryForInterface, registers state-change and
 * receive callbacks, negotiates a protocol version with a synchronous request from
 * EvtChannelPostStarted, sends requests that ask for completions, processes and completes
 * host-initiated packets, and tears everything down. Nothing in it knows about vmbsim.
 */
#include "echo_driver.h"

#include <string.h>

/* The channel's context pointer leads back to the device context. */
#ifdef ECHO_WITH_BUGS
#define ECHO_BUG(Context, Bug) (((Context)->InjectedBugs & (Bug)) != 0)
#else
#define ECHO_BUG(Context, Bug) 0
#endif

static PECHO_DEVICE_CONTEXT EchoContextFromChannel(VMBCHANNEL Channel, PKMCL_CLIENT_INTERFACE_V1* Kmcl)
{
    /* A real driver would use a WDF context; the KMCL table is only reachable from it, so the
     * channel pointer is read through the direct-call export here. */
    PECHO_DEVICE_CONTEXT context = (PECHO_DEVICE_CONTEXT)VmbChannelGetPointer(Channel);
    *Kmcl = &context->Kmcl;
    return context;
}

static EVT_VMB_CHANNEL_OPENED EchoEvtChannelOpened;
static EVT_VMB_CHANNEL_CLOSED EchoEvtChannelClosed;
static EVT_VMB_CHANNEL_SUSPEND EchoEvtChannelSuspend;
static EVT_VMB_CHANNEL_STARTED EchoEvtChannelStarted;
static EVT_VMB_CHANNEL_POST_STARTED EchoEvtChannelPostStarted;
static EVT_VMB_CHANNEL_PROCESS_PACKET EchoEvtProcessPacket;
static EVT_VMB_CHANNEL_PROCESSING_COMPLETE EchoEvtProcessingComplete;
static EVT_VMB_PACKET_COMPLETION_ROUTINE EchoRequestCompletion;

static NTSTATUS EchoEvtChannelOpened(_In_ VMBCHANNEL Channel)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl;
    PECHO_DEVICE_CONTEXT context = EchoContextFromChannel(Channel, &kmcl);
    context->Stats.Opened++;
    context->ChannelOpen = TRUE;
    return STATUS_SUCCESS;
}

static VOID EchoEvtChannelClosed(_In_ VMBCHANNEL Channel)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl;
    PECHO_DEVICE_CONTEXT context = EchoContextFromChannel(Channel, &kmcl);
    context->Stats.Closed++;
    context->ChannelOpen = FALSE;
}

static VOID EchoEvtChannelSuspend(_In_ VMBCHANNEL Channel)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl;
    PECHO_DEVICE_CONTEXT context = EchoContextFromChannel(Channel, &kmcl);
    /* Every incoming packet is completed inline, so nothing is held here. */
    context->Stats.Suspended++;
    context->Suspended = TRUE;
}

static VOID EchoEvtChannelStarted(_In_ VMBCHANNEL Channel)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl;
    PECHO_DEVICE_CONTEXT context = EchoContextFromChannel(Channel, &kmcl);
    /* Nothing may block here: the incoming queue is not running yet. */
    context->Suspended = FALSE;
}

/* The bookkeeping slot of a request, by its sequence; NULL if untracked. */
static ECHO_IN_FLIGHT* EchoFindInFlight(_In_ PECHO_DEVICE_CONTEXT Context, _In_ ULONG Sequence)
{
    ULONG i;
    if (Sequence == 0) {
        return NULL;
    }
    for (i = 0; i < ECHO_MAX_TRACKED; i++) {
        if (Context->InFlight[i].Sequence == Sequence) {
            return &Context->InFlight[i];
        }
    }
    return NULL;
}

static VOID EchoEvtChannelPostStarted(_In_ VMBCHANNEL Channel)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl;
    PECHO_DEVICE_CONTEXT context = EchoContextFromChannel(Channel, &kmcl);
    static const ULONG versions[] = {ECHO_PROTOCOL_VERSION_2, ECHO_PROTOCOL_VERSION_1};
    ULONG i;

    context->Stats.PostStarted++;
    /* Protocol negotiation belongs here: packets can be received, so waiting is fine. */
    for (i = 0; i < sizeof(versions) / sizeof(versions[0]); ++i) {
        ECHO_VERSION_MESSAGE request;
        ECHO_VERSION_MESSAGE response;
        UINT32 responseSize = sizeof(response);
        LARGE_INTEGER timeout;
        NTSTATUS status;

        memset(&request, 0, sizeof(request));
        memset(&response, 0, sizeof(response));
        request.Header.Type = ECHO_MSG_VERSION_REQUEST;
        request.Version = versions[i];
        timeout.QuadPart = -10 * 1000 * 1000; /* one second, relative */

        status = kmcl->VmbChannelSendSynchronousRequest(Channel, &request, sizeof(request), NULL,
                                                         VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
                                                         &response, &responseSize, &timeout);
        context->Stats.NegotiationStatus = status;
        if (!NT_SUCCESS(status)) {
            return;
        }
        if (responseSize >= sizeof(response) && response.Header.Type == ECHO_MSG_VERSION_RESPONSE &&
            response.Header.Status == ECHO_STATUS_OK) {
            context->Stats.NegotiatedVersion = response.Version;
            return;
        }
    }
    context->Stats.NegotiationStatus = STATUS_NOT_SUPPORTED;
}

static VOID EchoRequestCompletion(_In_ VMBPACKET Packet, _In_ NTSTATUS Status,
                                  _In_reads_bytes_opt_(BufferLength) PVOID Buffer, _In_ UINT32 BufferLength)
{
    VMBCHANNEL channel = VmbPacketGetChannel(Packet);
    PKMCL_CLIENT_INTERFACE_V1 kmcl;
    PECHO_DEVICE_CONTEXT context = EchoContextFromChannel(channel, &kmcl);
    ULONG sequence = (ULONG)(ULONG_PTR)kmcl->VmbPacketGetPointer(Packet);
    const ECHO_DATA_MESSAGE* response = (const ECHO_DATA_MESSAGE*)Buffer;
    ECHO_IN_FLIGHT* slot = EchoFindInFlight(context, sequence);
    BOOLEAN bad = FALSE;

    if (!NT_SUCCESS(Status)) {
        context->Stats.Cancelled++;
    } else if (Buffer == NULL || BufferLength < sizeof(ECHO_DATA_MESSAGE) ||
               response->Header.Type != ECHO_MSG_ECHO_RESPONSE || response->Header.Status != ECHO_STATUS_OK ||
               response->Sequence != sequence ||
               response->Length > BufferLength - sizeof(ECHO_DATA_MESSAGE)) {
        context->Stats.ResponsesBad++;
        bad = TRUE;
    } else {
        context->Stats.ResponsesOk++;
        if (sequence < context->Stats.LastCompletedSequence) {
            context->Stats.OutOfOrder++;
        }
        context->Stats.LastCompletedSequence = sequence;
    }
    if (!NT_SUCCESS(Status) && ECHO_BUG(context, ECHO_BUG_LEAK_ON_FAILURE)) {
        return;
    }
    if (Status == STATUS_CANCELLED && context->Suspended && !context->Removing &&
        ECHO_BUG(context, ECHO_BUG_LEAK_ON_RESCIND)) {
        /* "The host is gone, nothing to do": but the packet is still ours. */
        return;
    }
    if (ECHO_BUG(context, ECHO_BUG_TXID_CONFUSION) && NT_SUCCESS(Status) && Buffer != NULL &&
        BufferLength >= sizeof(ECHO_DATA_MESSAGE) && response->Sequence != sequence) {
        /* Trusts the host's sequence number to say which request this completes. */
        ECHO_IN_FLIGHT* named = EchoFindInFlight(context, response->Sequence);
        if (named != NULL) {
            VMBPACKET other = named->Packet;
            named->Sequence = 0;
            kmcl->VmbPacketFree(other);
            return;
        }
    }
    if (slot != NULL) {
        slot->Sequence = 0;
    }
    /* We replaced the default completion routine, so the packet is ours to free. */
    kmcl->VmbPacketFree(Packet);
    if (ECHO_BUG(context, ECHO_BUG_DOUBLE_FREE)) {
        kmcl->VmbPacketFree(Packet);
    }
    if (bad && ECHO_BUG(context, ECHO_BUG_USE_AFTER_COMPLETION)) {
        /* Logs which request went wrong, from the packet it has just freed. */
        context->Stats.LastCompletedSequence = (ULONG)(ULONG_PTR)kmcl->VmbPacketGetPointer(Packet);
    }
}

static VOID EchoEvtProcessPacket(_In_ VMBCHANNEL Channel, _In_ VMBPACKETCOMPLETION Packet,
                                 _In_reads_bytes_(BufferLength) PVOID Buffer, _In_ UINT32 BufferLength,
                                 _In_ UINT32 Flags)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl;
    PECHO_DEVICE_CONTEXT context = EchoContextFromChannel(Channel, &kmcl);
    const ECHO_NOTIFY_MESSAGE* notify = (const ECHO_NOTIFY_MESSAGE*)Buffer;
    ECHO_NOTIFY_MESSAGE ack;

    UNREFERENCED_PARAMETER(Flags);
    memset(&ack, 0, sizeof(ack));
    ack.Header.Type = ECHO_MSG_NOTIFY_ACK;

    /* Host bytes are untrusted: check the length before looking inside. */
    if ((BufferLength < sizeof(ECHO_NOTIFY_MESSAGE) && !ECHO_BUG(context, ECHO_BUG_TRUST_LENGTH)) ||
        notify->Header.Type != ECHO_MSG_NOTIFY) {
        context->Stats.BadIncoming++;
        ack.Header.Status = ECHO_STATUS_BAD_MESSAGE;
        kmcl->VmbChannelPacketComplete(Packet, &ack, sizeof(ack.Header));
        return;
    }
    context->Stats.NotificationsSeen++;
    ack.Event = notify->Event;
    ack.Value = notify->Value;
    if (ECHO_BUG(context, ECHO_BUG_KEEP_NOTIFY)) {
        return;
    }
    context->Stats.NotificationsAcked++;
    kmcl->VmbChannelPacketComplete(Packet, &ack, sizeof(ack));
    if (ECHO_BUG(context, ECHO_BUG_COMPLETE_TWICE)) {
        kmcl->VmbChannelPacketComplete(Packet, &ack, sizeof(ack));
    }
}

static VOID EchoEvtProcessingComplete(_In_ VMBCHANNEL Channel, _In_ UINT32 PacketsProcessed)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl;
    PECHO_DEVICE_CONTEXT context = EchoContextFromChannel(Channel, &kmcl);
    UNREFERENCED_PARAMETER(PacketsProcessed);
    context->Stats.ProcessingBatches++;
}

NTSTATUS EchoDeviceAdd(_In_ WDFDEVICE Device, _Out_ PECHO_DEVICE_CONTEXT Context)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl = &Context->Kmcl;
    VMB_CHANNEL_STATE_CHANGE_CALLBACKS callbacks;
    UNICODE_STRING name;
    static const WCHAR nameBuffer[] = {'E', 'c', 'h', 'o'};
    NTSTATUS status;

    memset(Context, 0, sizeof(*Context));
    Context->Device = Device;
    Context->NextSequence = 1;

    status = WdfFdoQueryForInterface(Device, &KMCL_CLIENT_INTERFACE_TYPE, (PINTERFACE)kmcl,
                                     sizeof(*kmcl), KMCL_CLIENT_INTERFACE_VERSION_V1, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    status = kmcl->VmbChannelAllocate(WdfDeviceWdmGetDeviceObject(Device), FALSE, &Context->Channel);
    if (!NT_SUCCESS(status)) {
        goto ReleaseInterface;
    }
    kmcl->VmbChannelSetPointer(Context->Channel, Context);

    status = kmcl->VmbChannelInitSetMaximumPacketSize(Context->Channel, (UINT32)ECHO_MAX_MESSAGE);
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }
    status = kmcl->VmbClientChannelInitSetRingBufferPageCount(Context->Channel, 4, 4);
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }
    name.Buffer = (PWSTR)nameBuffer;
    name.Length = sizeof(nameBuffer);
    name.MaximumLength = sizeof(nameBuffer);
    status = kmcl->VmbChannelInitSetFriendlyName(Context->Channel, &name);
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }

    VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&callbacks);
    callbacks.EvtChannelOpened = EchoEvtChannelOpened;
    callbacks.EvtChannelClosed = EchoEvtChannelClosed;
    callbacks.EvtChannelSuspend = EchoEvtChannelSuspend;
    callbacks.EvtChannelStarted = EchoEvtChannelStarted;
    callbacks.EvtChannelPostStarted = EchoEvtChannelPostStarted;
    status = kmcl->VmbChannelInitSetStateChangeCallbacks(Context->Channel, &callbacks);
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }
    status = kmcl->VmbChannelInitSetProcessPacketCallbacks(Context->Channel, EchoEvtProcessPacket,
                                                           EchoEvtProcessingComplete);
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }

    status = kmcl->VmbChannelEnable(Context->Channel);
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }
    return STATUS_SUCCESS;

Cleanup:
    kmcl->VmbChannelCleanup(Context->Channel);
    Context->Channel = NULL;
ReleaseInterface:
    kmcl->InterfaceDereference(kmcl->Context);
    return status;
}

NTSTATUS EchoSendRequest(_In_ PECHO_DEVICE_CONTEXT Context, _In_reads_bytes_(Length) const void* Data,
                         _In_ ULONG Length)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl = &Context->Kmcl;
    union {
        ECHO_DATA_MESSAGE Message;
        UCHAR Bytes[ECHO_MAX_MESSAGE];
    } buffer;
    VMBPACKET packet;
    ULONG sequence;
    NTSTATUS status;

    if (Length > ECHO_MAX_DATA) {
        return STATUS_INVALID_PARAMETER;
    }
    packet = kmcl->VmbPacketAllocate(Context->Channel);
    if (packet == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    sequence = Context->NextSequence++;
    memset(&buffer.Message, 0, sizeof(buffer.Message));
    buffer.Message.Header.Type = ECHO_MSG_ECHO_REQUEST;
    buffer.Message.Sequence = sequence;
    buffer.Message.Length = Length;
    if (Length > 0) {
        memcpy(buffer.Message.Data, Data, Length);
    }
    kmcl->VmbPacketSetPointer(packet, (PVOID)(ULONG_PTR)sequence);
    kmcl->VmbPacketSetCompletionRoutine(packet, EchoRequestCompletion);
    {
        /* Bookkeeping only: past ECHO_MAX_TRACKED requests in flight, the rest go untracked. */
        ULONG i;
        for (i = 0; i < ECHO_MAX_TRACKED; i++) {
            if (Context->InFlight[i].Sequence == 0) {
                Context->InFlight[i].Sequence = sequence;
                Context->InFlight[i].Packet = packet;
                break;
            }
        }
    }
    /* The inline buffer is copied by the send, so the stack buffer may go away afterwards. */
    status = kmcl->VmbPacketSend(packet, &buffer, (UINT32)(sizeof(ECHO_DATA_MESSAGE) + Length), NULL,
                                 VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
    if (!NT_SUCCESS(status)) {
        ECHO_IN_FLIGHT* slot = EchoFindInFlight(Context, sequence);
        if (slot != NULL) {
            slot->Sequence = 0;
        }
        kmcl->VmbPacketFree(packet);
        return status;
    }
    Context->Stats.RequestsSent++;
    if (ECHO_BUG(Context, ECHO_BUG_FREE_AFTER_SEND)) {
        kmcl->VmbPacketFree(packet);
    }
    return STATUS_SUCCESS;
}

NTSTATUS EchoReconnect(_In_ PECHO_DEVICE_CONTEXT Context)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl = &Context->Kmcl;
    if (Context->Channel == NULL || Context->ChannelOpen) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    /* A client channel the host closed falls back to Disabled only once Disable has run. */
    kmcl->VmbChannelDisable(Context->Channel);
    return kmcl->VmbChannelEnable(Context->Channel);
}

VOID EchoDeviceRemove(_In_ PECHO_DEVICE_CONTEXT Context)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl = &Context->Kmcl;
    Context->Removing = TRUE;
    if (Context->Channel != NULL) {
        kmcl->VmbChannelDisable(Context->Channel);
        kmcl->VmbChannelCleanup(Context->Channel);
        Context->Channel = NULL;
    }
    kmcl->InterfaceDereference(kmcl->Context);
}
