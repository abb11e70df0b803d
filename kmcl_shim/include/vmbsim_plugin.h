/*
 * vmbsim_plugin.h - the contract between vmbsim and a driver built as a plugin (a shared
 * library given to `vmbsim run --driver LIB.so`, or linked in). C, so that a C driver exports
 * these entry points from one small file beside its own sources.
 *
 *   VmbsimDriverEntry    required. The driver's add-device: it receives its WDFDEVICE (which
 *                        leads to the offer(s) of the scenario, see WdfFdoQueryForInterface) and
 *                        the scenario's `driver: args:` string, allocates its context, sets up
 *                        its channel(s) and stores the context in *DriverContext. A failure
 *                        status fails the scenario.
 *   VmbsimDriverCommand  optional. A scenario step `driver: COMMAND` (what the driver would do
 *                        on its own initiative, e.g. "send 3"). Unknown commands should return
 *                        STATUS_NOT_SUPPORTED.
 *   VmbsimDriverUnload   required. The driver's remove: disable and clean up its channels, free
 *                        everything. Leaks are reported after it returns.
 *
 * The functions run on the simulation's thread, at PASSIVE_LEVEL, never concurrently.
 */
#ifndef VMBSIM_PLUGIN_H
#define VMBSIM_PLUGIN_H

#include "vmbsim_wdk.h"
#include "wdf.h"

VMBSIM_EXTERN_C_START

#if defined(_WIN32)
#define VMBSIM_PLUGIN_EXPORT __declspec(dllexport)
#else
#define VMBSIM_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

typedef NTSTATUS VMBSIM_DRIVER_ENTRY(_In_ WDFDEVICE Device, _In_z_ const char* Arguments, _Out_ PVOID* DriverContext);
typedef NTSTATUS VMBSIM_DRIVER_COMMAND(_In_ PVOID DriverContext, _In_z_ const char* Command);
typedef VOID VMBSIM_DRIVER_UNLOAD(_In_ PVOID DriverContext);

typedef VMBSIM_DRIVER_ENTRY* PFN_VMBSIM_DRIVER_ENTRY;
typedef VMBSIM_DRIVER_COMMAND* PFN_VMBSIM_DRIVER_COMMAND;
typedef VMBSIM_DRIVER_UNLOAD* PFN_VMBSIM_DRIVER_UNLOAD;

/* The exported names vmbsim looks up. */
#define VMBSIM_DRIVER_ENTRY_NAME "VmbsimDriverEntry"
#define VMBSIM_DRIVER_COMMAND_NAME "VmbsimDriverCommand"
#define VMBSIM_DRIVER_UNLOAD_NAME "VmbsimDriverUnload"

VMBSIM_EXTERN_C_END

#endif /* VMBSIM_PLUGIN_H */
