// BM_PacketLifecycle: one whole KMCL transaction per iteration, through the C ABI —
// VmbPacketAllocate -> VmbPacketSetCompletionRoutine -> VmbPacketSend(WAIT_FOR_COMPLETION)
// -> the host reads it -> the host completes it with N bytes -> the driver's completion
// routine runs -> VmbPacketFree. Compare with BM_RawRingRoundTrip (same bytes, same ring code,
// no KMCL objects) in the same run: the README's target is lifecycle >= 1/3 of raw.
#include <benchmark/benchmark.h>

#include <vector>

#include <wdf.h>
#include <vmbuskernelmodeclientlibapi.h>

#include "sim/core/simulation.h"
#include "vmbsim/shim.h"

namespace {

struct BenchContext {
  KMCL_CLIENT_INTERFACE_V1* kmcl;
  uint64_t completed = 0;
};

void completion_routine(VMBPACKET packet, NTSTATUS, PVOID, UINT32) {
  auto* ctx = static_cast<BenchContext*>(VmbChannelGetPointer(VmbPacketGetChannel(packet)));
  ++ctx->completed;
  ctx->kmcl->VmbPacketFree(packet);
}

void process_packet(VMBCHANNEL, VMBPACKETCOMPLETION packet, PVOID, UINT32, UINT32) {
  VmbChannelPacketComplete(packet, nullptr, 0);
}

void BM_PacketLifecycle(benchmark::State& state) {
  const auto n = static_cast<uint32_t>(state.range(0));
  vmbsim::SimulationOptions options;
  options.log_level = "off";
  vmbsim::Simulation sim(options);
  vmbsim::OfferSpec offer;
  offer.name = "bench";
  vmbsim::Device& device = sim.offer(offer);
  std::vector<uint8_t> response(n, 0x5a);
  device.host().on_packet([&response](vmbsim::HostChannel& h, const vmbsim::HostPacket& p) {
    h.complete(p.transaction_id, response.data(), static_cast<uint32_t>(response.size()));
  });

  KMCL_CLIENT_INTERFACE_V1 kmcl{};
  WdfFdoQueryForInterface(vmbsim::shim::wdf_device(device), &KMCL_CLIENT_INTERFACE_TYPE,
                          reinterpret_cast<PINTERFACE>(&kmcl), sizeof(kmcl), KMCL_CLIENT_INTERFACE_VERSION_V1, nullptr);
  BenchContext ctx{&kmcl};
  VMBCHANNEL ch = nullptr;
  kmcl.VmbChannelAllocate(vmbsim::shim::device_object(device), FALSE, &ch);
  kmcl.VmbChannelSetPointer(ch, &ctx);
  kmcl.VmbChannelInitSetMaximumPacketSize(ch, 8192);
  kmcl.VmbClientChannelInitSetRingBufferPageCount(ch, 64, 64);  // as the raw benchmark's rings
  kmcl.VmbChannelInitSetProcessPacketCallbacks(ch, process_packet, nullptr);
  if (kmcl.VmbChannelEnable(ch) != STATUS_SUCCESS) state.SkipWithError("enable failed");
  sim.run_until_idle();

  std::vector<uint8_t> request(n, 0xa5);
  for (auto _ : state) {
    VMBPACKET p = kmcl.VmbPacketAllocate(ch);
    kmcl.VmbPacketSetCompletionRoutine(p, completion_routine);
    kmcl.VmbPacketSend(p, request.data(), n, nullptr, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
    sim.run_until_idle();
  }
  if (ctx.completed != static_cast<uint64_t>(state.iterations())) state.SkipWithError("lost completions");
  if (!sim.verifier().clean()) state.SkipWithError("verifier findings");
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * int64_t{2} * n);
  kmcl.VmbChannelDisable(ch);
  kmcl.VmbChannelCleanup(ch);
}
BENCHMARK(BM_PacketLifecycle)->Arg(64)->Arg(1024)->Arg(4096);

}  // namespace
