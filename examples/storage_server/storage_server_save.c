/*
 * storage_server_save.c - save and restore of the storage VSP, as for a VM save or a live
 * migration (kmcl-api.md 1.10). The save pauses the channel, lets KMCL save its state (the
 * guest's requests it has read but the VSP has not answered, and completions not yet on the
 * wire), adds the VSP's own record (disk, counters, status-page GPADL) and releases the server.
 * The restore builds a new server from those buffers; the guest's connection resumes and every
 * request it sent is answered exactly once, by the old server or the new one.
 */
#include "storage_server_private.h"

#include <stdlib.h>
#include <string.h>

#define STOR_SAVED_MAGIC 0x56535453u /* "STSV" */
#define STOR_SAVED_VERSION 1u

/* KMCL saves one chunk per unanswered request, and most fit; for a bigger one it says how
 * much it needs (STATUS_BUFFER_TOO_SMALL). */
#define STOR_SAVE_BUFFER_SIZE 512u

/* The VSP's own record, Buffers[0]; the disk's bytes follow it. */
typedef struct _STOR_SAVED_DEVICE {
    UINT32 Magic;
    UINT32 Version;
    UINT32 DiskSectors;
    UINT32 StatusPageGpadl; /* 0: the guest had no status page mapped */
    UINT64 Reads, Writes;
} STOR_SAVED_DEVICE;

static PSTOR_SERVER_CONTEXT StorSrvContext(VMBCHANNEL Channel)
{
    return (PSTOR_SERVER_CONTEXT)VmbChannelGetPointer(Channel);
}

/* Appends Bytes (now owned by Saved) to the list; on failure frees Bytes. */
static NTSTATUS StorSrvAppendBuffer(PSTOR_SERVER_SAVED_STATE Saved, PUCHAR Bytes, ULONG Size)
{
    PSTOR_SAVED_BUFFER list = (PSTOR_SAVED_BUFFER)realloc(Saved->Buffers, (Saved->Count + 1) * sizeof(*list));
    if (list == NULL) {
        free(Bytes);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    list[Saved->Count].Bytes = Bytes;
    list[Saved->Count].Size = Size;
    Saved->Buffers = list;
    Saved->Count++;
    return STATUS_SUCCESS;
}

static NTSTATUS StorSrvSaveDevice(PSTOR_SERVER_CONTEXT Context, PSTOR_SERVER_SAVED_STATE Saved)
{
    STOR_SAVED_DEVICE record;
    ULONG diskBytes;
    PUCHAR bytes;

    /* One buffer holds the record: its size is a ULONG. */
    if (Context->DiskSectors > (0xFFFFFFFFu - sizeof(record)) / STOR_SECTOR_SIZE) {
        return STATUS_NOT_SUPPORTED;
    }
    diskBytes = Context->DiskSectors * STOR_SECTOR_SIZE;
    bytes = (PUCHAR)malloc(sizeof(record) + diskBytes);
    if (bytes == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memset(&record, 0, sizeof(record));
    record.Magic = STOR_SAVED_MAGIC;
    record.Version = STOR_SAVED_VERSION;
    record.DiskSectors = Context->DiskSectors;
    record.StatusPageGpadl = Context->StatusPageMdl != NULL ? Context->StatusPageGpadl : 0;
    record.Reads = Context->Reads;
    record.Writes = Context->Writes;
    memcpy(bytes, &record, sizeof(record));
    memcpy(bytes + sizeof(record), Context->Disk, diskBytes);
    return StorSrvAppendBuffer(Saved, bytes, sizeof(record) + diskBytes);
}

/* Runs VmbChannelSaveContinue until KMCL says everything is saved; each call's output is one
 * buffer, because a restore must be given whole chunks exactly as they were produced. */
static NTSTATUS StorSrvSaveKmcl(PSTOR_SERVER_CONTEXT Context, PSTOR_SERVER_SAVED_STATE Saved)
{
    ULONG size = STOR_SAVE_BUFFER_SIZE;

    for (;;) {
        PUCHAR buffer = (PUCHAR)malloc(size);
        ULONG filled = 0;
        ULONG required = 0;
        NTSTATUS status;

        if (buffer == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        status = Context->Kmcl.VmbChannelSaveContinue(Context->Channel, buffer, size, &filled, &required);
        if (status == STATUS_BUFFER_TOO_SMALL) {
            free(buffer);
            /* Nothing was written; only a bigger buffer makes progress. */
            if (required <= size) {
                return STATUS_UNSUCCESSFUL;
            }
            size = required;
            continue;
        }
        /* BUFFER_OVERFLOW fails NT_SUCCESS but means: this much is saved, call again. */
        if (status != STATUS_SUCCESS && status != STATUS_BUFFER_OVERFLOW) {
            free(buffer);
            return NT_SUCCESS(status) ? STATUS_UNSUCCESSFUL : status;
        }
        if (filled == 0) {
            free(buffer);
            /* More to save and nothing written: calling again would not get further. */
            if (status == STATUS_BUFFER_OVERFLOW) {
                return STATUS_UNSUCCESSFUL;
            }
        } else if (!NT_SUCCESS(StorSrvAppendBuffer(Saved, buffer, filled))) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        if (status == STATUS_SUCCESS) {
            return STATUS_SUCCESS;
        }
    }
}

NTSTATUS StorServerSave(_In_ PSTOR_SERVER_CONTEXT Context, _Out_ PSTOR_SERVER_SAVED_STATE Saved)
{
    PKMCL_SERVER_INTERFACE_V1 kmcl = &Context->Kmcl;
    NTSTATUS status;

    memset(Saved, 0, sizeof(*Saved));
    if (Context->Channel == NULL) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    /* Returns once nothing is in ProcessPacket and every request delivered is completed. From
     * now on the guest's requests wait in the ring (guest memory) or with KMCL, which saves them. */
    kmcl->VmbChannelPause(Context->Channel);
    status = kmcl->VmbChannelSaveBegin(Context->Channel);
    if (!NT_SUCCESS(status)) {
        kmcl->VmbChannelStart(Context->Channel);
        return status;
    }
    status = StorSrvSaveDevice(Context, Saved);
    if (NT_SUCCESS(status)) {
        status = StorSrvSaveKmcl(Context, Saved);
    }
    kmcl->VmbChannelSaveEnd(Context->Channel);
    if (!NT_SUCCESS(status)) {
        /* The VM goes on running: the save is abandoned and the channel carries on. */
        StorServerFreeSavedState(Saved);
        kmcl->VmbChannelStart(Context->Channel);
        return status;
    }
    /* After a completed save, Disable leaves the guest's connection to the restored channel. */
    StorServerRemove(Context);
    return STATUS_SUCCESS;
}

VOID StorServerFreeSavedState(_Inout_ PSTOR_SERVER_SAVED_STATE Saved)
{
    ULONG i;
    for (i = 0; i < Saved->Count; i++) {
        free(Saved->Buffers[i].Bytes);
    }
    free(Saved->Buffers);
    Saved->Buffers = NULL;
    Saved->Count = 0;
}

/* Checks the VSP's record (it comes from storage) and rebuilds the disk and counters from it. */
static NTSTATUS StorSrvRestoreDevice(PSTOR_SERVER_CONTEXT Context, const STOR_SAVED_BUFFER* Buffer)
{
    STOR_SAVED_DEVICE record;

    if (Buffer->Bytes == NULL || Buffer->Size < sizeof(record)) {
        return STATUS_INVALID_PARAMETER;
    }
    memcpy(&record, Buffer->Bytes, sizeof(record));
    if (record.Magic != STOR_SAVED_MAGIC || record.Version != STOR_SAVED_VERSION || record.DiskSectors == 0 ||
        record.DiskSectors > (0xFFFFFFFFu - sizeof(record)) / STOR_SECTOR_SIZE ||
        Buffer->Size != sizeof(record) + record.DiskSectors * STOR_SECTOR_SIZE) {
        return STATUS_INVALID_PARAMETER;
    }
    Context->Disk = (PUCHAR)malloc((size_t)record.DiskSectors * STOR_SECTOR_SIZE);
    if (Context->Disk == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(Context->Disk, Buffer->Bytes + sizeof(record), (size_t)record.DiskSectors * STOR_SECTOR_SIZE);
    Context->DiskSectors = record.DiskSectors;
    Context->Reads = record.Reads;
    Context->Writes = record.Writes;
    Context->ResumeStatusPageGpadl = record.StatusPageGpadl;
    return STATUS_SUCCESS;
}

/* Feeds KMCL's buffers in order. Every buffer but the last must leave the restore wanting more,
 * and the last must finish it; anything else means the saved state is damaged. */
static NTSTATUS StorSrvRestoreKmcl(PSTOR_SERVER_CONTEXT Context, const STOR_SERVER_SAVED_STATE* Saved)
{
    NTSTATUS status = STATUS_INVALID_PARAMETER;
    ULONG i;

    for (i = 1; i < Saved->Count; i++) {
        status = Context->Kmcl.VmbChannelRestoreFromBuffer(Context->Channel, Saved->Buffers[i].Bytes,
                                                           Saved->Buffers[i].Size);
        /* MORE_PROCESSING_REQUIRED fails NT_SUCCESS, yet means this buffer was restored. */
        if (status == STATUS_MORE_PROCESSING_REQUIRED) {
            continue;
        }
        if (!NT_SUCCESS(status)) {
            return status;
        }
        return i + 1 == Saved->Count ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    }
    return STATUS_INVALID_PARAMETER;
}

NTSTATUS StorServerRestore(_In_ WDFDEVICE Device, _In_ const STOR_SERVER_SAVED_STATE* Saved,
                           _Out_ PSTOR_SERVER_CONTEXT Context)
{
    NTSTATUS status;

    memset(Context, 0, sizeof(*Context));
    if (Saved == NULL || Saved->Count < 2 || Saved->Buffers == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    status = StorSrvRestoreDevice(Context, &Saved->Buffers[0]);
    if (NT_SUCCESS(status)) {
        status = StorSrvCreateChannel(Device, Context);
        if (NT_SUCCESS(status)) {
            status = StorSrvRestoreKmcl(Context, Saved);
            if (NT_SUCCESS(status)) {
                status = StorSrvEnableChannel(Context);
            } else {
                /* Never enabled: packets restored so far end here, with their completion routines. */
                StorSrvDeleteChannel(Context, FALSE);
            }
        }
    }
    if (!NT_SUCCESS(status)) {
        free(Context->Disk);
        Context->Disk = NULL;
        Context->ResumeStatusPageGpadl = 0;
    }
    return status;
}

/* ---- Per-packet callbacks ---------------------------------------------------------------- */

static VOID StorSrvEvtRestoredPacketCompletion(_In_ VMBPACKET Packet, _In_ NTSTATUS Status,
                                               _In_reads_bytes_opt_(BufferLength) PVOID Buffer,
                                               _In_ UINT32 BufferLength)
{
    PSTOR_SERVER_CONTEXT context = StorSrvContext(VmbPacketGetChannel(Packet));
    UNREFERENCED_PARAMETER(Status);
    UNREFERENCED_PARAMETER(Buffer);
    UNREFERENCED_PARAMETER(BufferLength);
    /* No request of this driver's stands behind a restored transaction: it just ends. */
    context->Kmcl.VmbPacketFree(Packet);
}

NTSTATUS StorSrvEvtSavePacket(_In_ VMBCHANNEL Channel, _In_ VMBPACKET Packet,
                              _Out_writes_bytes_(SaveBufSize) PVOID SaveBuf, _In_ UINT32 SaveBufSize,
                              _Out_ PUINT32 BytesNeeded)
{
    UNREFERENCED_PARAMETER(Channel);
    UNREFERENCED_PARAMETER(Packet);
    UNREFERENCED_PARAMETER(SaveBuf);
    UNREFERENCED_PARAMETER(SaveBufSize);
    /* The server sends only completions, which are KMCL's to save; no packet of its own holds
     * state. Succeeding on the size probe with 0 says so. */
    *BytesNeeded = 0;
    return STATUS_SUCCESS;
}

NTSTATUS StorSrvEvtRestorePacket(_In_ VMBCHANNEL Channel, _In_reads_bytes_(LibBufSize) PVOID LibBuf,
                                 _In_ UINT32 LibBufSize, _In_reads_bytes_(SaveBufSize) PVOID SaveBuf,
                                 _In_ UINT32 SaveBufSize)
{
    PSTOR_SERVER_CONTEXT context = StorSrvContext(Channel);
    VMBPACKET packet;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(SaveBuf);
    /* StorSrvEvtSavePacket never saves bytes: some here mean the save is not this driver's. */
    if (SaveBufSize != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    packet = context->Kmcl.VmbPacketAllocate(Channel);
    if (packet == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = context->Kmcl.VmbPacketRestore(packet, LibBuf, LibBufSize);
    if (!NT_SUCCESS(status)) {
        context->Kmcl.VmbPacketFree(packet);
        return status;
    }
    context->Kmcl.VmbPacketSetCompletionRoutine(packet, StorSrvEvtRestoredPacketCompletion);
    return STATUS_SUCCESS;
}
