/*
 * storage_server_plugin.c - the storage VSP as a vmbsim plugin (vmbsim_plugin.h), so that
 * scenarios in which the simulated guest talks to it can be replayed:
 *   vmbsim run scenarios/storage_server_*.yaml --driver libvmbsim_storage_server_plugin.so
 * Arguments: "" (a 1024-sector disk) or "sectors=N".
 */
#include <stdio.h>
#include <stdlib.h>

#include <vmbsim_plugin.h>

#include "storage_server.h"

VMBSIM_PLUGIN_EXPORT NTSTATUS VmbsimDriverEntry(_In_ WDFDEVICE Device, _In_z_ const char* Arguments,
                                                _Out_ PVOID* DriverContext)
{
    unsigned sectors = 1024;
    char extra;
    PSTOR_SERVER_CONTEXT context;
    NTSTATUS status;

    *DriverContext = NULL;
    if (Arguments != NULL && Arguments[0] != '\0' &&
        (sscanf(Arguments, "sectors=%u%c", &sectors, &extra) != 1 || sectors == 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    context = (PSTOR_SERVER_CONTEXT)calloc(1, sizeof(*context));
    if (context == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = StorServerAdd(Device, (UINT32)sectors, context);
    if (!NT_SUCCESS(status)) {
        free(context);
        return status;
    }
    *DriverContext = context;
    return STATUS_SUCCESS;
}

VMBSIM_PLUGIN_EXPORT VOID VmbsimDriverUnload(_In_ PVOID DriverContext)
{
    if (DriverContext == NULL) {
        return;
    }
    StorServerRemove((PSTOR_SERVER_CONTEXT)DriverContext);
    free(DriverContext);
}
