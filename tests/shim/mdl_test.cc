// The WDK MDL routines the shim provides.
#include <gtest/gtest.h>

#include <wdm.h>

#include "sim/core/simulation.h"

namespace {

struct alignas(4096) Buffer {
  uint8_t bytes[4 * 4096];
};

TEST(Mdl, AllocateDescribesTheBuffer) {
  vmbsim::Simulation sim;
  static Buffer buf;
  PMDL m = IoAllocateMdl(buf.bytes + 100, 5000, FALSE, FALSE, nullptr);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->StartVa, buf.bytes);
  EXPECT_EQ(MmGetMdlByteOffset(m), 100u);
  EXPECT_EQ(MmGetMdlByteCount(m), 5000u);
  EXPECT_EQ(MmGetMdlVirtualAddress(m), buf.bytes + 100);
  EXPECT_EQ(m->Next, nullptr);
  EXPECT_EQ(MmGetSystemAddressForMdlSafe(m, NormalPagePriority), nullptr);  // not built yet
  IoFreeMdl(m);
}

TEST(Mdl, BuildAssignsGuestPageNumbers) {
  vmbsim::Simulation sim;
  static Buffer buf;
  PMDL m = IoAllocateMdl(buf.bytes + 4000, 200, FALSE, FALSE, nullptr);  // spans two pages
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(m), MmGetMdlByteCount(m)), 2u);
  MmBuildMdlForNonPagedPool(m);
  PPFN_NUMBER pfns = MmGetMdlPfnArray(m);
  EXPECT_EQ(sim.guest_memory().page(pfns[0]), buf.bytes);
  EXPECT_EQ(sim.guest_memory().page(pfns[1]), buf.bytes + 4096);
  EXPECT_EQ(MmGetSystemAddressForMdlSafe(m, NormalPagePriority), buf.bytes + 4000);
  EXPECT_TRUE(m->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL);
  IoFreeMdl(m);
}

TEST(Mdl, ZeroLengthAllocationFails) { EXPECT_EQ(IoAllocateMdl(nullptr, 0, FALSE, FALSE, nullptr), nullptr); }

}  // namespace
