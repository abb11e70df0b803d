/*
 * storage_server.c - a sample block-storage VMBus server driver (a VSP like storvsp), written as
 * a Windows KMCL driver is. It serves storage_protocol.h from an in-memory disk and shows the
 * server side of KMCL:
 *   - a server channel offered with VmbChannelEnable and started explicitly;
 *   - the guest's status page, a GPADL whose handle arrives in INIT, mapped with
 *     VmbChannelMapGpadl at PASSIVE_LEVEL and unmapped when the guest closes;
 *   - reads and writes whose data is the guest's own pages (VmbChannelPacketGetExternalData),
 *     including the STATUS_PENDING redelivery;
 *   - save and restore for VM save and migration (storage_server_save.c).
 * Everything the guest sends is validated: a hostile guest gets an error status. Nothing in it
 * knows about vmbsim.
 */
#include "storage_server_private.h"

#include <wdm.h>

#include <stdlib.h>
#include <string.h>

/* The MDLs one request may describe; bounds the work a guest can make us do per packet. */
#define STOR_SERVER_MAX_CHAIN 16u

static EVT_VMB_CHANNEL_OPENED StorSrvEvtChannelOpened;
static EVT_VMB_CHANNEL_CLOSED StorSrvEvtChannelClosed;
static EVT_VMB_CHANNEL_SUSPEND StorSrvEvtChannelSuspend;
static EVT_VMB_CHANNEL_PROCESS_PACKET StorSrvEvtProcessPacket;

static PSTOR_SERVER_CONTEXT StorSrvContext(VMBCHANNEL Channel)
{
    return (PSTOR_SERVER_CONTEXT)VmbChannelGetPointer(Channel);
}

static VOID StorSrvPublishCounters(PSTOR_SERVER_CONTEXT Context)
{
    STOR_STATUS_PAGE page;

    if (Context->StatusPage == NULL) {
        return;
    }
    page.Magic = STOR_STATUS_MAGIC;
    page.DiskSectors = Context->DiskSectors;
    page.Reads = Context->Reads;
    page.Writes = Context->Writes;
    /* The guest chose where the page starts, so its 64-bit fields may be misaligned. */
    memcpy(Context->StatusPage, &page, sizeof(page));
}

static VOID StorSrvUnmapStatusPage(PSTOR_SERVER_CONTEXT Context)
{
    if (Context->StatusPageMdl == NULL) {
        return;
    }
    Context->Kmcl.VmbChannelUnmapGpadl(Context->Channel, Context->StatusPageGpadl);
    Context->StatusPageMdl = NULL;
    Context->StatusPage = NULL;
    Context->StatusPageGpadl = 0;
}

/* Maps the guest's GPADL Gpadl as the status page and publishes the counters in it.
 * PASSIVE_LEVEL only (VmbChannelMapGpadl). */
static BOOLEAN StorSrvMapStatusPage(PSTOR_SERVER_CONTEXT Context, UINT32 Gpadl)
{
    PMDL mdl = NULL;
    PUCHAR page;

    if (!NT_SUCCESS(Context->Kmcl.VmbChannelMapGpadl(Context->Channel, 0, Gpadl, &mdl))) {
        return FALSE;
    }
    /* Only the first MDL gets an address; the page must fit in it. */
    page = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (page == NULL || MmGetMdlByteCount(mdl) < sizeof(STOR_STATUS_PAGE)) {
        Context->Kmcl.VmbChannelUnmapGpadl(Context->Channel, Gpadl);
        return FALSE;
    }
    Context->StatusPageGpadl = Gpadl;
    Context->StatusPageMdl = mdl;
    Context->StatusPage = page;
    StorSrvPublishCounters(Context);
    return TRUE;
}

/* Copies Length bytes between Disk and the MDL chain. Every MDL is checked before a byte
 * moves, so a chain that does not match leaves both the disk and the guest's pages alone. */
static BOOLEAN StorSrvTransfer(PUCHAR Disk, PMDL Chain, UINT64 Length, BOOLEAN ToDisk)
{
    UINT64 total = 0;
    ULONG count = 0;
    PMDL mdl;

    for (mdl = Chain; mdl != NULL; mdl = mdl->Next) {
        if (++count > STOR_SERVER_MAX_CHAIN || MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) == NULL) {
            return FALSE;
        }
        total += MmGetMdlByteCount(mdl);
    }
    if (total != Length) {
        return FALSE;
    }
    for (mdl = Chain; mdl != NULL; mdl = mdl->Next) {
        PUCHAR pages = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
        ULONG bytes = MmGetMdlByteCount(mdl);
        if (ToDisk) {
            memcpy(Disk, pages, bytes);
        } else {
            memcpy(pages, Disk, bytes);
        }
        Disk += bytes;
    }
    return TRUE;
}

/* Serves a READ or WRITE into Done. FALSE means the guest's pages are not ready: the packet
 * will be delivered again at PASSIVE_LEVEL and must not be completed now. */
static BOOLEAN StorSrvIo(PSTOR_SERVER_CONTEXT Context, VMBPACKETCOMPLETION Packet, const STOR_IO* Io, UINT32 Flags,
                         STOR_COMPLETION* Done)
{
    BOOLEAN write = Io->Header.Type == STOR_MSG_WRITE;
    UINT64 bytes = (UINT64)Io->SectorCount * STOR_SECTOR_SIZE;
    PMDL mdl = NULL;
    NTSTATUS status;

    if (Context->StatusPageMdl == NULL) {
        Done->Status = STOR_ERROR_PROTOCOL;
        return TRUE;
    }
    /* Written so that no sum can wrap: Sector and SectorCount are the guest's. */
    if (Io->SectorCount == 0 || Io->Sector >= Context->DiskSectors ||
        Io->SectorCount > Context->DiskSectors - Io->Sector) {
        Done->Status = STOR_ERROR_RANGE;
        return TRUE;
    }
    /* Checked before asking for the MDL: asking when the packet has none is a misuse. */
    if (bytes > STOR_MAX_TRANSFER || !(Flags & VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA)) {
        Done->Status = STOR_ERROR_BUFFER;
        return TRUE;
    }
    status = Context->Kmcl.VmbChannelPacketGetExternalData(
        Packet, write ? VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY : 0, &mdl);
    if (status == STATUS_PENDING) {
        Context->Stats.ExternalDataPending++;
        return FALSE;
    }
    if (!NT_SUCCESS(status) || mdl == NULL ||
        !StorSrvTransfer(Context->Disk + Io->Sector * STOR_SECTOR_SIZE, mdl, bytes, write)) {
        Done->Status = STOR_ERROR_BUFFER;
        return TRUE;
    }
    if (write) {
        Context->Writes++;
    } else {
        Context->Reads++;
    }
    Context->Stats.IosSucceeded++;
    Done->Status = STOR_OK;
    Done->BytesTransferred = (UINT32)bytes;
    StorSrvPublishCounters(Context);
    return TRUE;
}

/* Handles INIT at PASSIVE_LEVEL, where VmbChannelMapGpadl may run. FALSE: deferred, do not
 * complete. */
static BOOLEAN StorSrvInitAtPassive(PSTOR_SERVER_CONTEXT Context, VMBPACKETCOMPLETION Packet, const STOR_INIT* Init,
                                    STOR_COMPLETION* Done)
{
    Done->Status = STOR_ERROR_PROTOCOL;
    if (KeGetCurrentIrql() > PASSIVE_LEVEL) {
        /* One INIT per connection: another while one is mapped or waiting is refused. */
        if (Context->StatusPageMdl != NULL || Context->DeferredInit != NULL) {
            return TRUE;
        }
        Context->DeferredInit = Packet;
        Context->Kmcl.VmbChannelPacketDeferToPassive(Packet);
        return FALSE;
    }
    /* The deferred INIT's redelivery, or any INIT if the channel delivers at PASSIVE_LEVEL. */
    Context->DeferredInit = NULL;
    if (Context->StatusPageMdl == NULL && StorSrvMapStatusPage(Context, Init->StatusPageGpadl)) {
        Context->Stats.Inits++;
        Done->Status = STOR_OK;
    }
    return TRUE;
}

static VOID StorSrvEvtProcessPacket(_In_ VMBCHANNEL Channel, _In_ VMBPACKETCOMPLETION Packet,
                                    _In_reads_bytes_(BufferLength) PVOID Buffer, _In_ UINT32 BufferLength,
                                    _In_ UINT32 Flags)
{
    PSTOR_SERVER_CONTEXT context = StorSrvContext(Channel);
    STOR_HEADER header;
    STOR_COMPLETION done;
    BOOLEAN complete = TRUE;

    memset(&header, 0, sizeof(header));
    memset(&done, 0, sizeof(done));
    /* Copied out: the buffer is the guest's bytes, of the guest's length and alignment. */
    if (BufferLength >= sizeof(header)) {
        memcpy(&header, Buffer, sizeof(header));
    }
    done.Tag = header.Tag;
    done.Status = STOR_ERROR_PROTOCOL;

    if (header.Type == STOR_MSG_INIT && BufferLength >= sizeof(STOR_INIT)) {
        STOR_INIT init;
        memcpy(&init, Buffer, sizeof(init));
        complete = StorSrvInitAtPassive(context, Packet, &init, &done);
    } else if ((header.Type == STOR_MSG_READ || header.Type == STOR_MSG_WRITE) && BufferLength >= sizeof(STOR_IO)) {
        STOR_IO io;
        memcpy(&io, Buffer, sizeof(io));
        complete = StorSrvIo(context, Packet, &io, Flags, &done);
    }
    if (!complete) {
        return;
    }
    if (done.Status != STOR_OK) {
        context->Stats.Errors++;
        context->Stats.LastError = done.Status;
    }
    context->Kmcl.VmbChannelPacketComplete(Packet, &done, sizeof(done));
}

static NTSTATUS StorSrvEvtChannelOpened(_In_ VMBCHANNEL Channel)
{
    PSTOR_SERVER_CONTEXT context = StorSrvContext(Channel);
    UINT32 gpadl = context->ResumeStatusPageGpadl;

    context->Stats.Opened++;
    /* A new guest names its status page in INIT. A restored server's first open is the saved
     * connection resuming: its guest sent INIT before the save and will not send it again. */
    context->ResumeStatusPageGpadl = 0;
    if (gpadl != 0 && StorSrvMapStatusPage(context, gpadl)) {
        context->Stats.Remaps++;
    }
    /* Failing would leave the guest with a dead channel; without a page, its I/O is refused
     * until it sends INIT again. */
    return STATUS_SUCCESS;
}

static VOID StorSrvEvtChannelSuspend(_In_ VMBCHANNEL Channel)
{
    /* Every request is completed inside ProcessPacket, so none is held here to retire. The
     * status page stays mapped: a Pause suspends too, and the GPADL outlives it. */
    StorSrvContext(Channel)->Stats.Suspended++;
}

static VOID StorSrvEvtChannelClosed(_In_ VMBCHANNEL Channel)
{
    PSTOR_SERVER_CONTEXT context = StorSrvContext(Channel);
    context->Stats.Closed++;
    /* The guest's GPADL delete waits for this unmap; a deferred INIT died with the connection. */
    StorSrvUnmapStatusPage(context);
    context->DeferredInit = NULL;
}

static NTSTATUS StorSrvConfigure(PSTOR_SERVER_CONTEXT Context)
{
    PKMCL_SERVER_INTERFACE_V1 kmcl = &Context->Kmcl;
    VMB_CHANNEL_STATE_CHANGE_CALLBACKS callbacks;
    NTSTATUS status;

    /* The server only ever sends completions. */
    status = kmcl->VmbChannelInitSetMaximumPacketSize(Context->Channel, sizeof(STOR_COMPLETION));
    if (NT_SUCCESS(status)) {
        status = kmcl->VmbChannelInitSetMaximumExternalData(Context->Channel, STOR_MAX_TRANSFER, STOR_SERVER_MAX_CHAIN);
    }
    if (NT_SUCCESS(status)) {
        status = kmcl->VmbServerChannelInitSetTargetInterfaceId(Context->Channel, STOR_SERVER_INTERFACE_TYPE,
                                                                STOR_SERVER_INTERFACE_INSTANCE);
    }
    if (NT_SUCCESS(status)) {
        VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&callbacks);
        callbacks.EvtChannelOpened = StorSrvEvtChannelOpened;
        callbacks.EvtChannelClosed = StorSrvEvtChannelClosed;
        callbacks.EvtChannelSuspend = StorSrvEvtChannelSuspend;
        status = kmcl->VmbChannelInitSetStateChangeCallbacks(Context->Channel, &callbacks);
    }
    if (NT_SUCCESS(status)) {
        status = kmcl->VmbChannelInitSetProcessPacketCallbacks(Context->Channel, StorSrvEvtProcessPacket, NULL);
    }
    if (NT_SUCCESS(status)) {
        /* Any channel may be saved, so every one can save and restore its packets. */
        status = kmcl->VmbServerChannelInitSetSaveRestorePacketCallbacks(Context->Channel, StorSrvEvtSavePacket,
                                                                         StorSrvEvtRestorePacket);
    }
    return status;
}

NTSTATUS StorSrvCreateChannel(_In_ WDFDEVICE Device, _Inout_ PSTOR_SERVER_CONTEXT Context)
{
    PKMCL_SERVER_INTERFACE_V1 kmcl = &Context->Kmcl;
    NTSTATUS status;

    status = WdfFdoQueryForInterface(Device, &KMCL_SERVER_INTERFACE_TYPE, (PINTERFACE)kmcl, sizeof(*kmcl),
                                     KMCL_SERVER_INTERFACE_VERSION_V1, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = kmcl->VmbChannelAllocate(WdfDeviceWdmGetDeviceObject(Device), TRUE, &Context->Channel);
    if (NT_SUCCESS(status)) {
        kmcl->VmbChannelSetPointer(Context->Channel, Context);
        status = StorSrvConfigure(Context);
        if (!NT_SUCCESS(status)) {
            kmcl->VmbChannelCleanup(Context->Channel);
            Context->Channel = NULL;
        }
    }
    if (!NT_SUCCESS(status)) {
        kmcl->InterfaceDereference(kmcl->Context);
    }
    return status;
}

NTSTATUS StorSrvEnableChannel(_Inout_ PSTOR_SERVER_CONTEXT Context)
{
    NTSTATUS status = Context->Kmcl.VmbChannelEnable(Context->Channel);
    if (!NT_SUCCESS(status)) {
        StorSrvDeleteChannel(Context, FALSE);
        return status;
    }
    /* A server comes up paused; starting now means the guest is served as soon as it opens. */
    Context->Kmcl.VmbChannelStart(Context->Channel);
    return STATUS_SUCCESS;
}

VOID StorSrvDeleteChannel(_Inout_ PSTOR_SERVER_CONTEXT Context, _In_ BOOLEAN Enabled)
{
    PKMCL_SERVER_INTERFACE_V1 kmcl = &Context->Kmcl;
    if (Enabled) {
        /* Disable closes an open guest first (Suspend, Closed: the status page is unmapped). */
        kmcl->VmbChannelDisable(Context->Channel);
    }
    kmcl->VmbChannelCleanup(Context->Channel);
    Context->Channel = NULL;
    kmcl->InterfaceDereference(kmcl->Context);
}

NTSTATUS StorServerAdd(_In_ WDFDEVICE Device, _In_ UINT32 DiskSectors, _Out_ PSTOR_SERVER_CONTEXT Context)
{
    NTSTATUS status;

    memset(Context, 0, sizeof(*Context));
    if (DiskSectors == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    /* Stands in for ExAllocatePool2(POOL_FLAG_NON_PAGED, ...), which the shim does not offer. */
    Context->Disk = (PUCHAR)calloc(DiskSectors, STOR_SECTOR_SIZE);
    if (Context->Disk == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Context->DiskSectors = DiskSectors;
    status = StorSrvCreateChannel(Device, Context);
    if (NT_SUCCESS(status)) {
        status = StorSrvEnableChannel(Context);
    }
    if (!NT_SUCCESS(status)) {
        free(Context->Disk);
        Context->Disk = NULL;
    }
    return status;
}

PUCHAR StorServerDisk(_In_ PSTOR_SERVER_CONTEXT Context)
{
    return Context->Disk;
}

VOID StorServerRemove(_In_ PSTOR_SERVER_CONTEXT Context)
{
    if (Context->Channel != NULL) {
        StorSrvDeleteChannel(Context, TRUE);
    }
    free(Context->Disk);
    Context->Disk = NULL;
}
