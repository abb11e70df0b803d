// Writer and reader on two threads, using the full sleep/wake protocol: interrupt_mask on the
// reader side (§3.1), pending_send_sz on the writer side (§3.2). A lost wakeup shows up as a
// wait that times out; a reordering bug shows up as a corrupt or out-of-order packet.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "sim/ring/ring_layout.h"
#include "sim/ring/ring_memory.h"
#include "sim/ring/ring_reader.h"
#include "sim/ring/ring_writer.h"

namespace vmbsim::ring {
namespace {

// A doorbell standing in for the VMBus event: ring() is the signal, wait() the sleep.
struct Doorbell {
  std::atomic<uint64_t> count{0};
  std::atomic<bool>* abort = nullptr;

  uint64_t arm() const { return count.load(std::memory_order_acquire); }
  void ring() { count.fetch_add(1, std::memory_order_release); }
  // false: timed out (a lost wakeup) or the other side gave up.
  bool wait(uint64_t armed) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (count.load(std::memory_order_acquire) == armed) {
      if (abort->load() || std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
    return true;
  }
};

uint32_t payload_size_for(uint32_t i) { return (i * 37u) % 700u; }
uint8_t payload_byte(uint32_t i, uint32_t k) { return static_cast<uint8_t>(i * 13u + k); }

TEST(RingThreads, StreamWithSleepAndWakeLosesNothing) {
  constexpr uint32_t kPackets = 40000;
  FlatRingMemory mem(1);  // small ring: the writer blocks often
  initialize_ring(mem.view());
  RingWriter writer(mem.view());
  RingReader reader(mem.view());
  std::atomic<bool> abort{false};
  Doorbell to_reader, to_writer;
  to_reader.abort = &abort;
  to_writer.abort = &abort;

  uint64_t reader_signals = 0, writer_signals = 0, blocked_writes = 0;
  std::thread producer([&] {
    std::vector<uint8_t> payload;
    for (uint32_t i = 0; i < kPackets && !abort.load(); ++i) {
      payload.resize(payload_size_for(i));
      for (uint32_t k = 0; k < payload.size(); ++k) payload[k] = payload_byte(i, k);
      OutgoingPacket p;
      p.transaction_id = i;
      p.payload = ConstBytes{payload.data(), static_cast<uint32_t>(payload.size())};
      bool requested = false;
      for (;;) {
        const WriteResult r = writer.write(p);
        if (r.status == WriteStatus::Written) {
          if (r.signal) {
            ++reader_signals;
            to_reader.ring();
          }
          break;
        }
        if (r.status != WriteStatus::Full) {
          abort = true;
          return;
        }
        ++blocked_writes;
        requested = true;
        const uint64_t armed = to_writer.arm();
        if (writer.request_space(static_cast<uint32_t>(ring_bytes_for(0, payload_size_for(i))))) {
          continue;
        }
        if (!to_writer.wait(armed)) {
          abort = true;
          return;
        }
      }
      if (requested) writer.clear_pending_send_size();
    }
  });

  uint32_t received = 0;
  bool corrupt = false;
  ReadPacket packet;
  reader.mask_interrupts();
  while (received < kPackets && !abort.load()) {
    const ReadStatus s = reader.read(packet);
    if (s == ReadStatus::Packet) {
      const uint32_t i = received++;
      bool ok = packet.descriptor.transaction_id == i &&
                packet.bytes.size() == ring_bytes_for(0, payload_size_for(i)) - kTrailerSize;
      for (uint32_t k = 0; ok && k < payload_size_for(i); ++k) {
        ok = packet.payload()[k] == payload_byte(i, k);
      }
      if (!ok) {
        corrupt = true;
        abort = true;
        break;
      }
      if (received % 4 == 0 && reader.commit()) {
        ++writer_signals;
        to_writer.ring();
      }
      continue;
    }
    if (s != ReadStatus::Empty) {
      abort = true;
      break;
    }
    if (reader.commit()) {
      ++writer_signals;
      to_writer.ring();
    }
    const uint64_t armed = to_reader.arm();
    if (reader.unmask_interrupts()) {
      reader.mask_interrupts();
      continue;
    }
    if (!to_reader.wait(armed)) {
      abort = true;
      break;
    }
    reader.mask_interrupts();
  }
  producer.join();

  EXPECT_FALSE(corrupt) << "packet " << received - 1 << " arrived damaged or out of order";
  EXPECT_FALSE(abort.load()) << "a side stopped: lost wakeup or dead ring ("
                             << reader.error().describe() << " / " << writer.error().describe()
                             << ")";
  EXPECT_EQ(received, kPackets);
  // The protocol was actually exercised, in both directions.
  EXPECT_GT(blocked_writes, 0u);
  EXPECT_GT(writer_signals, 0u);
  EXPECT_GT(reader_signals, 0u);
}

}  // namespace
}  // namespace vmbsim::ring
