/*
 * storage_server.h - the sample block-storage KMCL server driver's (VSP's) entry points, as a
 * test harness calls them (on Windows: the VSP's device creation and removal, and the VM
 * worker process's save and restore of the device).
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
    ULONG Remaps;            /* restored: the saved status page mapped again at EvtChannelOpened */
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
    UINT32 ResumeStatusPageGpadl;      /* restored: the saved connection's status page, 0 if none */
    STOR_SERVER_STATS Stats;
} STOR_SERVER_CONTEXT, *PSTOR_SERVER_CONTEXT;

/* One buffer of saved state; Bytes was allocated by the driver unless the harness built it. */
typedef struct _STOR_SAVED_BUFFER {
    PUCHAR Bytes;
    ULONG Size;
} STOR_SAVED_BUFFER, *PSTOR_SAVED_BUFFER;

/* A saved server, as ordered byte buffers the harness stores as they are (a VM's saved state).
 * Buffers[0] is the VSP's own record (disk, counters, status page); Buffers[1..Count-1] are
 * KMCL's, each exactly what one VmbChannelSaveContinue filled, in order. */
typedef struct _STOR_SERVER_SAVED_STATE {
    ULONG Count;
    PSTOR_SAVED_BUFFER Buffers;
} STOR_SERVER_SAVED_STATE, *PSTOR_SERVER_SAVED_STATE;

/* Allocates a zeroed disk of DiskSectors sectors, queries the KMCL server table, allocates and
 * configures a server channel, offers it (VmbChannelEnable) and starts it (VmbChannelStart). */
NTSTATUS StorServerAdd(_In_ WDFDEVICE Device, _In_ UINT32 DiskSectors, _Out_ PSTOR_SERVER_CONTEXT Context);

/* The disk's bytes (DiskSectors * STOR_SECTOR_SIZE of them). */
PUCHAR StorServerDisk(_In_ PSTOR_SERVER_CONTEXT Context);

/* Withdraws the offer (VmbChannelDisable), cleans up the channel, releases the interface and
 * frees the disk. */
VOID StorServerRemove(_In_ PSTOR_SERVER_CONTEXT Context);

/* Pauses the channel and saves KMCL's state and the VSP's into Saved, then releases the server
 * as StorServerRemove does; the guest's connection waits for a restore. On failure the server
 * carries on and Saved is empty. Free Saved with StorServerFreeSavedState. */
NTSTATUS StorServerSave(_In_ PSTOR_SERVER_CONTEXT Context, _Out_ PSTOR_SERVER_SAVED_STATE Saved);

/* Rebuilds a server from Saved (left untouched) into Context: a new channel restored from KMCL's
 * buffers, offered and started; the saved guest connection resumes with its status page. */
NTSTATUS StorServerRestore(_In_ WDFDEVICE Device, _In_ const STOR_SERVER_SAVED_STATE* Saved,
                           _Out_ PSTOR_SERVER_CONTEXT Context);

/* Frees what StorServerSave allocated in Saved and empties it. */
VOID StorServerFreeSavedState(_Inout_ PSTOR_SERVER_SAVED_STATE Saved);

#ifdef __cplusplus
}
#endif

#endif /* STORAGE_SERVER_H */
