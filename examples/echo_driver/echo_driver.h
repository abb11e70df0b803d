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

/* Deliberate bugs of the kinds real VMBus drivers have had, to show what vmbsim catches
 * (scenarios/buggy_echo_*.yaml). Only a build with ECHO_WITH_BUGS defined honours them: the
 * sample itself, and every other build of it, compiles them out. */
#define ECHO_BUG_DOUBLE_FREE 0x01u      /* the completion routine frees its packet twice (rule 40) */
#define ECHO_BUG_LEAK_ON_FAILURE 0x02u  /* a failed completion never frees its packet (rule 43) */
#define ECHO_BUG_KEEP_NOTIFY 0x04u      /* notifications are never completed (rules 23, 53) */
#define ECHO_BUG_COMPLETE_TWICE 0x08u   /* notifications are completed twice (rule 54) */
#define ECHO_BUG_FREE_AFTER_SEND 0x10u  /* a sent packet is freed before its completion (rule 41) */
#define ECHO_BUG_TRUST_LENGTH 0x20u     /* notification fields read without checking the length */
#define ECHO_BUG_USE_AFTER_COMPLETION 0x40u /* a bad response is logged from its packet after the free (rule 2) */
#define ECHO_BUG_LEAK_ON_RESCIND 0x80u  /* requests cancelled by a host close/rescind are never freed (rule 43) */
#define ECHO_BUG_TXID_CONFUSION 0x100u  /* a completion frees the request named by the response's sequence (rule 41) */

/* Requests in flight, for bookkeeping (which packet carries which sequence). */
#define ECHO_MAX_TRACKED 64u
typedef struct _ECHO_IN_FLIGHT {
    ULONG Sequence;   /* 0: a free slot */
    VMBPACKET Packet;
} ECHO_IN_FLIGHT;

typedef struct _ECHO_DEVICE_CONTEXT {
    WDFDEVICE Device;
    KMCL_CLIENT_INTERFACE_V1 Kmcl;   /* the function table, from WdfFdoQueryForInterface */
    VMBCHANNEL Channel;
    BOOLEAN ChannelOpen;
    ULONG NextSequence;
    ECHO_STATS Stats;
    BOOLEAN Removing;                /* EchoDeviceRemove is tearing the channel down */
    BOOLEAN Suspended;               /* between EvtChannelSuspend and the next EvtChannelStarted */
    ECHO_IN_FLIGHT InFlight[ECHO_MAX_TRACKED];
    ULONG InjectedBugs;              /* ECHO_BUG_*; see above */
} ECHO_DEVICE_CONTEXT, *PECHO_DEVICE_CONTEXT;

/* Queries the KMCL table, allocates, configures and enables the channel. */
NTSTATUS EchoDeviceAdd(_In_ WDFDEVICE Device, _Out_ PECHO_DEVICE_CONTEXT Context);

/* Sends one echo request carrying Length bytes (completion requested). */
NTSTATUS EchoSendRequest(_In_ PECHO_DEVICE_CONTEXT Context, _In_reads_bytes_(Length) const void* Data,
                         _In_ ULONG Length);

/* After the host closed the channel (EvtChannelClosed): Disable and Enable it again, which opens
 * a new connection and negotiates the version anew. STATUS_INVALID_DEVICE_STATE while open. */
NTSTATUS EchoReconnect(_In_ PECHO_DEVICE_CONTEXT Context);

/* Disables and cleans up the channel and releases the interface. */
VOID EchoDeviceRemove(_In_ PECHO_DEVICE_CONTEXT Context);

#ifdef __cplusplus
}
#endif

#endif /* ECHO_DRIVER_H */
