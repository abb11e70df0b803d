/*
 * wdm.h - vmbsim stand-in for the WDK header of the same name.
 *
 * Lets a driver's "#include <wdm.h>" resolve on Linux. It provides only the
 * base WDK types, status codes and annotations from vmbsim_wdk.h, the MDL
 * routines (vmbsim_mdl.h) and KeGetCurrentIrql (vmbsim_ke.h); the other
 * kernel routines of the real header are not part of vmbsim.
 */
#ifndef VMBSIM_WDM_H
#define VMBSIM_WDM_H

#include "vmbsim_wdk.h"
#include "vmbsim_ke.h"
#include "vmbsim_mdl.h"

#endif /* VMBSIM_WDM_H */
