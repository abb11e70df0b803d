/*
 * wdf.h - vmbsim stand-in for the KMDF header of the same name.
 *
 * Only the WDF glue a KMCL driver needs to obtain the KMCL function table:
 * a device handle type, the FDO interface query and the WDM device-object
 * accessor. vmbsim implements the two functions; everything else of KMDF is
 * out of scope.
 */
#ifndef VMBSIM_WDF_H
#define VMBSIM_WDF_H

#include "vmbsim_wdk.h"

VMBSIM_EXTERN_C_START

/* A framework device object (opaque). */
DECLARE_HANDLE(WDFDEVICE);

/* Queries the driver stack below Fdo for an interface (IRP_MN_QUERY_INTERFACE):
 * fills Interface, whose buffer is Size bytes, with version Version of the
 * interface identified by InterfaceType. Used with KMCL_CLIENT_INTERFACE_TYPE /
 * KMCL_SERVER_INTERFACE_TYPE to get the KMCL tables. */
NTSTATUS WdfFdoQueryForInterface(
    _In_ WDFDEVICE Fdo,
    _In_ LPCGUID InterfaceType,
    _Out_ PINTERFACE Interface,
    _In_ USHORT Size,
    _In_ USHORT Version,
    _In_opt_ PVOID InterfaceSpecificData);

/* Returns the WDM device object behind a framework device (for example the
 * ParentDeviceObject argument of VmbChannelAllocate). */
PDEVICE_OBJECT WdfDeviceWdmGetDeviceObject(
    _In_ WDFDEVICE Device);

VMBSIM_EXTERN_C_END

#endif /* VMBSIM_WDF_H */
