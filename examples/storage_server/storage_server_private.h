/*
 * storage_server_private.h - what the storage server's source files share with each other:
 * the channel's bring-up and teardown (storage_server.c) and the save/restore packet callbacks
 * (storage_server_save.c). Not part of the driver's interface.
 */
#ifndef STORAGE_SERVER_PRIVATE_H
#define STORAGE_SERVER_PRIVATE_H

#include "storage_server.h"

/* Queries the KMCL server table, allocates the server channel and configures it, without
 * enabling it. On failure nothing is left allocated or referenced. */
NTSTATUS StorSrvCreateChannel(_In_ WDFDEVICE Device, _Inout_ PSTOR_SERVER_CONTEXT Context);

/* Offers the configured channel and starts it; on failure deletes it as StorSrvDeleteChannel. */
NTSTATUS StorSrvEnableChannel(_Inout_ PSTOR_SERVER_CONTEXT Context);

/* Disables (when Enabled) and cleans up the channel, then releases the KMCL table. */
VOID StorSrvDeleteChannel(_Inout_ PSTOR_SERVER_CONTEXT Context, _In_ BOOLEAN Enabled);

/* The save/restore callbacks StorSrvCreateChannel registers on every channel. */
EVT_VMB_CHANNEL_SAVE_PACKET StorSrvEvtSavePacket;
EVT_VMB_CHANNEL_RESTORE_PACKET StorSrvEvtRestorePacket;

#endif /* STORAGE_SERVER_PRIVATE_H */
