// Client GPADLs: creation in EvtChannelOpened, host access, deletion in EvtChannelClosed, and
// the rules around them (kmcl-api.md §1.7, §3.6, rules 24, 26, 28, 29, 34).
#include <cstring>
#include <memory>
#include <set>

#include <wdm.h>

#include "vmbsim/testing/kmcl_test.h"

namespace vmbsim::testing {
namespace {

struct alignas(4096) Pages {
  uint8_t bytes[4 * 4096];
};

class GpadlTest : public KmclTest {
 protected:
  std::unique_ptr<Pages> buf = std::make_unique<Pages>();
};

TEST_F(GpadlTest, SharedBufferLivesFromOpenedToClosed) {
  TestChannel& ch = allocate_channel();
  UINT32 gpadl = 0;
  ch.on_opened = [&] {
    std::memcpy(buf->bytes + 8, "shared", 6);
    return kmcl.VmbChannelCreateGpadlFromBuffer(ch.channel, 0, buf->bytes + 8, 3 * 4096, &gpadl);
  };
  ch.on_closed = [&] { kmcl.VmbChannelDeleteGpadl(ch.channel, gpadl); };
  ASSERT_EQ(kmcl.VmbChannelEnable(ch.channel), STATUS_SUCCESS);
  run();
  ASSERT_NE(gpadl, 0u);
  ASSERT_EQ(host.gpadl_handles(), std::vector<uint32_t>{gpadl});
  EXPECT_EQ(host.gpadl_size(gpadl), 3u * 4096);
  char seen[7] = {};
  ASSERT_TRUE(host.read_gpadl(gpadl, 0, seen, 6));
  EXPECT_STREQ(seen, "shared");
  ASSERT_TRUE(host.write_gpadl(gpadl, 3 * 4096 - 4, "host", 4));
  EXPECT_EQ(std::memcmp(buf->bytes + 8 + 3 * 4096 - 4, "host", 4), 0);
  EXPECT_FALSE(host.read_gpadl(gpadl, 3 * 4096 - 1, seen, 2));  // past its end
  kmcl.VmbChannelDisable(ch.channel);
  EXPECT_TRUE(host.gpadl_handles().empty());
  EXPECT_FALSE(host.read_gpadl(gpadl, 0, seen, 1));
  kmcl.VmbChannelCleanup(ch.channel);
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(GpadlTest, FromMdlWindowAndReadOnly) {
  TestChannel& ch = open_channel();
  PMDL a = IoAllocateMdl(buf->bytes, 4096, FALSE, FALSE, nullptr);
  PMDL b = IoAllocateMdl(buf->bytes + 2 * 4096, 4096, FALSE, FALSE, nullptr);
  MmBuildMdlForNonPagedPool(a);
  MmBuildMdlForNonPagedPool(b);
  a->Next = b;
  buf->bytes[4000] = 'r';
  UINT32 whole = 0, window = 0;
  ASSERT_EQ(kmcl.VmbChannelCreateGpadlFromMdl(ch.channel, 0, a, 0, 0, &whole), STATUS_SUCCESS);
  ASSERT_EQ(kmcl.VmbChannelCreateGpadlFromMdl(ch.channel, VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY, a, 4000, 200, &window),
            STATUS_SUCCESS);
  EXPECT_NE(whole, window);
  EXPECT_EQ(host.gpadl_size(whole), 8192u);
  EXPECT_EQ(host.gpadl_size(window), 200u);
  EXPECT_TRUE(host.gpadl_read_only(window));
  uint8_t v = 0;
  ASSERT_TRUE(host.read_gpadl(window, 0, &v, 1));
  EXPECT_EQ(v, 'r');
  EXPECT_FALSE(host.write_gpadl(window, 0, &v, 1));
  EXPECT_FALSE(host.map_gpadl(window, /*for_write=*/true));
  EXPECT_TRUE(host.map_gpadl(window, /*for_write=*/false));
  EXPECT_FALSE(host.map_gpadl(window, false));  // one mapping at a time
  host.unmap_gpadl(window);
  kmcl.VmbChannelDeleteGpadl(ch.channel, whole);
  kmcl.VmbChannelDeleteGpadl(ch.channel, window);
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
  IoFreeMdl(a);
  IoFreeMdl(b);
}

TEST_F(GpadlTest, DeleteWaitsForTheHostToUnmap) {
  TestChannel& ch = open_channel();
  UINT32 g = 0;
  ASSERT_EQ(kmcl.VmbChannelCreateGpadlFromBuffer(ch.channel, 0, buf->bytes, 100, &g), STATUS_SUCCESS);
  ASSERT_TRUE(host.map_gpadl(g, true));
  sim.scheduler().post_after(7'000, [&] { host.unmap_gpadl(g); });
  kmcl.VmbChannelDeleteGpadl(ch.channel, g);
  EXPECT_EQ(sim.now(), 7'000);
  EXPECT_FALSE(host.gpadl_exists(g));
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(GpadlTest, Rule34_DeleteBlockedForeverByAHostMapping) {
  TestChannel& ch = open_channel();
  UINT32 g = 0;
  ASSERT_EQ(kmcl.VmbChannelCreateGpadlFromBuffer(ch.channel, 0, buf->bytes, 100, &g), STATUS_SUCCESS);
  ASSERT_TRUE(host.map_gpadl(g, false));
  kmcl.VmbChannelDeleteGpadl(ch.channel, g);
  EXPECT_EQ(violations(34), 1u) << findings();
  EXPECT_EQ(sim.verifier().count(Diagnostic::Hang), 1u);
}

TEST_F(GpadlTest, Rule26_CreateOutsideTheOpenWindow) {
  TestChannel& ch = allocate_channel();
  UINT32 g = 123;
  EXPECT_EQ(kmcl.VmbChannelCreateGpadlFromBuffer(ch.channel, 0, buf->bytes, 100, &g), STATUS_INVALID_DEVICE_STATE);
  EXPECT_EQ(g, 0u);
  EXPECT_EQ(violations(26), 1u) << findings();
}

TEST_F(GpadlTest, Rule24_GpadlLeftAliveAfterClosed) {
  TestChannel& ch = open_channel();
  UINT32 g = 0;
  ASSERT_EQ(kmcl.VmbChannelCreateGpadlFromBuffer(ch.channel, 0, buf->bytes, 100, &g), STATUS_SUCCESS);
  host.rescind();
  run();
  EXPECT_EQ(ch.events.back(), "Closed");
  EXPECT_EQ(violations(24), 1u) << findings();
  EXPECT_FALSE(sim.guest_memory().pinned(sim.guest_memory().pfn_for(buf->bytes)));
  kmcl.VmbChannelDeleteGpadl(ch.channel, g);  // already torn down by the simulator
  EXPECT_EQ(violations(28), 1u) << findings();
}

TEST_F(GpadlTest, Rule28_UnknownAndDoubleDelete) {
  TestChannel& ch = open_channel();
  UINT32 g = 0;
  ASSERT_EQ(kmcl.VmbChannelCreateGpadlFromBuffer(ch.channel, 0, buf->bytes, 100, &g), STATUS_SUCCESS);
  kmcl.VmbChannelDeleteGpadl(ch.channel, g);
  kmcl.VmbChannelDeleteGpadl(ch.channel, g);
  kmcl.VmbChannelDeleteGpadl(ch.channel, 0x1234);
  EXPECT_EQ(violations(28), 2u) << findings();
}

TEST_F(GpadlTest, Rule29_EmptyBufferAndWindowBeyondTheChain) {
  TestChannel& ch = open_channel();
  UINT32 g;
  EXPECT_EQ(kmcl.VmbChannelCreateGpadlFromBuffer(ch.channel, 0, buf->bytes, 0, &g), STATUS_INVALID_PARAMETER_4);
  PMDL m = IoAllocateMdl(buf->bytes, 100, FALSE, FALSE, nullptr);
  MmBuildMdlForNonPagedPool(m);
  EXPECT_EQ(kmcl.VmbChannelCreateGpadlFromMdl(ch.channel, 0, m, 50, 51, &g), STATUS_INVALID_PARAMETER_5);
  EXPECT_EQ(violations(29), 2u) << findings();
  IoFreeMdl(m);
}

TEST_F(GpadlTest, Rule18_CreateAtDispatch) {
  TestChannel& ch = open_channel();
  sim.set_base_irql(Irql::Dispatch);
  UINT32 g;
  EXPECT_EQ(kmcl.VmbChannelCreateGpadlFromBuffer(ch.channel, 0, buf->bytes, 100, &g), STATUS_INVALID_DEVICE_STATE);
  sim.set_base_irql(Irql::Passive);
  EXPECT_EQ(violations(18), 1u) << findings();
}

TEST_F(GpadlTest, HandlesAreNeverReused) {
  TestChannel& ch = open_channel();
  std::set<UINT32> seen;
  for (int i = 0; i < 50; ++i) {
    UINT32 g = 0;
    ASSERT_EQ(kmcl.VmbChannelCreateGpadlFromBuffer(ch.channel, 0, buf->bytes, 64, &g), STATUS_SUCCESS);
    EXPECT_NE(g, 0u);
    EXPECT_TRUE(seen.insert(g).second);
    kmcl.VmbChannelDeleteGpadl(ch.channel, g);
  }
}

}  // namespace
}  // namespace vmbsim::testing
