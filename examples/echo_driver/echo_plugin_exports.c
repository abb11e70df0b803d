/*
 * echo_plugin_exports.c - the echo sample as a loadable plugin: the contract's exported names
 * (vmbsim_plugin.h) forwarding to echo_plugin.c. `vmbsim run --driver libvmbsim_echo_plugin.so`.
 */
#include "echo_plugin.h"

VMBSIM_PLUGIN_EXPORT NTSTATUS VmbsimDriverEntry(_In_ WDFDEVICE Device, _In_z_ const char* Arguments,
                                                _Out_ PVOID* DriverContext)
{
    return EchoPluginEntry(Device, Arguments, DriverContext);
}

VMBSIM_PLUGIN_EXPORT NTSTATUS VmbsimDriverCommand(_In_ PVOID DriverContext, _In_z_ const char* Command)
{
    return EchoPluginCommand(DriverContext, Command);
}

VMBSIM_PLUGIN_EXPORT VOID VmbsimDriverUnload(_In_ PVOID DriverContext)
{
    EchoPluginUnload(DriverContext);
}
