/*
 * ping_plugin.c - the ping driver behind vmbsim's plugin contract (vmbsim_plugin.h), so that
 * scenario files can drive it: `vmbsim run SCENARIO --driver libping_plugin.so`.
 *
 * Arguments: none. Commands:
 *   "ping VALUE"              send one PING carrying VALUE
 *   "check ANSWERED VALUE"    fail unless exactly ANSWERED PONGs came back, none failed, and
 *                             the last one carried VALUE - how a scenario sees inside the driver
 */
#include <stdio.h>
#include <stdlib.h>

#include <vmbsim_plugin.h>

#include "ping_driver.h"

VMBSIM_PLUGIN_EXPORT NTSTATUS VmbsimDriverEntry(_In_ WDFDEVICE Device, _In_z_ const char* Arguments,
                                                _Out_ PVOID* DriverContext)
{
    PPING_DRIVER driver;
    NTSTATUS status;

    *DriverContext = NULL;
    if (Arguments != NULL && Arguments[0] != '\0') {
        /* No options: refusing them beats ignoring a typo in a scenario. */
        return STATUS_INVALID_PARAMETER;
    }
    driver = (PPING_DRIVER)calloc(1, sizeof(*driver));
    if (driver == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = PingDriverAdd(Device, driver);
    if (!NT_SUCCESS(status)) {
        free(driver);
        return status;
    }
    *DriverContext = driver;
    return STATUS_SUCCESS;
}

VMBSIM_PLUGIN_EXPORT NTSTATUS VmbsimDriverCommand(_In_ PVOID DriverContext, _In_z_ const char* Command)
{
    PPING_DRIVER driver = (PPING_DRIVER)DriverContext;
    unsigned value, answered;

    if (sscanf(Command, "ping %u", &value) == 1) {
        return PingDriverSend(driver, (UINT32)value);
    }
    if (sscanf(Command, "check %u %u", &answered, &value) == 2) {
        return (driver->Answered == answered && driver->Failed == 0 && driver->LastValue == value)
                   ? STATUS_SUCCESS
                   : STATUS_UNSUCCESSFUL;
    }
    return STATUS_NOT_SUPPORTED;
}

VMBSIM_PLUGIN_EXPORT VOID VmbsimDriverUnload(_In_ PVOID DriverContext)
{
    PPING_DRIVER driver = (PPING_DRIVER)DriverContext;

    if (driver == NULL) {
        return;
    }
    PingDriverRemove(driver);
    free(driver);
}
