/*
 * vmbsim_ke.h - the kernel (Ke) routines a KMCL driver commonly calls around its callbacks.
 * Part of the wdm.h stand-in; the IRQL is the simulated one (the level the simulator runs the
 * current callback at), so a driver can decide for itself whether to defer work to PASSIVE.
 */
#ifndef VMBSIM_KE_H
#define VMBSIM_KE_H

#include "vmbsim_wdk.h"

VMBSIM_EXTERN_C_START

typedef UCHAR KIRQL;
typedef KIRQL *PKIRQL;

/* The simulated IRQL of the calling context: PASSIVE_LEVEL outside callbacks, and inside one
 * the level kmcl-api.md gives it (DISPATCH_LEVEL for packet callbacks unless the channel asked
 * for PASSIVE). PASSIVE_LEVEL when no simulation runs on this thread. */
KIRQL KeGetCurrentIrql(void);

VMBSIM_EXTERN_C_END

#endif /* VMBSIM_KE_H */
