/*
 * vmbsim_wdk.h - the small slice of the Windows driver kit (WDK) that the
 * KMCL header and typical VMBus driver code need, re-created for Linux.
 *
 * Goals:
 *   - Compile as C11 and C++17 with -Wall -Wextra -Werror (and as pedantic C11).
 *   - Keep the Windows widths and layouts (ULONG is 32-bit, WCHAR is 16-bit,
 *     GUID is 16 bytes, INTERFACE is 32 bytes on x64, ...), because driver
 *     code relies on them and the simulator shares these structs with it.
 *   - Co-exist with driver code that defines some of the same macros itself:
 *     every macro here is defined only if it is not already defined.
 *
 * Only names and numeric values come from the WDK; this file is vmbsim's own.
 */
#ifndef VMBSIM_WDK_H
#define VMBSIM_WDK_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------- */
/* Compiler glue. vmbsim-private helpers are prefixed VMBSIM_.               */
/* ------------------------------------------------------------------------- */

/* Marks an anonymous struct member. Anonymous structs are standard C11; in
 * C++ they are a GNU/Clang extension, and __extension__ keeps them quiet even
 * under -pedantic. */
#ifndef VMBSIM_ANONYMOUS
#if defined(__GNUC__) || defined(__clang__)
#define VMBSIM_ANONYMOUS __extension__
#else
#define VMBSIM_ANONYMOUS
#endif
#endif

/* Compile-time assertion usable at file scope in both languages. */
#ifndef VMBSIM_STATIC_ASSERT
#ifdef __cplusplus
#define VMBSIM_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define VMBSIM_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif
#endif

/* 1 on targets with 64-bit pointers, where the x64 layouts apply. */
#ifndef VMBSIM_TARGET_64BIT
#if UINTPTR_MAX == UINT64_MAX
#define VMBSIM_TARGET_64BIT 1
#else
#define VMBSIM_TARGET_64BIT 0
#endif
#endif

/* Wraps declarations in extern "C" when compiled as C++. */
#ifndef VMBSIM_EXTERN_C_START
#ifdef __cplusplus
#define VMBSIM_EXTERN_C_START extern "C" {
#define VMBSIM_EXTERN_C_END }
#else
#define VMBSIM_EXTERN_C_START
#define VMBSIM_EXTERN_C_END
#endif
#endif

/* ------------------------------------------------------------------------- */
/* Calling-convention and inlining keywords. On x64 Windows FASTCALL and     */
/* NTAPI already mean the one platform convention, so they vanish here.      */
/* ------------------------------------------------------------------------- */

#ifndef FASTCALL
#define FASTCALL
#endif

#ifndef NTAPI
#define NTAPI
#endif

/* C: "static inline" so a header helper never needs an out-of-line copy
 * (plain C99 "inline" would leave an undefined symbol at -O0).
 * C++: plain "inline" (also valid on class members). */
#ifndef FORCEINLINE
#ifdef __cplusplus
#define FORCEINLINE inline
#else
#define FORCEINLINE static inline
#endif
#endif

/* ------------------------------------------------------------------------- */
/* SAL annotations. The KMCL prototypes carry them for static analysis; on   */
/* Linux they have no meaning, so each expands to nothing. Arguments are     */
/* dropped unexpanded, so expressions such as (>,0) or *_Curr_ % 8 == 0      */
/* never reach the compiler.                                                 */
/* ------------------------------------------------------------------------- */

/* Parameter direction and optionality. */
#ifndef _In_
#define _In_
#endif
#ifndef _In_opt_
#define _In_opt_
#endif
#ifndef _In_z_
#define _In_z_
#endif
#ifndef _Out_
#define _Out_
#endif
#ifndef _Out_opt_
#define _Out_opt_
#endif
#ifndef _Inout_
#define _Inout_
#endif
#ifndef _Inout_opt_
#define _Inout_opt_
#endif
#ifndef _Outptr_
#define _Outptr_
#endif
#ifndef _Outptr_opt_
#define _Outptr_opt_
#endif
#ifndef _Outptr_result_maybenull_
#define _Outptr_result_maybenull_
#endif

/* Buffer sizes. */
#ifndef _In_reads_
#define _In_reads_(count)
#endif
#ifndef _In_reads_opt_
#define _In_reads_opt_(count)
#endif
#ifndef _In_reads_bytes_
#define _In_reads_bytes_(size)
#endif
#ifndef _In_reads_bytes_opt_
#define _In_reads_bytes_opt_(size)
#endif
#ifndef _Out_writes_
#define _Out_writes_(count)
#endif
#ifndef _Out_writes_bytes_
#define _Out_writes_bytes_(size)
#endif
#ifndef _Out_writes_bytes_opt_
#define _Out_writes_bytes_opt_(size)
#endif
#ifndef _Out_writes_bytes_to_
#define _Out_writes_bytes_to_(size, count)
#endif
#ifndef _Out_writes_bytes_to_opt_
#define _Out_writes_bytes_to_opt_(size, count)
#endif
#ifndef _Inout_updates_bytes_
#define _Inout_updates_bytes_(size)
#endif

/* Value ranges, conditions and results. */
#ifndef _In_range_
#define _In_range_(low, high)
#endif
#ifndef _Pre_satisfies_
#define _Pre_satisfies_(cond)
#endif
/* _Must_inspect_result_ is the one SAL annotation with teeth here: with gcc it becomes
 * warn_unused_result, so a driver that ignores VmbChannelEnable's status (lifecycle rule 12)
 * gets a warning (an error under -Werror), as PREfast would flag it on Windows. gcc honours it
 * on the function types, so both direct calls and calls through the table are checked; clang
 * ignores it there, and in C++ it would upset templates over those types, so it applies to C
 * (which most drivers are). Define VMBSIM_NO_MUST_INSPECT_RESULT (or _Must_inspect_result_
 * itself) to opt out. */
#ifndef _Must_inspect_result_
#if defined(__GNUC__) && !defined(__clang__) && !defined(__cplusplus) && !defined(VMBSIM_NO_MUST_INSPECT_RESULT)
#define _Must_inspect_result_ __attribute__((warn_unused_result))
#else
#define _Must_inspect_result_
#endif
#endif
#ifndef _Success_
#define _Success_(expr)
#endif
#ifndef _Ret_maybenull_
#define _Ret_maybenull_
#endif
#ifndef _At_
#define _At_(target, annos)
#endif
#ifndef _When_
#define _When_(cond, annos)
#endif
#ifndef _Use_decl_annotations_
#define _Use_decl_annotations_
#endif
#ifndef _Function_class_
#define _Function_class_(name)
#endif

/* IRQL rules (vmbsim checks IRQL at run time instead). */
#ifndef _IRQL_requires_
#define _IRQL_requires_(irql)
#endif
#ifndef _IRQL_requires_max_
#define _IRQL_requires_max_(irql)
#endif
#ifndef _IRQL_requires_min_
#define _IRQL_requires_min_(irql)
#endif
#ifndef _IRQL_requires_same_
#define _IRQL_requires_same_
#endif

/* Driver-verifier style memory ownership annotations. */
#ifndef __drv_allocatesMem
#define __drv_allocatesMem(kind)
#endif
#ifndef __drv_freesMem
#define __drv_freesMem(kind)
#endif
#ifndef __drv_aliasesMem
#define __drv_aliasesMem
#endif

/* ------------------------------------------------------------------------- */
/* IRQL levels (numbers as in wdm.h).                                        */
/* ------------------------------------------------------------------------- */

#ifndef PASSIVE_LEVEL
#define PASSIVE_LEVEL 0
#endif
#ifndef APC_LEVEL
#define APC_LEVEL 1
#endif
#ifndef DISPATCH_LEVEL
#define DISPATCH_LEVEL 2
#endif

/* ------------------------------------------------------------------------- */
/* Basic scalar types. Fixed-width types are used throughout because LP64    */
/* Linux disagrees with LLP64 Windows on "long".                             */
/* ------------------------------------------------------------------------- */

#ifndef VOID
#define VOID void
#endif

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

VMBSIM_EXTERN_C_START

typedef void *PVOID;
typedef void *HANDLE;
typedef HANDLE *PHANDLE;

typedef char CHAR;
typedef int16_t SHORT;
typedef int16_t CSHORT;
typedef int32_t LONG;
typedef int64_t LONGLONG;
typedef uint8_t UCHAR;
typedef uint16_t USHORT;
typedef uint32_t ULONG;   /* 32-bit, unlike Linux "unsigned long" */
typedef uint64_t ULONGLONG;
typedef UCHAR BOOLEAN;    /* one byte, not C/C++ bool */

typedef UCHAR *PUCHAR;
typedef USHORT *PUSHORT;
typedef ULONG *PULONG;
typedef LONG *PLONG;
typedef LONGLONG *PLONGLONG;
typedef ULONGLONG *PULONGLONG;
typedef BOOLEAN *PBOOLEAN;

typedef uint8_t UINT8;
typedef uint16_t UINT16;
typedef uint32_t UINT32;
typedef uint64_t UINT64;
typedef UINT8 *PUINT8;
typedef UINT16 *PUINT16;
typedef UINT32 *PUINT32;
typedef UINT64 *PUINT64;

typedef uintptr_t ULONG_PTR;
typedef ULONG_PTR *PULONG_PTR;

/* Physical page frame number, pointer-sized as on Windows. */
typedef ULONG_PTR PFN_NUMBER;
typedef PFN_NUMBER *PPFN_NUMBER;

/* UTF-16 code unit. In C++ char16_t so u"..." literals fit; in C the same
 * 16-bit unsigned type that <uchar.h> uses for char16_t. wchar_t is 32-bit
 * on Linux and must not be used. */
#ifdef __cplusplus
typedef char16_t WCHAR;
#else
typedef uint_least16_t WCHAR;
#endif
typedef WCHAR *PWCHAR;
typedef WCHAR *PWSTR;
typedef const WCHAR *PCWSTR;

/* ------------------------------------------------------------------------- */
/* NTSTATUS and the status codes vmbsim uses (values from ntstatus.h).       */
/* Severity lives in the top two bits, so success and informational codes   */
/* are >= 0 and warnings and errors are negative.                            */
/* ------------------------------------------------------------------------- */

typedef LONG NTSTATUS;
typedef NTSTATUS *PNTSTATUS;

#ifndef NT_SUCCESS
#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#endif

/* Silences unused-parameter warnings, as the WDK macro does. */
#ifndef UNREFERENCED_PARAMETER
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#endif

/* Success and informational. */
#ifndef STATUS_SUCCESS
#define STATUS_SUCCESS ((NTSTATUS)0x00000000u)
#endif
#ifndef STATUS_TIMEOUT
#define STATUS_TIMEOUT ((NTSTATUS)0x00000102u)
#endif
#ifndef STATUS_PENDING
#define STATUS_PENDING ((NTSTATUS)0x00000103u)
#endif

/* Warnings (fail NT_SUCCESS). */
#ifndef STATUS_BUFFER_OVERFLOW
#define STATUS_BUFFER_OVERFLOW ((NTSTATUS)0x80000005u)
#endif
#ifndef STATUS_DEVICE_BUSY
#define STATUS_DEVICE_BUSY ((NTSTATUS)0x80000011u)
#endif

/* Errors. */
#ifndef STATUS_UNSUCCESSFUL
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001u)
#endif
#ifndef STATUS_NOT_IMPLEMENTED
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xC0000002u)
#endif
#ifndef STATUS_INVALID_HANDLE
#define STATUS_INVALID_HANDLE ((NTSTATUS)0xC0000008u)
#endif
#ifndef STATUS_INVALID_PARAMETER
#define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000Du)
#endif
#ifndef STATUS_MORE_PROCESSING_REQUIRED
#define STATUS_MORE_PROCESSING_REQUIRED ((NTSTATUS)0xC0000016u)
#endif
#ifndef STATUS_ACCESS_DENIED
#define STATUS_ACCESS_DENIED ((NTSTATUS)0xC0000022u)
#endif
#ifndef STATUS_BUFFER_TOO_SMALL
#define STATUS_BUFFER_TOO_SMALL ((NTSTATUS)0xC0000023u)
#endif
#ifndef STATUS_INSUFFICIENT_RESOURCES
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009Au)
#endif
#ifndef STATUS_NOT_SUPPORTED
#define STATUS_NOT_SUPPORTED ((NTSTATUS)0xC00000BBu)
#endif
#ifndef STATUS_CANCELLED
#define STATUS_CANCELLED ((NTSTATUS)0xC0000120u)
#endif
#ifndef STATUS_INVALID_DEVICE_STATE
#define STATUS_INVALID_DEVICE_STATE ((NTSTATUS)0xC0000184u)
#endif
#ifndef STATUS_DEVICE_REMOVED
#define STATUS_DEVICE_REMOVED ((NTSTATUS)0xC00002B6u)
#endif

/* "Parameter n is invalid". KMCL documents _1.._3; vmbsim also reports
 * the later positions of the longer send functions (up to 8 parameters). */
#ifndef STATUS_INVALID_PARAMETER_1
#define STATUS_INVALID_PARAMETER_1 ((NTSTATUS)0xC00000EFu)
#endif
#ifndef STATUS_INVALID_PARAMETER_2
#define STATUS_INVALID_PARAMETER_2 ((NTSTATUS)0xC00000F0u)
#endif
#ifndef STATUS_INVALID_PARAMETER_3
#define STATUS_INVALID_PARAMETER_3 ((NTSTATUS)0xC00000F1u)
#endif
#ifndef STATUS_INVALID_PARAMETER_4
#define STATUS_INVALID_PARAMETER_4 ((NTSTATUS)0xC00000F2u)
#endif
#ifndef STATUS_INVALID_PARAMETER_5
#define STATUS_INVALID_PARAMETER_5 ((NTSTATUS)0xC00000F3u)
#endif
#ifndef STATUS_INVALID_PARAMETER_6
#define STATUS_INVALID_PARAMETER_6 ((NTSTATUS)0xC00000F4u)
#endif
#ifndef STATUS_INVALID_PARAMETER_7
#define STATUS_INVALID_PARAMETER_7 ((NTSTATUS)0xC00000F5u)
#endif
#ifndef STATUS_INVALID_PARAMETER_8
#define STATUS_INVALID_PARAMETER_8 ((NTSTATUS)0xC00000F6u)
#endif

/* ------------------------------------------------------------------------- */
/* Opaque handles: each name becomes its own pointer-to-incomplete-struct    */
/* type, so handles of different kinds cannot be mixed up silently.          */
/* ------------------------------------------------------------------------- */

#ifndef DECLARE_HANDLE
#define DECLARE_HANDLE(name) \
    struct name##__;         \
    typedef struct name##__ *name
#endif

/* ------------------------------------------------------------------------- */
/* Aggregate types with Windows layouts.                                     */
/* ------------------------------------------------------------------------- */

/* GUID (guiddef.h layout, 16 bytes). GUID_DEFINED is the guard the Windows
 * headers use, so a second GUID definition elsewhere is skipped. */
#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} GUID;
#endif
typedef GUID *LPGUID;
typedef const GUID *LPCGUID;

/* Counted UTF-16 string; lengths are in bytes and there is no terminator. */
typedef struct _UNICODE_STRING {
    USHORT Length;
    USHORT MaximumLength;
    PWSTR Buffer;
} UNICODE_STRING;
typedef UNICODE_STRING *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

/* 64-bit signed value with 32-bit halves (little-endian order). Used for
 * KeWaitForSingleObject-style timeouts in 100 ns units. */
typedef union _LARGE_INTEGER {
    VMBSIM_ANONYMOUS struct {
        ULONG LowPart;
        LONG HighPart;
    };
    struct {
        ULONG LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER;
typedef LARGE_INTEGER *PLARGE_INTEGER;

/* Opaque kernel objects: drivers only pass pointers to them around. */
struct _DEVICE_OBJECT;
typedef struct _DEVICE_OBJECT DEVICE_OBJECT;
typedef struct _DEVICE_OBJECT *PDEVICE_OBJECT;

struct _EPROCESS;
typedef struct _EPROCESS *PEPROCESS;

/* Memory descriptor list header (wdm.h field names and order). The page
 * frame numbers (PFN_NUMBER[]) follow the header directly in memory. */
typedef struct _MDL {
    struct _MDL *Next;
    CSHORT Size;
    CSHORT MdlFlags;
    struct _EPROCESS *Process;
    PVOID MappedSystemVa;
    PVOID StartVa;
    ULONG ByteCount;
    ULONG ByteOffset;
} MDL;
typedef MDL *PMDL;

/* Generic driver-to-driver interface header (IRP_MN_QUERY_INTERFACE). The
 * provider takes a reference before handing it out; the consumer calls
 * InterfaceDereference(Context) when done. */
typedef void (*PINTERFACE_REFERENCE)(PVOID Context);
typedef void (*PINTERFACE_DEREFERENCE)(PVOID Context);

typedef struct _INTERFACE {
    USHORT Size;
    USHORT Version;
    PVOID Context;
    PINTERFACE_REFERENCE InterfaceReference;
    PINTERFACE_DEREFERENCE InterfaceDereference;
} INTERFACE;
typedef INTERFACE *PINTERFACE;

VMBSIM_EXTERN_C_END

/* ------------------------------------------------------------------------- */
/* Width and layout checks. Widths hold on every target; offsets and sizes   */
/* that involve pointers are the x64 values and are checked on 64-bit only.  */
/* ------------------------------------------------------------------------- */

VMBSIM_STATIC_ASSERT(sizeof(NTSTATUS) == 4, "NTSTATUS must be 32-bit");
VMBSIM_STATIC_ASSERT(sizeof(ULONG) == 4, "ULONG must be 32-bit");
VMBSIM_STATIC_ASSERT(sizeof(LONG) == 4, "LONG must be 32-bit");
VMBSIM_STATIC_ASSERT(sizeof(BOOLEAN) == 1, "BOOLEAN must be one byte");
VMBSIM_STATIC_ASSERT(sizeof(WCHAR) == 2, "WCHAR must be 16-bit");
VMBSIM_STATIC_ASSERT(sizeof(GUID) == 16, "GUID must be 16 bytes");
VMBSIM_STATIC_ASSERT(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER must be 8 bytes");
VMBSIM_STATIC_ASSERT(sizeof(PFN_NUMBER) == sizeof(void *), "PFN_NUMBER is pointer-sized");

#if VMBSIM_TARGET_64BIT
VMBSIM_STATIC_ASSERT(sizeof(INTERFACE) == 0x20, "INTERFACE is 32 bytes on x64");
VMBSIM_STATIC_ASSERT(offsetof(INTERFACE, Context) == 0x08, "INTERFACE.Context offset");
VMBSIM_STATIC_ASSERT(offsetof(INTERFACE, InterfaceDereference) == 0x18,
                     "INTERFACE.InterfaceDereference offset");
VMBSIM_STATIC_ASSERT(sizeof(UNICODE_STRING) == 0x10, "UNICODE_STRING is 16 bytes on x64");
VMBSIM_STATIC_ASSERT(sizeof(MDL) == 0x30, "MDL header is 48 bytes on x64");
VMBSIM_STATIC_ASSERT(offsetof(MDL, Process) == 0x10, "MDL.Process offset");
VMBSIM_STATIC_ASSERT(offsetof(MDL, ByteCount) == 0x28, "MDL.ByteCount offset");
#endif

#endif /* VMBSIM_WDK_H */
