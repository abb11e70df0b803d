// Sends with external data: MDL chains, MDL windows and PFN lists become GPA-direct packets
// whose pages the host reads and writes through guest memory while the transaction lives.
#include <cstring>
#include <memory>

#include <wdm.h>

#include "vmbsim/testing/kmcl_test.h"

namespace vmbsim::testing {
namespace {

struct alignas(4096) Pages {
  uint8_t bytes[4 * 4096];
};

class ExternalDataTest : public KmclTest {
 protected:
  PMDL build(void* va, ULONG length) {
    PMDL m = IoAllocateMdl(va, length, FALSE, FALSE, nullptr);
    MmBuildMdlForNonPagedPool(m);
    mdls.push_back(m);
    return m;
  }
  VMBPACKET packet(TestChannel& ch) {
    VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
    kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
    return p;
  }
  ~ExternalDataTest() override {
    for (PMDL m : mdls) IoFreeMdl(m);
  }
  std::vector<PMDL> mdls;
  std::unique_ptr<Pages> buf = std::make_unique<Pages>();
};

TEST_F(ExternalDataTest, MdlSendIsGpaDirectAndTheHostSeesTheBytes) {
  TestChannel& ch = open_channel();
  for (int i = 0; i < 6000; ++i) buf->bytes[100 + i] = static_cast<uint8_t>(i);
  PMDL mdl = build(buf->bytes + 100, 6000);
  uint8_t cmd[8] = {1};
  ASSERT_EQ(kmcl.VmbPacketSend(packet(ch), cmd, sizeof(cmd), mdl, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
            STATUS_SUCCESS);
  run();
  HostPacket hp = host.take_packet();
  EXPECT_EQ(hp.type, 9);
  ASSERT_EQ(hp.ranges.size(), 1u);
  EXPECT_EQ(hp.ranges[0].byte_offset, 100u);
  EXPECT_EQ(hp.ranges[0].byte_count, 6000u);
  EXPECT_EQ(hp.ranges[0].pfns.size(), 2u);
  EXPECT_EQ(hp.payload[0], 1);  // the in-band part travels too
  std::vector<uint8_t> seen(6000);
  ASSERT_TRUE(host.read_external(hp, 0, seen.data(), seen.size()));
  for (int i = 0; i < 6000; ++i) ASSERT_EQ(seen[i], static_cast<uint8_t>(i));
  // A "read" request: the host fills the guest's buffer, then completes.
  uint8_t fill[16];
  std::memset(fill, 0xEE, sizeof(fill));
  ASSERT_TRUE(host.write_external(hp, 5990, fill, 10));
  EXPECT_FALSE(host.write_external(hp, 5995, fill, 10));  // past the described bytes
  host.complete(hp.transaction_id, nullptr, 0);
  run();
  ASSERT_EQ(ch.completions.size(), 1u);
  EXPECT_EQ(buf->bytes[100 + 5999], 0xEE);
  // The transaction is over: the pages are no longer the host's to touch.
  EXPECT_FALSE(host.read_external(hp, 0, seen.data(), 1));
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(ExternalDataTest, ChainBecomesOneRangePerMdl) {
  TestChannel& ch = open_channel();
  PMDL a = build(buf->bytes, 10);
  PMDL b = build(buf->bytes + 3 * 4096 + 7, 20);
  a->Next = b;
  std::memcpy(buf->bytes, "0123456789", 10);
  std::memcpy(buf->bytes + 3 * 4096 + 7, "abcdefghijklmnopqrst", 20);
  ASSERT_EQ(kmcl.VmbPacketSend(packet(ch), nullptr, 0, a, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION), STATUS_SUCCESS);
  run();
  HostPacket hp = host.take_packet();
  ASSERT_EQ(hp.ranges.size(), 2u);
  EXPECT_EQ(hp.external_size(), 30u);
  char seen[31] = {};
  ASSERT_TRUE(host.read_external(hp, 0, seen, 30));
  EXPECT_STREQ(seen, "0123456789abcdefghijklmnopqrst");
  host.complete(hp.transaction_id, nullptr, 0);
  run();
}

TEST_F(ExternalDataTest, WindowWithinTheChain) {
  TestChannel& ch = open_channel();
  PMDL a = build(buf->bytes, 4096);
  PMDL b = build(buf->bytes + 2 * 4096, 4096);
  a->Next = b;
  buf->bytes[4000] = 'x';
  buf->bytes[2 * 4096 + 99] = 'y';
  ASSERT_EQ(kmcl.VmbPacketSendWithExternalMdl(packet(ch), nullptr, 0, a, 4000, 200,
                                              VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
            STATUS_SUCCESS);
  run();
  HostPacket hp = host.take_packet();
  ASSERT_EQ(hp.ranges.size(), 2u);
  EXPECT_EQ(hp.ranges[0].byte_count, 96u);
  EXPECT_EQ(hp.ranges[1].byte_count, 104u);
  uint8_t first, last;
  ASSERT_TRUE(host.read_external(hp, 0, &first, 1));
  ASSERT_TRUE(host.read_external(hp, 195, &last, 1));
  EXPECT_EQ(first, 'x');
  EXPECT_EQ(last, 'y');
  host.complete(hp.transaction_id, nullptr, 0);
  run();
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(ExternalDataTest, ForceMdlLengthReachesToTheEndOfThePage) {
  TestChannel& ch = open_channel();
  PMDL m = build(buf->bytes + 16, 100);
  ASSERT_EQ(kmcl.VmbPacketSendWithExternalMdl(packet(ch), nullptr, 0, m, 0, 4096 - 16,
                                              VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION |
                                                  VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH),
            STATUS_SUCCESS);
  run();
  HostPacket hp = host.take_packet();
  EXPECT_EQ(hp.external_size(), 4096u - 16);
  EXPECT_TRUE(sim.verifier().clean()) << findings();
  EXPECT_EQ(kmcl.VmbPacketSendWithExternalMdl(packet(ch), nullptr, 0, m, 0, 4096,
                                              VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION |
                                                  VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH),
            STATUS_INVALID_PARAMETER_6);
  EXPECT_EQ(violations(45), 1u) << findings();
}

TEST_F(ExternalDataTest, PfnListDescribesWholePages) {
  TestChannel& ch = open_channel();
  PMDL m = build(buf->bytes, 2 * 4096);
  buf->bytes[4096] = 42;
  ASSERT_EQ(kmcl.VmbPacketSendWithExternalPfns(packet(ch), nullptr, 0, MmGetMdlPfnArray(m), 2,
                                               VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
            STATUS_SUCCESS);
  run();
  HostPacket hp = host.take_packet();
  ASSERT_EQ(hp.ranges.size(), 1u);
  EXPECT_EQ(hp.ranges[0].byte_offset, 0u);
  EXPECT_EQ(hp.external_size(), 8192u);
  uint8_t v;
  ASSERT_TRUE(host.read_external(hp, 4096, &v, 1));
  EXPECT_EQ(v, 42);
}

TEST_F(ExternalDataTest, Rule44_ExternalDataNeedsWaitForCompletion) {
  TestChannel& ch = open_channel();
  PMDL m = build(buf->bytes, 100);
  VMBPACKET p = packet(ch);
  EXPECT_EQ(kmcl.VmbPacketSendWithExternalMdl(p, nullptr, 0, m, 0, 0, 0), STATUS_INVALID_PARAMETER_7);
  EXPECT_EQ(kmcl.VmbPacketSendWithExternalPfns(p, nullptr, 0, MmGetMdlPfnArray(m), 1, 0), STATUS_INVALID_PARAMETER_6);
  EXPECT_EQ(violations(44), 2u) << findings();
  run();
  EXPECT_TRUE(host.inbox().empty());
  kmcl.VmbPacketFree(p);  // both sends failed, so the packet is still the caller's
}

TEST_F(ExternalDataTest, Rule46_LimitsFromInitSetMaximumExternalData) {
  TestChannel& ch = allocate_channel();
  ASSERT_EQ(kmcl.VmbChannelInitSetMaximumExternalData(ch.channel, 4096, 1), STATUS_SUCCESS);
  ASSERT_EQ(kmcl.VmbChannelEnable(ch.channel), STATUS_SUCCESS);
  run();
  PMDL big = build(buf->bytes, 4097);
  PMDL a = build(buf->bytes, 10);
  PMDL b = build(buf->bytes + 100, 10);
  a->Next = b;
  VMBPACKET p = packet(ch);
  EXPECT_EQ(kmcl.VmbPacketSend(p, nullptr, 0, big, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
            STATUS_INVALID_PARAMETER_4);
  EXPECT_EQ(kmcl.VmbPacketSend(p, nullptr, 0, a, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
            STATUS_INVALID_PARAMETER_4);
  EXPECT_EQ(violations(46), 2u) << findings();
  kmcl.VmbPacketFree(p);
}

TEST_F(ExternalDataTest, Rule48_BufferChangedWhileInFlight) {
  TestChannel& ch = open_channel();
  PMDL m = build(buf->bytes, 256);
  ASSERT_EQ(kmcl.VmbPacketSend(packet(ch), nullptr, 0, m, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION), STATUS_SUCCESS);
  run();
  buf->bytes[3] ^= 0xFF;  // the driver reuses its buffer before the completion
  host.complete(host.take_packet().transaction_id, nullptr, 0);
  run();
  EXPECT_EQ(violations(48), 1u) << findings();
}

TEST_F(ExternalDataTest, Rule48_FullCheckCatchesAnyByte) {
  sim.set_external_buffer_check(ExternalBufferCheck::Full);
  TestChannel& ch = open_channel();
  PMDL m = build(buf->bytes, 256);
  ASSERT_EQ(kmcl.VmbPacketSend(packet(ch), nullptr, 0, m, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION), STATUS_SUCCESS);
  run();
  buf->bytes[17] ^= 0xFF;  // between the words the sampled check looks at
  host.complete(host.take_packet().transaction_id, nullptr, 0);
  run();
  EXPECT_EQ(violations(48), 1u) << findings();
}

TEST_F(ExternalDataTest, Rule48_HostWritesAreNotTheDriversFault) {
  TestChannel& ch = open_channel();
  PMDL m = build(buf->bytes, 256);
  ASSERT_EQ(kmcl.VmbPacketSend(packet(ch), nullptr, 0, m, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION), STATUS_SUCCESS);
  run();
  HostPacket hp = host.take_packet();
  uint8_t data[256];
  std::memset(data, 0x77, sizeof(data));
  ASSERT_TRUE(host.write_external(hp, 0, data, sizeof(data)));  // a read request being served
  host.complete(hp.transaction_id, nullptr, 0);
  run();
  EXPECT_EQ(buf->bytes[255], 0x77);
  EXPECT_EQ(violations(48), 0u) << findings();
}

TEST_F(ExternalDataTest, UnbuiltMdlIsRefused) {
  TestChannel& ch = open_channel();
  PMDL m = IoAllocateMdl(buf->bytes, 100, FALSE, FALSE, nullptr);  // PFNs never filled in
  mdls.push_back(m);
  VMBPACKET p = packet(ch);
  EXPECT_EQ(kmcl.VmbPacketSend(p, nullptr, 0, m, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
            STATUS_INVALID_PARAMETER_4);
  EXPECT_EQ(violations(10), 1u) << findings();
  kmcl.VmbPacketFree(p);
}

TEST_F(ExternalDataTest, QueuedSendKeepsItsPagesUntilCancelled) {
  TestChannel& ch = open_channel();
  host.set_draining(false);
  PMDL m = build(buf->bytes, 8);
  std::vector<uint8_t> filler(4000, 1);
  for (int i = 0; i < 200 && shim::channel(ch.channel)->queued_sends() == 0; ++i)
    ASSERT_EQ(send(packet(ch), filler), STATUS_SUCCESS);
  ASSERT_GT(shim::channel(ch.channel)->queued_sends(), 0u);
  ASSERT_EQ(kmcl.VmbPacketSend(packet(ch), nullptr, 0, m, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION), STATUS_SUCCESS);
  uint64_t pfn = MmGetMdlPfnArray(m)[0];
  EXPECT_TRUE(sim.guest_memory().pinned(pfn));
  kmcl.VmbChannelDisable(ch.channel);  // cancels everything queued
  EXPECT_FALSE(sim.guest_memory().pinned(pfn));
  EXPECT_EQ(ch.completions.back().status, STATUS_CANCELLED);
}

TEST_F(ExternalDataTest, SynchronousRequestWithAnMdl) {
  host.on_packet([](HostChannel& h, const HostPacket& p) {
    uint8_t answer = 0;
    if (h.read_external(p, 0, &answer, 1)) answer = static_cast<uint8_t>(answer + 1);
    h.complete(p.transaction_id, &answer, 1);
  });
  TestChannel& ch = open_channel();
  buf->bytes[0] = 41;
  PMDL m = build(buf->bytes, 1);
  uint8_t reply[8] = {};
  UINT32 size = sizeof(reply);
  ASSERT_EQ(kmcl.VmbChannelSendSynchronousRequest(ch.channel, nullptr, 0, m, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
                                                  reply, &size, nullptr),
            STATUS_SUCCESS);
  EXPECT_EQ(reply[0], 42);
  EXPECT_FALSE(sim.guest_memory().pinned(MmGetMdlPfnArray(m)[0]));
}

}  // namespace
}  // namespace vmbsim::testing

namespace vmbsim::testing {
namespace {

TEST_F(KmclTest, Rule58_GetExternalDataOnAPacketWithout) {
  TestChannel& ch = open_channel();
  NTSTATUS result = STATUS_SUCCESS;
  PMDL mdl = reinterpret_cast<PMDL>(1);
  ch.on_packet = [&](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    result = kmcl.VmbChannelPacketGetExternalData(p, 0, &mdl);
    kmcl.VmbChannelPacketComplete(p, nullptr, 0);
  };
  host.send(std::vector<uint8_t>{1}, true);
  run();
  EXPECT_EQ(result, STATUS_INVALID_DEVICE_STATE);
  EXPECT_EQ(mdl, nullptr);
  EXPECT_EQ(violations(58), 1u) << findings();
  EXPECT_TRUE(sim.verifier().clean()) << findings();  // a warning
}

TEST_F(KmclTest, Rule56_GetExternalDataAfterTheCallbackReturned) {
  TestChannel& ch = open_channel();
  VMBPACKETCOMPLETION held = nullptr;
  ch.on_packet = [&](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) { held = p; };
  host.send(std::vector<uint8_t>{1}, true);
  run();
  PMDL mdl;
  EXPECT_EQ(kmcl.VmbChannelPacketGetExternalData(held, 0, &mdl), STATUS_INVALID_DEVICE_STATE);
  EXPECT_EQ(violations(56), 1u) << findings();
  kmcl.VmbChannelPacketComplete(held, nullptr, 0);
}

}  // namespace
}  // namespace vmbsim::testing
