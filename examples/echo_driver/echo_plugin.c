/*
 * echo_plugin.c - the echo sample driver's plugin entry points (see echo_plugin.h).
 */
#include "echo_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echo_driver.h"

NTSTATUS EchoPluginEntry(_In_ WDFDEVICE Device, _In_z_ const char* Arguments, _Out_ PVOID* DriverContext)
{
    PECHO_DEVICE_CONTEXT context;
    NTSTATUS status;

    *DriverContext = NULL;
    if (Arguments != NULL && Arguments[0] != '\0') {
        /* The echo sample has no options: refusing them beats ignoring a typo. */
        return STATUS_INVALID_PARAMETER;
    }
    context = (PECHO_DEVICE_CONTEXT)calloc(1, sizeof(*context));
    if (context == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = EchoDeviceAdd(Device, context);
    if (!NT_SUCCESS(status)) {
        free(context);
        return status;
    }
    *DriverContext = context;
    return STATUS_SUCCESS;
}

NTSTATUS EchoPluginCommand(_In_ PVOID DriverContext, _In_z_ const char* Command)
{
    PECHO_DEVICE_CONTEXT context = (PECHO_DEVICE_CONTEXT)DriverContext;
    unsigned count = 0, length = 8, i, j;
    int fields;
    uint8_t data[ECHO_MAX_DATA];

    fields = sscanf(Command, "send %u %u", &count, &length);
    if (fields < 1 || length > ECHO_MAX_DATA) {
        return STATUS_NOT_SUPPORTED;
    }
    for (i = 0; i < count; i++) {
        NTSTATUS status;
        for (j = 0; j < length; j++) {
            data[j] = (uint8_t)(context->NextSequence + j);
        }
        status = EchoSendRequest(context, data, length);
        if (!NT_SUCCESS(status)) {
            return status;
        }
    }
    return STATUS_SUCCESS;
}

VOID EchoPluginUnload(_In_ PVOID DriverContext)
{
    PECHO_DEVICE_CONTEXT context = (PECHO_DEVICE_CONTEXT)DriverContext;
    if (context == NULL) {
        return;
    }
    EchoDeviceRemove(context);
    free(context);
}
