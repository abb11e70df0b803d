/*
 * vmbsim_mdl.h - the MDL routines a driver uses around KMCL (wdm.h names and semantics).
 *
 * An MDL describes a buffer as a page-aligned start, an offset into the first page, a byte
 * count, and the guest page numbers of its pages, which follow the MDL header in memory.
 * MmBuildMdlForNonPagedPool gives those pages numbers in the simulated guest-physical address
 * space of the simulation running on this thread, so packets and GPADLs that describe the
 * buffer carry real GPA ranges. In the WDK several of these are macros; here they are
 * functions with the same names and arguments, so both call styles compile.
 */
#ifndef VMBSIM_MDL_H
#define VMBSIM_MDL_H

#include "vmbsim_wdk.h"

VMBSIM_EXTERN_C_START

#ifndef PAGE_SIZE
#define PAGE_SIZE 0x1000
#endif
#ifndef PAGE_SHIFT
#define PAGE_SHIFT 12
#endif
#ifndef BYTE_OFFSET
#define BYTE_OFFSET(Va) ((ULONG)((ULONG_PTR)(Va) & (PAGE_SIZE - 1)))
#endif
#ifndef PAGE_ALIGN
#define PAGE_ALIGN(Va) ((PVOID)((ULONG_PTR)(Va) & ~((ULONG_PTR)PAGE_SIZE - 1)))
#endif
#ifndef ADDRESS_AND_SIZE_TO_SPAN_PAGES
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size) \
    ((ULONG)((BYTE_OFFSET(Va) + (ULONG_PTR)(Size) + (PAGE_SIZE - 1)) >> PAGE_SHIFT))
#endif

/* MdlFlags bits (wdm.h values). */
#define MDL_MAPPED_TO_SYSTEM_VA 0x0001
#define MDL_PAGES_LOCKED 0x0002
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004
#define MDL_ALLOCATED_FIXED_SIZE 0x0008
#define MDL_PARTIAL 0x0010

typedef enum _MM_PAGE_PRIORITY {
    LowPagePriority = 0,
    NormalPagePriority = 16,
    HighPagePriority = 32
} MM_PAGE_PRIORITY;

/* Allocates an MDL (header plus room for the PFNs) describing Length bytes at VirtualAddress.
 * SecondaryBuffer/ChargeQuota/Irp are accepted and ignored (no IRPs here). NULL on failure. */
PMDL IoAllocateMdl(_In_opt_ PVOID VirtualAddress, _In_ ULONG Length, _In_ BOOLEAN SecondaryBuffer,
                   _In_ BOOLEAN ChargeQuota, _Inout_opt_ PVOID Irp);
/* Frees an MDL from IoAllocateMdl. */
VOID IoFreeMdl(_In_ PMDL Mdl);
/* Fills the PFN array of an MDL over nonpaged memory and records its system address. */
VOID MmBuildMdlForNonPagedPool(_Inout_ PMDL MemoryDescriptorList);
/* The buffer's virtual address (StartVa + ByteOffset). */
PVOID MmGetMdlVirtualAddress(_In_ PMDL Mdl);
/* The number of bytes the MDL describes. */
ULONG MmGetMdlByteCount(_In_ PMDL Mdl);
/* The offset of the buffer within its first page. */
ULONG MmGetMdlByteOffset(_In_ PMDL Mdl);
/* A system address for the buffer, or NULL if the MDL has none (its pages were never mapped). */
PVOID MmGetSystemAddressForMdlSafe(_In_ PMDL Mdl, _In_ ULONG Priority);
/* The PFN array that follows the MDL header. */
PPFN_NUMBER MmGetMdlPfnArray(_In_ PMDL Mdl);

VMBSIM_EXTERN_C_END

#endif /* VMBSIM_MDL_H */
