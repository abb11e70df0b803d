/*
 * ping_driver.c - see ping_driver.h.
 */
#include "ping_driver.h"

#include <string.h>

static EVT_VMB_CHANNEL_PROCESS_PACKET PingEvtProcessPacket;
static EVT_VMB_PACKET_COMPLETION_ROUTINE PingCompletion;

static VOID PingEvtProcessPacket(_In_ VMBCHANNEL Channel, _In_ VMBPACKETCOMPLETION Packet,
                                 _In_reads_bytes_(BufferLength) PVOID Buffer, _In_ UINT32 BufferLength,
                                 _In_ UINT32 Flags)
{
    PPING_DRIVER driver = (PPING_DRIVER)VmbChannelGetPointer(Channel);

    UNREFERENCED_PARAMETER(Buffer);
    UNREFERENCED_PARAMETER(BufferLength);
    UNREFERENCED_PARAMETER(Flags);
    /* The protocol has no host-initiated messages, but an unanswered one would hold the host's
     * transaction open forever. */
    driver->Kmcl.VmbChannelPacketComplete(Packet, NULL, 0);
}

static VOID PingCompletion(_In_ VMBPACKET Packet, _In_ NTSTATUS Status,
                           _In_reads_bytes_opt_(BufferLength) PVOID Buffer, _In_ UINT32 BufferLength)
{
    PPING_DRIVER driver = (PPING_DRIVER)VmbChannelGetPointer(VmbPacketGetChannel(Packet));
    PING_MESSAGE pong;

    /* Host bytes are untrusted and need not be aligned: check the length, then copy. */
    memset(&pong, 0, sizeof(pong));
    if (NT_SUCCESS(Status) && Buffer != NULL && BufferLength >= sizeof(pong)) {
        memcpy(&pong, Buffer, sizeof(pong));
    }
    if (pong.Type == PING_MSG_PONG) {
        driver->Answered++;
        driver->LastValue = pong.Value;
    } else {
        driver->Failed++;
    }
    /* Setting a completion routine made the packet ours to free. */
    driver->Kmcl.VmbPacketFree(Packet);
}

NTSTATUS PingDriverAdd(_In_ WDFDEVICE Device, _Out_ PPING_DRIVER Driver)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl = &Driver->Kmcl;
    NTSTATUS status;

    memset(Driver, 0, sizeof(*Driver));
    status = WdfFdoQueryForInterface(Device, &KMCL_CLIENT_INTERFACE_TYPE, (PINTERFACE)kmcl, sizeof(*kmcl),
                                     KMCL_CLIENT_INTERFACE_VERSION_V1, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = kmcl->VmbChannelAllocate(WdfDeviceWdmGetDeviceObject(Device), FALSE, &Driver->Channel);
    if (!NT_SUCCESS(status)) {
        goto Dereference;
    }
    kmcl->VmbChannelSetPointer(Driver->Channel, Driver);
    status = kmcl->VmbChannelInitSetMaximumPacketSize(Driver->Channel, sizeof(PING_MESSAGE));
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }
    status = kmcl->VmbChannelInitSetProcessPacketCallbacks(Driver->Channel, PingEvtProcessPacket, NULL);
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }
    status = kmcl->VmbChannelEnable(Driver->Channel);
    if (!NT_SUCCESS(status)) {
        goto Cleanup;
    }
    return STATUS_SUCCESS;

Cleanup:
    kmcl->VmbChannelCleanup(Driver->Channel);
    Driver->Channel = NULL;
Dereference:
    kmcl->InterfaceDereference(kmcl->Context);
    return status;
}

NTSTATUS PingDriverSend(_In_ PPING_DRIVER Driver, _In_ UINT32 Value)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl = &Driver->Kmcl;
    PING_MESSAGE ping;
    VMBPACKET packet;
    NTSTATUS status;

    packet = kmcl->VmbPacketAllocate(Driver->Channel);
    if (packet == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ping.Type = PING_MSG_PING;
    ping.Value = Value;
    kmcl->VmbPacketSetCompletionRoutine(packet, PingCompletion);
    /* The send copies the inline buffer, so `ping` may leave scope before the completion. */
    status = kmcl->VmbPacketSend(packet, &ping, sizeof(ping), NULL, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
    if (!NT_SUCCESS(status)) {
        kmcl->VmbPacketFree(packet);
        return status;
    }
    Driver->Sent++;
    return STATUS_SUCCESS;
}

VOID PingDriverRemove(_In_ PPING_DRIVER Driver)
{
    PKMCL_CLIENT_INTERFACE_V1 kmcl = &Driver->Kmcl;

    kmcl->VmbChannelDisable(Driver->Channel);
    kmcl->VmbChannelCleanup(Driver->Channel);
    Driver->Channel = NULL;
    kmcl->InterfaceDereference(kmcl->Context);
}
