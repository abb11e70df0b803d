/*
 * header_compat_check.c - compile-only check for two things a driver source
 * may do that header_c11_check.c does not:
 *
 *  1. define some WDK macros itself before including the shim (here in the
 *     WDK's own spelling, e.g. a DECLARE_HANDLE with a dummy member and
 *     (NTSTATUS)...L status codes); the shim must accept them silently;
 *  2. include the headers and use nothing from them; the static GUIDs and
 *     inline helpers must not trigger unused-entity warnings.
 */

/* Driver-provided definitions, spelled the way WDK headers spell them. */
#define DECLARE_HANDLE(name) \
    struct name##__ {        \
        int unused;          \
    };                       \
    typedef struct name##__ *name
#define _In_
#define _Out_
#define _In_opt_
#define _IRQL_requires_max_(irql)
#define FORCEINLINE static inline
#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#define STATUS_PENDING ((NTSTATUS)0x00000103L)
#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#define DISPATCH_LEVEL 2
#define TRUE 1
#define FALSE 0
#define VOID void

#include <ntddk.h>
#include <wdf.h>
#include <vmbuskernelmodeclientlibapi.h>

/* Redefining the same macros identically afterwards is also harmless. */
#define _In_
#define DISPATCH_LEVEL 2
#define TRUE 1

/* A translation unit must not be empty in ISO C. */
typedef int header_compat_check_nonempty;
