// The simulated guest-physical address space.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "sim/core/guest_memory.h"

namespace vmbsim {
namespace {

struct alignas(4096) Pages {
  uint8_t bytes[3 * 4096];
};

TEST(GuestMemory, PageNumbersAreStableAndAssignedInOrder) {
  GuestMemory m;
  Pages buf{};
  uint64_t a = m.pfn_for(buf.bytes + 10);
  uint64_t b = m.pfn_for(buf.bytes + 4096);
  EXPECT_EQ(a, GuestMemory::kFirstPfn);
  EXPECT_EQ(b, a + 1);
  EXPECT_EQ(m.pfn_for(buf.bytes + 4095), a);
  EXPECT_EQ(m.page(a), buf.bytes);
  EXPECT_EQ(m.page(0), nullptr);
  EXPECT_EQ(m.page(b + 100), nullptr);
}

TEST(GuestMemory, HostAccessNeedsPinnedPages) {
  GuestMemory m;
  Pages buf{};
  ring::GpaRange r{100, 4090, {m.pfn_for(buf.bytes), m.pfn_for(buf.bytes + 4096)}};
  uint8_t out[100];
  EXPECT_FALSE(m.read(r, 0, out, sizeof(out)));
  m.pin(r);
  std::memset(buf.bytes + 4090, 0x5a, 100);
  ASSERT_TRUE(m.read(r, 0, out, sizeof(out)));  // crosses the page boundary
  EXPECT_EQ(out[0], 0x5a);
  EXPECT_EQ(out[99], 0x5a);
  uint8_t in[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  ASSERT_TRUE(m.write(r, 90, in, sizeof(in)));
  EXPECT_EQ(buf.bytes[4090 + 99], 10);
  EXPECT_FALSE(m.read(r, 95, out, 10));  // leaves the range
  m.unpin(r);
  EXPECT_FALSE(m.read(r, 0, out, 1));
}

TEST(GuestMemory, UnknownPageNumbersAreNeverDereferenced) {
  GuestMemory m;
  ring::GpaRange r{8, 0, {0xdeadbeef}};
  m.pin(r);  // pinning an unknown page does nothing
  uint8_t out[8];
  EXPECT_FALSE(m.read(r, 0, out, sizeof(out)));
  EXPECT_FALSE(m.write(r, 0, out, sizeof(out)));
}

TEST(GuestMemory, PinsNest) {
  GuestMemory m;
  Pages buf{};
  uint64_t p = m.pfn_for(buf.bytes);
  m.pin(p);
  m.pin(p);
  m.unpin(p);
  EXPECT_TRUE(m.pinned(p));
  m.unpin(p);
  EXPECT_FALSE(m.pinned(p));
  m.unpin(p);  // never below zero
  EXPECT_FALSE(m.pinned(p));
}

}  // namespace
}  // namespace vmbsim
