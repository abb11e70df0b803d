// Raw ring round trip: the cost of one request/completion exchange through two VMBus rings,
// with no channel, scheduler or signal delivery on top.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "sim/ring/ring_layout.h"
#include "sim/ring/ring_memory.h"
#include "sim/ring/ring_reader.h"
#include "sim/ring/ring_writer.h"

namespace {

using namespace vmbsim::ring;

constexpr uint32_t kRingDataPages = 64;

// Per iteration: guest writes a request (completion requested) of N payload bytes into ring A,
// host reads it, host writes a completion (same transaction id, N bytes) into ring B, guest
// reads it; both readers commit.
void BM_RawRingRoundTrip(benchmark::State& state) {
  const auto n = static_cast<uint32_t>(state.range(0));
  FlatRingMemory guest_to_host(kRingDataPages);
  FlatRingMemory host_to_guest(kRingDataPages);
  initialize_ring(guest_to_host.view());
  initialize_ring(host_to_guest.view());
  RingWriter guest_writer(guest_to_host.view());
  RingReader host_reader(guest_to_host.view());
  RingWriter host_writer(host_to_guest.view());
  RingReader guest_reader(host_to_guest.view());

  std::vector<uint8_t> request_body(n, 0x5A);
  OutgoingPacket request;
  request.type = PacketType::DataInband;
  request.flags = kFlagCompletionRequested;
  request.payload = ConstBytes{request_body.data(), n};
  OutgoingPacket completion;
  completion.type = PacketType::Completion;

  ReadPacket host_packet;
  ReadPacket guest_packet;
  uint64_t transaction_id = 0;
  for (auto _ : state) {
    request.transaction_id = ++transaction_id;
    const WriteResult w1 = guest_writer.write(request);
    if (host_reader.read(host_packet) != ReadStatus::Packet) {
      state.SkipWithError("host read failed");
      break;
    }
    host_reader.commit();
    completion.transaction_id = host_packet.descriptor.transaction_id;
    completion.payload = ConstBytes{host_packet.payload(), n};
    const WriteResult w2 = host_writer.write(completion);
    if (guest_reader.read(guest_packet) != ReadStatus::Packet) {
      state.SkipWithError("guest read failed");
      break;
    }
    guest_reader.commit();
    benchmark::DoNotOptimize(w1);
    benchmark::DoNotOptimize(w2);
    benchmark::DoNotOptimize(guest_packet.descriptor.transaction_id);
  }
  if (guest_packet.descriptor.transaction_id != transaction_id) {
    state.SkipWithError("completion does not match the last request");
  }
  state.SetItemsProcessed(state.iterations());
  // Payload bytes moved, both directions.
  state.SetBytesProcessed(state.iterations() * int64_t{2} * n);
}
BENCHMARK(BM_RawRingRoundTrip)->Arg(64)->Arg(1024)->Arg(4096);

}  // namespace
