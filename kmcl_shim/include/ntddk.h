/*
 * ntddk.h - vmbsim stand-in for the WDK header of the same name.
 *
 * Lets a driver's "#include <ntddk.h>" resolve on Linux. It provides only
 * the base WDK types, status codes and annotations from vmbsim_wdk.h; the
 * kernel routines of the real header are not part of vmbsim.
 */
#ifndef VMBSIM_NTDDK_H
#define VMBSIM_NTDDK_H

#include "vmbsim_wdk.h"
#include "vmbsim_mdl.h"

#endif /* VMBSIM_NTDDK_H */
