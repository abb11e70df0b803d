/*
 * storage_server_plugin.c - the storage VSP as a vmbsim plugin (vmbsim_plugin.h), so that
 * scenarios in which the simulated guest talks to it can be replayed:
 *   vmbsim run scenarios/storage_server_*.yaml --driver libvmbsim_storage_server_plugin.so
 * Arguments: "" (a 1024-sector disk) or "sectors=N".
 * Commands: "save" (a VM save: StorServerSave, the server is torn down and the guest waits) and
 *           "restore" (StorServerRestore from that saved state).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmbsim_plugin.h>

#include "storage_server.h"

typedef struct _STOR_PLUGIN {
    WDFDEVICE Device;
    PSTOR_SERVER_CONTEXT Server;  /* NULL between a save and its restore */
    STOR_SERVER_SAVED_STATE Saved;
} STOR_PLUGIN;

VMBSIM_PLUGIN_EXPORT NTSTATUS VmbsimDriverEntry(_In_ WDFDEVICE Device, _In_z_ const char* Arguments,
                                                _Out_ PVOID* DriverContext)
{
    unsigned sectors = 1024;
    char extra;
    STOR_PLUGIN* plugin;
    NTSTATUS status;

    *DriverContext = NULL;
    if (Arguments != NULL && Arguments[0] != '\0' &&
        (sscanf(Arguments, "sectors=%u%c", &sectors, &extra) != 1 || sectors == 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    plugin = (STOR_PLUGIN*)calloc(1, sizeof(*plugin));
    if (plugin == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    plugin->Device = Device;
    plugin->Server = (PSTOR_SERVER_CONTEXT)calloc(1, sizeof(*plugin->Server));
    if (plugin->Server == NULL) {
        free(plugin);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = StorServerAdd(Device, (UINT32)sectors, plugin->Server);
    if (!NT_SUCCESS(status)) {
        free(plugin->Server);
        free(plugin);
        return status;
    }
    *DriverContext = plugin;
    return STATUS_SUCCESS;
}

VMBSIM_PLUGIN_EXPORT NTSTATUS VmbsimDriverCommand(_In_ PVOID DriverContext, _In_z_ const char* Command)
{
    STOR_PLUGIN* plugin = (STOR_PLUGIN*)DriverContext;
    NTSTATUS status;

    if (strcmp(Command, "save") == 0) {
        if (plugin->Server == NULL) {
            return STATUS_INVALID_DEVICE_STATE;
        }
        status = StorServerSave(plugin->Server, &plugin->Saved);
        if (NT_SUCCESS(status)) {
            free(plugin->Server);
            plugin->Server = NULL;
        }
        return status;
    }
    if (strcmp(Command, "restore") == 0) {
        if (plugin->Server != NULL) {
            return STATUS_INVALID_DEVICE_STATE;
        }
        plugin->Server = (PSTOR_SERVER_CONTEXT)calloc(1, sizeof(*plugin->Server));
        if (plugin->Server == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        status = StorServerRestore(plugin->Device, &plugin->Saved, plugin->Server);
        if (!NT_SUCCESS(status)) {
            free(plugin->Server);
            plugin->Server = NULL;
            return status;
        }
        StorServerFreeSavedState(&plugin->Saved);
        return STATUS_SUCCESS;
    }
    return STATUS_NOT_SUPPORTED;
}

VMBSIM_PLUGIN_EXPORT VOID VmbsimDriverUnload(_In_ PVOID DriverContext)
{
    STOR_PLUGIN* plugin = (STOR_PLUGIN*)DriverContext;
    if (plugin == NULL) {
        return;
    }
    if (plugin->Server != NULL) {
        StorServerRemove(plugin->Server);
        free(plugin->Server);
    }
    StorServerFreeSavedState(&plugin->Saved);
    free(plugin);
}
