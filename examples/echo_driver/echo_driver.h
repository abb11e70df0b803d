/*
 * echo_driver.h - the sample KMCL client driver's entry points, as a test harness or the
 * demo calls them (in Windows, EvtDriverDeviceAdd / EvtDeviceReleaseHardware would).
 */
#ifndef ECHO_DRIVER_H
#define ECHO_DRIVER_H

#include <ntddk.h>
#include <wdf.h>
#include <vmbuskernelmodeclientlibapi.h>

#include "echo_protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _ECHO_STATS {
    ULONG Opened;              /* EvtChannelOpened calls */
    ULONG Closed;              /* EvtChannelClosed calls */
    ULONG Suspended;           /* EvtChannelSuspend calls */
    ULONG PostStarted;         /* EvtChannelPostStarted calls */
    ULONG NegotiatedVersion;   /* 0 until version negotiation succeeded */
    NTSTATUS NegotiationStatus;
    ULONG RequestsSent;        /* echo requests accepted by VmbPacketSend */
    ULONG ResponsesOk;         /* completions whose echo matched */
    ULONG ResponsesBad;        /* completions with a wrong sequence, length or status */
    ULONG Cancelled;           /* completions with a failure status (e.g. STATUS_CANCELLED) */
    ULONG LastCompletedSequence;
    ULONG OutOfOrder;          /* completions that arrived out of sequence order */
    ULONG NotificationsSeen;   /* host-initiated packets processed */
    ULONG NotificationsAcked;  /* of those, completed with a NOTIFY_ACK */
    ULONG BadIncoming;         /* malformed host packets */
    ULONG ProcessingBatches;   /* EvtVmbChannelProcessingComplete calls */
} ECHO_STATS;

typedef struct _ECHO_DEVICE_CONTEXT {
    WDFDEVICE Device;
    KMCL_CLIENT_INTERFACE_V1 Kmcl;   /* the function table, from WdfFdoQueryForInterface */
    VMBCHANNEL Channel;
    BOOLEAN ChannelOpen;
    ULONG NextSequence;
    ECHO_STATS Stats;
} ECHO_DEVICE_CONTEXT, *PECHO_DEVICE_CONTEXT;

/* Queries the KMCL table, allocates, configures and enables the channel. */
NTSTATUS EchoDeviceAdd(_In_ WDFDEVICE Device, _Out_ PECHO_DEVICE_CONTEXT Context);

/* Sends one echo request carrying Length bytes (completion requested). */
NTSTATUS EchoSendRequest(_In_ PECHO_DEVICE_CONTEXT Context, _In_reads_bytes_(Length) const void* Data,
                         _In_ ULONG Length);

/* Disables and cleans up the channel and releases the interface. */
VOID EchoDeviceRemove(_In_ PECHO_DEVICE_CONTEXT Context);

#ifdef __cplusplus
}
#endif

#endif /* ECHO_DRIVER_H */
