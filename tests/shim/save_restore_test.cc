// Server save and restore (kmcl-api.md §1.10, §3.9): a server channel with transactions in
// flight both ways is saved, torn down and restored into a new channel, and every transaction
// completes exactly once on each side. Plus the misuse rules 64-67.
#include <algorithm>
#include <cstring>
#include <memory>
#include <set>

#include "sim/core/guest_endpoint.h"
#include "vmbsim/testing/kmcl_test.h"

namespace vmbsim::testing {
namespace {

using Bytes = std::vector<uint8_t>;
using Events = std::vector<std::string>;

// The VSP's own per-transaction state in these tests: a tag, kept as the packet's pointer.
struct Tag {
  uint32_t value;
};

class SaveRestoreTest : public KmclTest {
 protected:
  TestChannel& server_channel(bool enable = true, bool save_restore = true) {
    ChannelConfig cfg;
    cfg.server = true;
    cfg.save_restore = save_restore;
    cfg.enable = enable;
    TestChannel& ch = open_channel(cfg);
    // The VSP saves its tag (probe first) and rebuilds it on restore.
    ch.on_save_packet = [this](VMBPACKET p, void* buf, UINT32 size, UINT32* needed) -> NTSTATUS {
      ++save_calls;
      auto* tag = static_cast<Tag*>(kmcl.VmbPacketGetPointer(p));
      if (tag == nullptr) {
        *needed = 0;
        return STATUS_SUCCESS;
      }
      *needed = sizeof(Tag);
      if (size < sizeof(Tag)) return STATUS_BUFFER_TOO_SMALL;
      std::memcpy(buf, tag, sizeof(Tag));
      return STATUS_SUCCESS;
    };
    TestChannel* t = &ch;
    ch.on_restore_packet = [this, t](void* lib, UINT32 lib_size, void* save, UINT32 save_size) -> NTSTATUS {
      VMBPACKET p = kmcl.VmbPacketAllocate(t->channel);
      if (p == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
      kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
      NTSTATUS s = VmbPacketRestore(p, lib, lib_size);
      if (!NT_SUCCESS(s)) return s;
      if (save_size == sizeof(Tag)) {
        tags.push_back(std::make_unique<Tag>());
        std::memcpy(tags.back().get(), save, sizeof(Tag));
        kmcl.VmbPacketSetPointer(p, tags.back().get());
      }
      t->restored.push_back(p);
      return STATUS_SUCCESS;
    };
    return ch;
  }

  // A server packet carrying a tag, sent with completion requested.
  VMBPACKET send_tagged(TestChannel& ch, uint32_t tag, const Bytes& bytes) {
    VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
    tags.push_back(std::make_unique<Tag>(Tag{tag}));
    kmcl.VmbPacketSetPointer(p, tags.back().get());
    kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
    EXPECT_EQ(send(p, bytes), STATUS_SUCCESS);
    return p;
  }

  // Saves with `chunk_buffer`-byte calls; each SaveContinue output is one restore buffer.
  std::vector<Bytes> save_all(VMBCHANNEL ch, ULONG chunk_buffer = 256) {
    std::vector<Bytes> out;
    EXPECT_EQ(VmbChannelSaveBegin(ch), STATUS_SUCCESS);
    for (int guard = 0; guard < 1000; ++guard) {
      Bytes buf(chunk_buffer);
      ULONG filled = 0, required = 0;
      NTSTATUS s = VmbChannelSaveContinue(ch, buf.data(), chunk_buffer, &filled, &required);
      statuses.push_back(s);
      if (s == STATUS_BUFFER_TOO_SMALL) {
        EXPECT_EQ(filled, 0u);
        EXPECT_GT(required, chunk_buffer);
        chunk_buffer = required;
        continue;
      }
      buf.resize(filled);
      if (filled) out.push_back(buf);
      if (s == STATUS_SUCCESS) break;
      EXPECT_EQ(s, STATUS_BUFFER_OVERFLOW);
    }
    VmbChannelSaveEnd(ch);
    return out;
  }

  // Feeds every buffer; all but the last must ask for more.
  void restore_all(VMBCHANNEL ch, std::vector<Bytes>& buffers) {
    for (size_t i = 0; i < buffers.size(); ++i) {
      NTSTATUS s = VmbChannelRestoreFromBuffer(ch, buffers[i].data(), static_cast<ULONG>(buffers[i].size()));
      EXPECT_EQ(s, i + 1 == buffers.size() ? STATUS_SUCCESS : STATUS_MORE_PROCESSING_REQUIRED) << "buffer " << i;
    }
  }

  // Tag values of a channel's completions with a given status.
  std::vector<uint32_t> completed_tags(const TestChannel& ch, NTSTATUS status) {
    std::vector<uint32_t> v;
    for (const auto& c : ch.completions)
      if (c.status == status) v.push_back(static_cast<Tag*>(c.context)->value);
    return v;
  }

  std::unique_ptr<GuestEndpoint> guest = std::make_unique<GuestEndpoint>(sim);
  std::vector<std::unique_ptr<Tag>> tags;
  std::vector<NTSTATUS> statuses;
  int save_calls = 0;
};

TEST_F(SaveRestoreTest, TransactionsInFlightSurviveATeardownAndCompleteExactlyOnce) {
  TestChannel& a = server_channel();
  kmcl.VmbChannelStart(a.channel);
  ASSERT_EQ(guest->open(*shim::channel(a.channel)), STATUS_SUCCESS);
  run();
  uint8_t shared[64] = {};
  uint32_t gpadl = guest->create_gpadl(shared, sizeof(shared));
  ASSERT_NE(gpadl, 0u);
  // On both channels the VSP answers each request with its first byte + 100.
  auto answer = [this](TestChannel& ch) {
    ch.on_packet = [this](VMBPACKETCOMPLETION p, const uint8_t* b, uint32_t) {
      uint8_t reply = static_cast<uint8_t>(b[0] + 100);
      kmcl.VmbChannelPacketComplete(p, &reply, 1);
    };
  };
  answer(a);
  // The server's own transactions: the guest does not answer them before the save.
  for (uint32_t t = 1; t <= 3; ++t) send_tagged(a, t, Bytes{static_cast<uint8_t>(t)});
  // Guest request 1 is answered before the save; 2..4 are read but not delivered (paused);
  // 5 is still in the ring when the save begins.
  std::vector<uint64_t> txids;
  txids.push_back(guest->send(Bytes{1}, true));
  run();
  ASSERT_EQ(guest->completions().size(), 1u);
  kmcl.VmbChannelPause(a.channel);
  for (uint8_t r = 2; r <= 4; ++r) txids.push_back(guest->send(Bytes{r}, true));
  run();
  EXPECT_EQ(a.incoming.size(), 1u);

  std::vector<Bytes> saved;
  {
    ASSERT_EQ(VmbChannelSaveBegin(a.channel), STATUS_SUCCESS);
    txids.push_back(guest->send(Bytes{5}, true));
    run();
    // A buffer smaller than any chunk makes no progress and says what it needs.
    uint8_t tiny[8];
    ULONG filled = 1, required = 0;
    EXPECT_EQ(VmbChannelSaveContinue(a.channel, tiny, sizeof(tiny), &filled, &required), STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(filled, 0u);
    EXPECT_GT(required, sizeof(tiny));
    VmbChannelSaveEnd(a.channel);  // abandon; then save for real
  }
  save_calls = 0;
  saved = save_all(a.channel, 160);
  EXPECT_NE(std::find(statuses.begin(), statuses.end(), STATUS_BUFFER_OVERFLOW), statuses.end())
      << "the save should have needed several calls";
  EXPECT_EQ(save_calls, 6);  // probe + buffer for each of the three tagged packets
  EXPECT_EQ(a.incoming.size(), 1u);  // nothing more was delivered while saving

  kmcl.VmbChannelDisable(a.channel);
  // The old channel's transactions end there, as on any teardown; the guest saw no close.
  EXPECT_EQ(completed_tags(a, STATUS_CANCELLED), (std::vector<uint32_t>{1, 2, 3}));
  kmcl.VmbChannelCleanup(a.channel);
  EXPECT_TRUE(guest->is_open());
  EXPECT_TRUE(guest->parked());
  EXPECT_FALSE(guest->closed_by_server());
  EXPECT_EQ(sim.parked_count(), 1u);

  // While the server is down the guest answers server packet 2 (the bytes wait in the ring).
  ASSERT_EQ(guest->inbox().size(), 3u);
  std::vector<HostPacket> server_packets;
  while (!guest->inbox().empty()) server_packets.push_back(guest->take_packet());
  guest->complete(server_packets[1].transaction_id, Bytes{0x22});

  TestChannel& b = server_channel(/*enable=*/false);
  answer(b);
  restore_all(b.channel, saved);
  ASSERT_EQ(b.restored.size(), 3u);
  ASSERT_EQ(kmcl.VmbChannelEnable(b.channel), STATUS_SUCCESS);
  run();
  EXPECT_EQ(b.events, (Events{"Opened"}));
  EXPECT_EQ(sim.parked_count(), 0u);
  EXPECT_FALSE(guest->parked());
  kmcl.VmbChannelStart(b.channel);
  run();
  guest->complete(server_packets[0].transaction_id, Bytes{0x11});
  guest->complete(server_packets[2].transaction_id, Bytes{0x33});
  run();

  // The guest: every request answered exactly once, with the right bytes.
  std::multiset<uint64_t> answered;
  while (!guest->completions().empty()) {
    GuestCompletion c = guest->take_completion();
    answered.insert(c.transaction_id);
    size_t i = std::find(txids.begin(), txids.end(), c.transaction_id) - txids.begin();
    ASSERT_LT(i, txids.size());
    ASSERT_GE(c.payload.size(), 1u);  // padded to 8 bytes on the wire
    EXPECT_EQ(c.payload[0], static_cast<uint8_t>(i + 1 + 100));
  }
  EXPECT_EQ(answered, std::multiset<uint64_t>(txids.begin(), txids.end()));
  EXPECT_EQ(b.incoming.size(), 4u);  // requests 2..5, delivered once to the restored channel
  // The server: each restored transaction completed once, carrying the restored VSP state.
  std::vector<uint32_t> got = completed_tags(b, STATUS_SUCCESS);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<uint32_t>{1, 2, 3}));
  for (const auto& c : b.completions) {
    uint32_t tag = static_cast<Tag*>(c.context)->value;
    ASSERT_FALSE(c.bytes.empty());
    EXPECT_EQ(c.bytes[0], static_cast<uint8_t>(0x11 * tag));
  }
  // The guest's GPADL came through: the restored server can map it.
  PMDL mdl = nullptr;
  EXPECT_EQ(VmbChannelMapGpadl(b.channel, 0, gpadl, &mdl), STATUS_SUCCESS);
  VmbChannelUnmapGpadl(b.channel, gpadl);
  EXPECT_TRUE(guest->delete_gpadl(gpadl));

  kmcl.VmbChannelDisable(b.channel);
  kmcl.VmbChannelCleanup(b.channel);
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(SaveRestoreTest, CompletionsWaitingForRingSpaceAreSavedAndWrittenByTheRestoredChannel) {
  TestChannel& a = server_channel();
  kmcl.VmbChannelStart(a.channel);
  ASSERT_EQ(guest->open(*shim::channel(a.channel), 1), STATUS_SUCCESS);  // one-page rings
  run();
  a.on_packet = [this](VMBPACKETCOMPLETION p, const uint8_t* b, uint32_t n) {
    Bytes reply(1500, b[0]);
    (void)n;
    kmcl.VmbChannelPacketComplete(p, reply.data(), static_cast<UINT32>(reply.size()));
  };
  guest->set_draining(false);  // the guest stops reading: completions back up
  std::vector<uint64_t> txids;
  for (uint8_t r = 1; r <= 4; ++r) txids.push_back(guest->send(Bytes{r}, true));
  run();
  ASSERT_EQ(a.incoming.size(), 4u);
  EXPECT_GT(shim::channel(a.channel)->queued_sends(), 0u);
  kmcl.VmbChannelPause(a.channel);
  std::vector<Bytes> saved = save_all(a.channel, 8192);
  kmcl.VmbChannelDisable(a.channel);
  kmcl.VmbChannelCleanup(a.channel);

  TestChannel& b = server_channel(false);
  restore_all(b.channel, saved);
  ASSERT_EQ(kmcl.VmbChannelEnable(b.channel), STATUS_SUCCESS);
  run();
  kmcl.VmbChannelStart(b.channel);
  guest->set_draining(true);
  run();
  std::multiset<uint64_t> answered;
  while (!guest->completions().empty()) {
    GuestCompletion c = guest->take_completion();
    answered.insert(c.transaction_id);
    ASSERT_EQ(c.payload.size(), 1504u);  // 1500 bytes padded to 8 on the wire
    size_t i = std::find(txids.begin(), txids.end(), c.transaction_id) - txids.begin();
    EXPECT_EQ(c.payload[1499], static_cast<uint8_t>(i + 1));
  }
  EXPECT_EQ(answered, std::multiset<uint64_t>(txids.begin(), txids.end()));
  EXPECT_TRUE(b.incoming.empty());  // nothing was delivered twice
  kmcl.VmbChannelDisable(b.channel);
  kmcl.VmbChannelCleanup(b.channel);
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(SaveRestoreTest, StartAfterSaveEndCarriesOn) {
  TestChannel& a = server_channel();
  kmcl.VmbChannelStart(a.channel);
  ASSERT_EQ(guest->open(*shim::channel(a.channel)), STATUS_SUCCESS);
  run();
  kmcl.VmbChannelPause(a.channel);
  std::vector<Bytes> saved = save_all(a.channel);
  uint64_t txid = guest->send(Bytes{7}, true);  // arrives while the channel is saved
  run();
  EXPECT_TRUE(a.incoming.empty());
  kmcl.VmbChannelStart(a.channel);  // a checkpoint: the channel goes on
  run();
  ASSERT_EQ(a.incoming.size(), 1u);
  ASSERT_EQ(guest->completions().size(), 1u);
  EXPECT_EQ(guest->take_completion().transaction_id, txid);
  kmcl.VmbChannelDisable(a.channel);  // a normal close now: the guest sees it
  EXPECT_TRUE(guest->closed_by_server());
  EXPECT_EQ(sim.parked_count(), 0u);
  kmcl.VmbChannelCleanup(a.channel);
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(SaveRestoreTest, ForceNewChannelAbandonsTheSavedConnection) {
  TestChannel& a = server_channel();
  kmcl.VmbChannelStart(a.channel);
  ASSERT_EQ(guest->open(*shim::channel(a.channel)), STATUS_SUCCESS);
  run();
  send_tagged(a, 9, Bytes{9});
  run();
  kmcl.VmbChannelPause(a.channel);
  std::vector<Bytes> saved = save_all(a.channel);
  kmcl.VmbChannelDisable(a.channel);
  kmcl.VmbChannelCleanup(a.channel);
  EXPECT_TRUE(guest->parked());

  TestChannel& b = server_channel(false);
  ASSERT_EQ(VmbServerChannelInitSetFlags(b.channel, VMBUS_SERVER_CHANNEL_INIT_FLAG_FORCE_NEW_CHANNEL), STATUS_SUCCESS);
  restore_all(b.channel, saved);
  ASSERT_EQ(kmcl.VmbChannelEnable(b.channel), STATUS_SUCCESS);
  run();
  // The guest's old channel is gone; the restored transaction can never complete.
  EXPECT_TRUE(guest->closed_by_server());
  EXPECT_FALSE(guest->is_open());
  EXPECT_EQ(completed_tags(b, STATUS_CANCELLED), (std::vector<uint32_t>{9}));
  // The channel is on offer as a new one.
  ASSERT_EQ(guest->open(*shim::channel(b.channel)), STATUS_SUCCESS);
  kmcl.VmbChannelStart(b.channel);
  run();
  EXPECT_EQ(b.events, (Events{"Opened", "Started", "PostStarted"}));
  kmcl.VmbChannelDisable(b.channel);
  kmcl.VmbChannelCleanup(b.channel);
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(SaveRestoreTest, AGuestClosingWhileSavedClosesAfterTheRestore) {
  TestChannel& a = server_channel();
  kmcl.VmbChannelStart(a.channel);
  ASSERT_EQ(guest->open(*shim::channel(a.channel)), STATUS_SUCCESS);
  run();
  send_tagged(a, 4, Bytes{4});
  kmcl.VmbChannelPause(a.channel);
  guest->send(Bytes{1}, true);
  run();
  std::vector<Bytes> saved = save_all(a.channel);
  kmcl.VmbChannelDisable(a.channel);
  kmcl.VmbChannelCleanup(a.channel);
  guest->close();  // the guest is frozen with the saved VM: this happens after the restore
  EXPECT_TRUE(guest->parked());
  EXPECT_EQ(sim.parked_count(), 1u);

  TestChannel& b = server_channel(false);
  restore_all(b.channel, saved);
  ASSERT_EQ(kmcl.VmbChannelEnable(b.channel), STATUS_SUCCESS);
  run();
  EXPECT_EQ(b.events, (Events{"Opened", "Closed"}));  // resumed, then closed by the guest
  EXPECT_EQ(completed_tags(b, STATUS_CANCELLED), (std::vector<uint32_t>{4}));
  EXPECT_TRUE(b.incoming.empty());  // the guest's request died with its connection
  EXPECT_FALSE(guest->is_open());
  EXPECT_FALSE(guest->closed_by_server());
  EXPECT_TRUE(shim::channel(b.channel)->offered());
  kmcl.VmbChannelStart(b.channel);
  kmcl.VmbChannelDisable(b.channel);
  kmcl.VmbChannelCleanup(b.channel);
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

// ---- Rule 64: the SaveBegin / SaveContinue / SaveEnd sequence ----

TEST_F(SaveRestoreTest, Rule64SaveContinueOrEndWithoutBegin) {
  TestChannel& a = server_channel();
  uint8_t buf[256];
  ULONG filled = 0, required = 0;
  EXPECT_EQ(VmbChannelSaveContinue(a.channel, buf, sizeof(buf), &filled, &required), STATUS_INVALID_DEVICE_STATE);
  EXPECT_EQ(violations(64), 1u);
  VmbChannelSaveEnd(a.channel);
  EXPECT_EQ(violations(64), 2u);
}

TEST_F(SaveRestoreTest, Rule64SecondSaveBegin) {
  TestChannel& a = server_channel();
  kmcl.VmbChannelPause(a.channel);
  ASSERT_EQ(VmbChannelSaveBegin(a.channel), STATUS_SUCCESS);
  EXPECT_EQ(VmbChannelSaveBegin(a.channel), STATUS_INVALID_DEVICE_STATE);
  EXPECT_EQ(violations(64), 1u);
  VmbChannelSaveEnd(a.channel);
  EXPECT_EQ(violations(64), 1u);
}

TEST_F(SaveRestoreTest, Rule64SaveBeginNeverEndedIsReportedAtCleanup) {
  TestChannel& a = server_channel();
  ASSERT_EQ(VmbChannelSaveBegin(a.channel), STATUS_SUCCESS);
  kmcl.VmbChannelStart(a.channel);
  kmcl.VmbChannelDisable(a.channel);
  EXPECT_EQ(violations(64), 0u);
  kmcl.VmbChannelCleanup(a.channel);
  EXPECT_EQ(violations(64), 1u);
}

TEST_F(SaveRestoreTest, Rule3SaveFunctionsOnAClientChannel) {
  TestChannel& c = open_channel();
  EXPECT_EQ(VmbChannelSaveBegin(c.channel), STATUS_INVALID_PARAMETER_1);
  uint8_t buf[8];
  EXPECT_EQ(VmbChannelRestoreFromBuffer(c.channel, buf, sizeof(buf)), STATUS_INVALID_PARAMETER_1);
  EXPECT_EQ(violations(3), 2u);
}

// ---- Rule 65: EvtVmbChannelSavePacket's size protocol ----

class SavePacketRuleTest : public SaveRestoreTest {
 protected:
  void SetUp() override {
    a = &server_channel();
    kmcl.VmbChannelStart(a->channel);
    ASSERT_EQ(guest->open(*shim::channel(a->channel)), STATUS_SUCCESS);
    run();
    send_tagged(*a, 1, Bytes{1});
    run();
    kmcl.VmbChannelPause(a->channel);
    ASSERT_EQ(VmbChannelSaveBegin(a->channel), STATUS_SUCCESS);
  }
  NTSTATUS save_once() {
    Bytes buf(4096);
    ULONG filled = 0, required = 0;
    return VmbChannelSaveContinue(a->channel, buf.data(), 4096, &filled, &required);
  }
  TestChannel* a = nullptr;
};

TEST_F(SavePacketRuleTest, Rule65ProbeSucceedsButAsksForBytes) {
  a->on_save_packet = [](VMBPACKET, void*, UINT32, UINT32* needed) {
    *needed = 8;
    return STATUS_SUCCESS;
  };
  EXPECT_EQ(save_once(), STATUS_SUCCESS);
  EXPECT_EQ(violations(65), 1u);
  VmbChannelSaveEnd(a->channel);
}

TEST_F(SavePacketRuleTest, Rule65WritesPastTheBuffer) {
  a->on_save_packet = [](VMBPACKET, void* buf, UINT32 size, UINT32* needed) {
    *needed = 4;
    if (size == 0) return STATUS_BUFFER_TOO_SMALL;
    std::memset(buf, 0x5A, 6);  // two bytes too many
    return STATUS_SUCCESS;
  };
  EXPECT_EQ(save_once(), STATUS_SUCCESS);
  EXPECT_EQ(violations(65), 1u);
  VmbChannelSaveEnd(a->channel);
}

TEST_F(SavePacketRuleTest, AFailingSavePacketFailsTheSave) {
  a->on_save_packet = [](VMBPACKET, void*, UINT32, UINT32* needed) {
    *needed = 0;
    return STATUS_INSUFFICIENT_RESOURCES;
  };
  EXPECT_EQ(save_once(), STATUS_INSUFFICIENT_RESOURCES);
  EXPECT_EQ(save_once(), STATUS_INSUFFICIENT_RESOURCES);  // sticky until SaveEnd
  VmbChannelSaveEnd(a->channel);
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(SavePacketRuleTest, NoCallbacksRegisteredFailsTheSaveOfATransaction) {
  TestChannel& other = server_channel(true, /*save_restore=*/false);
  kmcl.VmbChannelStart(other.channel);
  GuestEndpoint g2(sim, "guest2");
  ASSERT_EQ(g2.open(*shim::channel(other.channel)), STATUS_SUCCESS);
  run();
  send_tagged(other, 2, Bytes{2});
  run();
  kmcl.VmbChannelPause(other.channel);
  ASSERT_EQ(VmbChannelSaveBegin(other.channel), STATUS_SUCCESS);
  Bytes buf(4096);
  ULONG filled = 0, required = 0;
  EXPECT_EQ(VmbChannelSaveContinue(other.channel, buf.data(), 4096, &filled, &required), STATUS_INVALID_DEVICE_STATE);
  VmbChannelSaveEnd(other.channel);
  VmbChannelSaveEnd(a->channel);
}

// ---- Rule 66: RestoreFromBuffer takes whole chunks, in order, unmodified ----

class RestoreBufferRuleTest : public SaveRestoreTest {
 protected:
  void SetUp() override {
    TestChannel& a = server_channel();
    kmcl.VmbChannelStart(a.channel);
    ASSERT_EQ(guest->open(*shim::channel(a.channel)), STATUS_SUCCESS);
    run();
    send_tagged(a, 1, Bytes{1});
    send_tagged(a, 2, Bytes{2});
    run();
    kmcl.VmbChannelPause(a.channel);
    saved = save_all(a.channel, 100);  // one chunk per buffer
    ASSERT_EQ(saved.size(), 3u);
    b = &server_channel(false);
  }
  NTSTATUS restore(const Bytes& bytes) {
    return VmbChannelRestoreFromBuffer(b->channel, const_cast<uint8_t*>(bytes.data()), static_cast<ULONG>(bytes.size()));
  }
  std::vector<Bytes> saved;
  TestChannel* b = nullptr;
};

TEST_F(RestoreBufferRuleTest, WholeChunksInOrderRestore) {
  EXPECT_EQ(restore(saved[0]), STATUS_MORE_PROCESSING_REQUIRED);
  Bytes rest = saved[1];
  rest.insert(rest.end(), saved[2].begin(), saved[2].end());  // two chunks in one buffer are fine
  EXPECT_EQ(restore(rest), STATUS_SUCCESS);
  EXPECT_EQ(b->restored.size(), 2u);
  EXPECT_EQ(violations(66), 0u);
  EXPECT_EQ(restore(saved[2]), STATUS_INVALID_DEVICE_STATE);  // nothing more belongs to this restore
  EXPECT_EQ(violations(66), 1u);
}

TEST_F(RestoreBufferRuleTest, Rule66PartialChunk) {
  Bytes half(saved[0].begin(), saved[0].begin() + saved[0].size() / 2);
  EXPECT_EQ(restore(half), STATUS_INVALID_PARAMETER_2);
  EXPECT_EQ(violations(66), 1u);
  EXPECT_EQ(restore(saved[0]), STATUS_MORE_PROCESSING_REQUIRED);  // the whole chunk still works
}

TEST_F(RestoreBufferRuleTest, Rule66ModifiedChunk) {
  saved[1][saved[1].size() - 1] ^= 0x40;
  EXPECT_EQ(restore(saved[0]), STATUS_MORE_PROCESSING_REQUIRED);
  EXPECT_EQ(restore(saved[1]), STATUS_INVALID_PARAMETER_2);
  EXPECT_EQ(violations(66), 1u);
  EXPECT_TRUE(b->restored.empty());
}

TEST_F(RestoreBufferRuleTest, Rule66ChunksOutOfOrder) {
  EXPECT_EQ(restore(saved[1]), STATUS_INVALID_PARAMETER_2);  // the channel chunk must come first
  EXPECT_EQ(restore(saved[0]), STATUS_MORE_PROCESSING_REQUIRED);
  EXPECT_EQ(restore(saved[2]), STATUS_INVALID_PARAMETER_2);  // chunk 1 was skipped
  EXPECT_EQ(violations(66), 2u);
}

TEST_F(RestoreBufferRuleTest, Rule66ChunkOfAnotherSave) {
  std::vector<Bytes> first = saved;
  TestChannel& c = server_channel();
  kmcl.VmbChannelStart(c.channel);
  GuestEndpoint g2(sim, "guest2");
  ASSERT_EQ(g2.open(*shim::channel(c.channel)), STATUS_SUCCESS);
  run();
  send_tagged(c, 5, Bytes{5});
  send_tagged(c, 6, Bytes{6});
  run();
  kmcl.VmbChannelPause(c.channel);
  std::vector<Bytes> second = save_all(c.channel, 100);
  EXPECT_EQ(restore(first[0]), STATUS_MORE_PROCESSING_REQUIRED);
  EXPECT_EQ(restore(second[1]), STATUS_INVALID_PARAMETER_2);
  EXPECT_EQ(violations(66), 1u);
}

// ---- Rule 67: VmbPacketRestore inside EvtVmbChannelRestorePacket on a fresh packet ----

class PacketRestoreRuleTest : public RestoreBufferRuleTest {
 protected:
  NTSTATUS restore_everything() {
    NTSTATUS s = STATUS_SUCCESS;
    for (const Bytes& bytes : saved) s = restore(bytes);
    return s;
  }
};

TEST_F(PacketRestoreRuleTest, Rule67OutsideTheCallback) {
  VMBPACKET p = kmcl.VmbPacketAllocate(b->channel);
  uint8_t lib[16] = {};
  EXPECT_EQ(VmbPacketRestore(p, lib, sizeof(lib)), STATUS_INVALID_DEVICE_STATE);
  EXPECT_EQ(violations(67), 1u);
  kmcl.VmbPacketFree(p);
}

TEST_F(PacketRestoreRuleTest, Rule67AnotherLibBuf) {
  b->on_restore_packet = [this](void* lib, UINT32 lib_size, void*, UINT32) {
    VMBPACKET p = kmcl.VmbPacketAllocate(b->channel);
    Bytes copy(static_cast<uint8_t*>(lib), static_cast<uint8_t*>(lib) + lib_size);
    NTSTATUS s = VmbPacketRestore(p, copy.data(), lib_size);
    kmcl.VmbPacketFree(p);
    return s;
  };
  EXPECT_EQ(restore_everything(), STATUS_INVALID_PARAMETER_2);
  EXPECT_EQ(violations(67), 1u);
}

TEST_F(PacketRestoreRuleTest, Rule67APacketThatWasSent) {
  b->on_restore_packet = [this](void* lib, UINT32 lib_size, void*, UINT32) {
    VMBPACKET p = kmcl.VmbPacketAllocate(b->channel);
    kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
    EXPECT_EQ(send(p, Bytes{1}), STATUS_SUCCESS);  // queued: the channel is not enabled
    return VmbPacketRestore(p, lib, lib_size);
  };
  EXPECT_EQ(restore(saved[0]), STATUS_MORE_PROCESSING_REQUIRED);
  EXPECT_EQ(restore(saved[1]), STATUS_INVALID_PARAMETER_1);
  EXPECT_EQ(violations(67), 1u);
  kmcl.VmbChannelCleanup(b->channel);  // cancels the queued send (completion routine frees it)
  EXPECT_EQ(b->completions.size(), 1u);
}

TEST_F(PacketRestoreRuleTest, Rule67SuccessWithoutVmbPacketRestore) {
  b->on_restore_packet = [](void*, UINT32, void*, UINT32) { return STATUS_SUCCESS; };
  EXPECT_EQ(restore_everything(), STATUS_SUCCESS);
  EXPECT_EQ(violations(67), 2u);  // one per saved packet
}

}  // namespace
}  // namespace vmbsim::testing
