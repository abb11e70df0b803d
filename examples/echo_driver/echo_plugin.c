/*
 * echo_plugin.c - the echo sample driver's plugin entry points (see echo_plugin.h).
 */
#include "echo_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echo_driver.h"

/* The buggy build (ECHO_WITH_BUGS) takes "bugs=NAME[,NAME...]"; the sample takes nothing. */
static BOOLEAN EchoPluginParseBugs(const char* Arguments, ULONG* Bugs)
{
#ifdef ECHO_WITH_BUGS
    static const struct {
        const char* Name;
        ULONG Bug;
    } names[] = {
        {"double_free", ECHO_BUG_DOUBLE_FREE},       {"leak_on_failure", ECHO_BUG_LEAK_ON_FAILURE},
        {"keep_notify", ECHO_BUG_KEEP_NOTIFY},       {"complete_twice", ECHO_BUG_COMPLETE_TWICE},
        {"free_after_send", ECHO_BUG_FREE_AFTER_SEND}, {"trust_length", ECHO_BUG_TRUST_LENGTH},
        {"use_after_completion", ECHO_BUG_USE_AFTER_COMPLETION}, {"leak_on_rescind", ECHO_BUG_LEAK_ON_RESCIND},
        {"txid_confusion", ECHO_BUG_TXID_CONFUSION},
    };
    const char* p = Arguments;
    size_t i;

    if (strncmp(p, "bugs=", 5) != 0) {
        return FALSE;
    }
    p += 5;
    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        BOOLEAN known = FALSE;
        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            if (strlen(names[i].Name) == n && strncmp(p, names[i].Name, n) == 0) {
                *Bugs |= names[i].Bug;
                known = TRUE;
            }
        }
        if (!known) {
            return FALSE;
        }
        p += n;
        if (*p == ',') {
            p++;
        }
    }
    return TRUE;
#else
    (void)Arguments;
    (void)Bugs;
    return FALSE;
#endif
}

NTSTATUS EchoPluginEntry(_In_ WDFDEVICE Device, _In_z_ const char* Arguments, _Out_ PVOID* DriverContext)
{
    PECHO_DEVICE_CONTEXT context;
    NTSTATUS status;

    ULONG bugs = 0;

    *DriverContext = NULL;
    if (Arguments != NULL && Arguments[0] != '\0' && !EchoPluginParseBugs(Arguments, &bugs)) {
        /* Refusing what it does not know beats ignoring a typo. */
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
    context->InjectedBugs = bugs;
    *DriverContext = context;
    return STATUS_SUCCESS;
}

NTSTATUS EchoPluginCommand(_In_ PVOID DriverContext, _In_z_ const char* Command)
{
    PECHO_DEVICE_CONTEXT context = (PECHO_DEVICE_CONTEXT)DriverContext;
    unsigned count = 0, length = 8, i, j;
    int fields;
    uint8_t data[ECHO_MAX_DATA];

    if (strcmp(Command, "reconnect") == 0) {
        return EchoReconnect(context);
    }
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
