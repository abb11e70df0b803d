/*
 * storage_protocol.h - the wire protocol of the sample block-storage VMBus device.
 *
 * Shared by the sample client driver (C, storage_driver.c) and its host model (C++,
 * storage_host.cc). Little-endian; every message starts with STOR_HEADER.
 *
 *   guest -> host  INIT      (synchronous, in EvtChannelPostStarted) carries the GPADL handle of
 *                            the shared status page the guest created in EvtChannelOpened
 *   guest -> host  READ/WRITE with the data buffer as external data (GPA-direct), completion
 *                            requested; the completion is a STOR_COMPLETION
 *   host           keeps I/O counters in the shared status page (STOR_STATUS_PAGE)
 */
#ifndef STORAGE_PROTOCOL_H
#define STORAGE_PROTOCOL_H

#include <stdint.h>

#define STOR_SECTOR_SIZE 512u
#define STOR_MAX_TRANSFER (256u * 1024u)
#define STOR_STATUS_MAGIC 0x53544F52u /* "STOR" */

#define STOR_MSG_INIT 1u
#define STOR_MSG_READ 2u
#define STOR_MSG_WRITE 3u

#define STOR_OK 0u
#define STOR_ERROR_RANGE 1u     /* sectors beyond the disk */
#define STOR_ERROR_BUFFER 2u    /* the external data does not match the request */
#define STOR_ERROR_PROTOCOL 3u  /* unknown message or no INIT yet */

typedef struct _STOR_HEADER {
    uint32_t Type;
    uint32_t Tag; /* echoed in the completion */
} STOR_HEADER;

typedef struct _STOR_INIT {
    STOR_HEADER Header;
    uint32_t StatusPageGpadl;
    uint32_t Reserved;
} STOR_INIT;

typedef struct _STOR_IO {
    STOR_HEADER Header;
    uint64_t Sector;
    uint32_t SectorCount; /* the external data is SectorCount * STOR_SECTOR_SIZE bytes */
    uint32_t Reserved;
} STOR_IO;

typedef struct _STOR_COMPLETION {
    uint32_t Tag;
    uint32_t Status;
    uint32_t BytesTransferred;
    uint32_t Reserved;
} STOR_COMPLETION;

/* What the host keeps in the shared status page. */
typedef struct _STOR_STATUS_PAGE {
    uint32_t Magic;
    uint32_t DiskSectors;
    uint64_t Reads;
    uint64_t Writes;
} STOR_STATUS_PAGE;

#endif /* STORAGE_PROTOCOL_H */
