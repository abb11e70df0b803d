/*
 * storage_plugin.c - the storage client sample behind vmbsim's plugin contract (vmbsim_plugin.h),
 * so that scenarios and the fuzz harness can drive it.
 *
 * Arguments: none. Commands:
 *   "read SECTOR COUNT"    read COUNT sectors at SECTOR into a fresh buffer
 *   "write SECTOR COUNT"   write COUNT sectors at SECTOR from a fresh buffer (byte i = i & 0xff)
 * The buffers travel as external data and must outlive their requests, so they are kept until
 * the driver is unloaded (at most STOR_PLUGIN_MAX_IOS; then STATUS_DEVICE_BUSY).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmbsim_plugin.h>

#include "storage_driver.h"

#define STOR_PLUGIN_MAX_IOS 64u

typedef struct _STOR_PLUGIN {
    PSTOR_DEVICE_CONTEXT Device;  /* page-aligned: it holds the shared status page */
    void* Buffers[STOR_PLUGIN_MAX_IOS];
    ULONG BufferCount;
} STOR_PLUGIN;

static void* StorPluginAlignedAlloc(size_t Size)
{
#if defined(_WIN32)
    return _aligned_malloc(Size, 4096);
#else
    /* C11: the size must be a multiple of the alignment. */
    return aligned_alloc(4096, (Size + 4095u) & ~(size_t)4095u);
#endif
}

static void StorPluginAlignedFree(void* Block)
{
#if defined(_WIN32)
    _aligned_free(Block);
#else
    free(Block);
#endif
}

VMBSIM_PLUGIN_EXPORT NTSTATUS VmbsimDriverEntry(_In_ WDFDEVICE Device, _In_z_ const char* Arguments,
                                                _Out_ PVOID* DriverContext)
{
    STOR_PLUGIN* plugin;
    NTSTATUS status;

    *DriverContext = NULL;
    if (Arguments != NULL && Arguments[0] != '\0') {
        return STATUS_INVALID_PARAMETER;
    }
    plugin = (STOR_PLUGIN*)calloc(1, sizeof(*plugin));
    if (plugin == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    plugin->Device = (PSTOR_DEVICE_CONTEXT)StorPluginAlignedAlloc(sizeof(STOR_DEVICE_CONTEXT));
    if (plugin->Device == NULL) {
        free(plugin);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = StorDeviceAdd(Device, plugin->Device);
    if (!NT_SUCCESS(status)) {
        StorPluginAlignedFree(plugin->Device);
        free(plugin);
        return status;
    }
    *DriverContext = plugin;
    return STATUS_SUCCESS;
}

VMBSIM_PLUGIN_EXPORT NTSTATUS VmbsimDriverCommand(_In_ PVOID DriverContext, _In_z_ const char* Command)
{
    STOR_PLUGIN* plugin = (STOR_PLUGIN*)DriverContext;
    char verb[8];
    unsigned long long sector;
    unsigned count;
    unsigned char* buffer;
    size_t i;
    NTSTATUS status;

    if (sscanf(Command, "%7s %llu %u", verb, &sector, &count) != 3 ||
        (strcmp(verb, "read") != 0 && strcmp(verb, "write") != 0)) {
        return STATUS_NOT_SUPPORTED;
    }
    if (count == 0 || count > STOR_MAX_TRANSFER / STOR_SECTOR_SIZE) {
        return STATUS_INVALID_PARAMETER;
    }
    if (plugin->BufferCount == STOR_PLUGIN_MAX_IOS) {
        return STATUS_DEVICE_BUSY;
    }
    buffer = (unsigned char*)StorPluginAlignedAlloc((size_t)count * STOR_SECTOR_SIZE);
    if (buffer == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    for (i = 0; i < (size_t)count * STOR_SECTOR_SIZE; i++) {
        buffer[i] = (unsigned char)i;
    }
    status = StorSubmitIo(plugin->Device, verb[0] == 'w', sector, count, buffer);
    if (!NT_SUCCESS(status)) {
        StorPluginAlignedFree(buffer);
        return status;
    }
    plugin->Buffers[plugin->BufferCount++] = buffer;
    return STATUS_SUCCESS;
}

VMBSIM_PLUGIN_EXPORT VOID VmbsimDriverUnload(_In_ PVOID DriverContext)
{
    STOR_PLUGIN* plugin = (STOR_PLUGIN*)DriverContext;
    ULONG i;
    if (plugin == NULL) {
        return;
    }
    /* Removal completes (or cancels) every request, so the buffers are free to go after it. */
    StorDeviceRemove(plugin->Device);
    for (i = 0; i < plugin->BufferCount; i++) {
        StorPluginAlignedFree(plugin->Buffers[i]);
    }
    StorPluginAlignedFree(plugin->Device);
    free(plugin);
}
