/*
 * storage_driver.h - the sample block-storage KMCL client driver's entry points, as a test
 * harness calls them (on Windows: EvtDriverDeviceAdd, the I/O path, device removal).
 */
#ifndef STORAGE_DRIVER_H
#define STORAGE_DRIVER_H

#include <ntddk.h>
#include <wdf.h>
#include <vmbuskernelmodeclientlibapi.h>

#include "storage_protocol.h"

/* The shared page must be page-aligned; C11 and C++ spell that differently. */
#ifdef __cplusplus
#define STOR_PAGE_ALIGNED alignas(4096)
#else
#define STOR_PAGE_ALIGNED _Alignas(4096)
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _STOR_STATS {
    ULONG Opened, Closed, PostStarted;
    NTSTATUS InitStatus;      /* the INIT handshake */
    ULONG IosSubmitted;
    ULONG IosSucceeded;
    ULONG IosFailed;          /* completed with a STOR_ERROR_* */
    ULONG IosCancelled;       /* completed with a failure NTSTATUS (channel went away) */
    ULONG LastError;
} STOR_STATS;

typedef struct _STOR_DEVICE_CONTEXT {
    WDFDEVICE Device;
    KMCL_CLIENT_INTERFACE_V1 Kmcl;
    VMBCHANNEL Channel;
    UINT32 StatusPageGpadl;          /* 0 when no GPADL exists */
    ULONG NextTag;
    STOR_STATS Stats;
    STOR_PAGE_ALIGNED UCHAR StatusPage[4096];  /* shared with the host through a GPADL */
} STOR_DEVICE_CONTEXT, *PSTOR_DEVICE_CONTEXT;

/* Queries the KMCL table, allocates, configures and enables the channel. */
NTSTATUS StorDeviceAdd(_In_ WDFDEVICE Device, _Out_ PSTOR_DEVICE_CONTEXT Context);

/* Reads (Write == FALSE) or writes SectorCount sectors at Sector, transferring Buffer directly
 * (it travels as external data: the host reads or fills it through guest memory). Buffer must
 * stay valid until the request completes (StorOutstanding drops). */
NTSTATUS StorSubmitIo(_In_ PSTOR_DEVICE_CONTEXT Context, _In_ BOOLEAN Write, _In_ UINT64 Sector,
                      _In_ ULONG SectorCount, _Inout_ PVOID Buffer);

/* The host's I/O counters, read from the shared status page. */
const STOR_STATUS_PAGE* StorStatusPage(_In_ PSTOR_DEVICE_CONTEXT Context);

/* Disables and cleans up the channel and releases the interface. */
VOID StorDeviceRemove(_In_ PSTOR_DEVICE_CONTEXT Context);

#ifdef __cplusplus
}
#endif

#endif /* STORAGE_DRIVER_H */
