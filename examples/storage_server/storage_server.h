/*
 * storage_server.h - the sample block-storage KMCL server driver's (VSP's) entry points, as a
 * test harness calls them (on Windows: the VSP's device creation and removal).
 */
#ifndef STORAGE_SERVER_H
#define STORAGE_SERVER_H

#include <ntddk.h>
#include <wdf.h>
#include <vmbuskernelmodeclientlibapi.h>

#include "storage_protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The offer's interface type (the storage protocol) and instance (this one disk). */
static const GUID STOR_SERVER_INTERFACE_TYPE = {
    0x7a6c3e21, 0x94d5, 0x4b0f, {0x8e, 0x3a, 0x51, 0xc2, 0x6d, 0x9f, 0x04, 0xb7}};
static const GUID STOR_SERVER_INTERFACE_INSTANCE = {
    0x2f81b0d4, 0x6c3a, 0x4e95, {0xa1, 0x7d, 0x0b, 0x58, 0xe2, 0x4c, 0x93, 0x16}};

typedef struct _STOR_SERVER_STATS {
    ULONG Opened, Closed, Suspended;
    ULONG Inits;             /* INITs that mapped the guest's status page */
    ULONG IosSucceeded;
    ULONG Errors;            /* requests completed with a STOR_ERROR_* */
    ULONG LastError;
    ULONG ExternalDataPending; /* VmbChannelPacketGetExternalData said STATUS_PENDING */
} STOR_SERVER_STATS;

typedef struct _STOR_SERVER_CONTEXT {
    KMCL_SERVER_INTERFACE_V1 Kmcl;
    VMBCHANNEL Channel;
    PUCHAR Disk;                       /* DiskSectors * STOR_SECTOR_SIZE bytes */
    UINT32 DiskSectors;
    UINT64 Reads, Writes;              /* published in the guest's status page */
    UINT32 StatusPageGpadl;            /* valid while StatusPageMdl != NULL */
    PMDL StatusPageMdl;                /* the mapping of the guest's status page, NULL if none */
    PUCHAR StatusPage;                 /* its system address */
    VMBPACKETCOMPLETION DeferredInit;  /* an INIT waiting for its PASSIVE_LEVEL redelivery */
    STOR_SERVER_STATS Stats;
} STOR_SERVER_CONTEXT, *PSTOR_SERVER_CONTEXT;

/* Allocates a zeroed disk of DiskSectors sectors, queries the KMCL server table, allocates and
 * configures a server channel, offers it (VmbChannelEnable) and starts it (VmbChannelStart). */
NTSTATUS StorServerAdd(_In_ WDFDEVICE Device, _In_ UINT32 DiskSectors, _Out_ PSTOR_SERVER_CONTEXT Context);

/* The disk's bytes (DiskSectors * STOR_SECTOR_SIZE of them). */
PUCHAR StorServerDisk(_In_ PSTOR_SERVER_CONTEXT Context);

/* Withdraws the offer (VmbChannelDisable), cleans up the channel, releases the interface and
 * frees the disk. */
VOID StorServerRemove(_In_ PSTOR_SERVER_CONTEXT Context);

#ifdef __cplusplus
}
#endif

#endif /* STORAGE_SERVER_H */
