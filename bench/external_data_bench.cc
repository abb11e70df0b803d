// BM_ExternalDataLifecycle: a transaction whose data travels as external data — VmbPacketSend
// with an MDL over N bytes (GPA-direct) -> the host reads the N bytes through guest memory ->
// completes -> completion routine -> free. BM_MemcpyBaseline copies the same N bytes once; the
// target (issue 3) is at least a quarter of memcpy throughput at 64 KiB.
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include <wdm.h>
#include <wdf.h>
#include <vmbuskernelmodeclientlibapi.h>

#include "sim/core/simulation.h"
#include "vmbsim/shim.h"

namespace {

struct Ctx {
  KMCL_CLIENT_INTERFACE_V1* kmcl;
  uint64_t completed = 0;
};

void completion_routine(VMBPACKET packet, NTSTATUS, PVOID, UINT32) {
  auto* ctx = static_cast<Ctx*>(VmbChannelGetPointer(VmbPacketGetChannel(packet)));
  ++ctx->completed;
  ctx->kmcl->VmbPacketFree(packet);
}

void process_packet(VMBCHANNEL, VMBPACKETCOMPLETION packet, PVOID, UINT32, UINT32) {
  VmbChannelPacketComplete(packet, nullptr, 0);
}

void BM_ExternalDataLifecycle(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  vmbsim::SimulationOptions options;
  options.log_level = "off";
  vmbsim::Simulation sim(options);
  vmbsim::Device& device = sim.offer(vmbsim::OfferSpec{});
  std::vector<uint8_t> host_copy(n);
  bool host_ok = true;
  device.host().on_packet([&](vmbsim::HostChannel& h, const vmbsim::HostPacket& p) {
    host_ok &= h.read_external(p, 0, host_copy.data(), host_copy.size());
    h.complete(p.transaction_id, nullptr, 0);
  });

  KMCL_CLIENT_INTERFACE_V1 kmcl{};
  WdfFdoQueryForInterface(vmbsim::shim::wdf_device(device), &KMCL_CLIENT_INTERFACE_TYPE,
                          reinterpret_cast<PINTERFACE>(&kmcl), sizeof(kmcl), KMCL_CLIENT_INTERFACE_VERSION_V1, nullptr);
  Ctx ctx{&kmcl};
  VMBCHANNEL ch = nullptr;
  kmcl.VmbChannelAllocate(vmbsim::shim::device_object(device), FALSE, &ch);
  kmcl.VmbChannelSetPointer(ch, &ctx);
  kmcl.VmbChannelInitSetMaximumPacketSize(ch, 256);
  kmcl.VmbChannelInitSetProcessPacketCallbacks(ch, process_packet, nullptr);
  if (kmcl.VmbChannelEnable(ch) != STATUS_SUCCESS) state.SkipWithError("enable failed");
  sim.run_until_idle();

  std::vector<uint8_t> data(n + 4096, 0x5a);
  PMDL mdl = IoAllocateMdl(data.data(), static_cast<ULONG>(n), FALSE, FALSE, nullptr);
  MmBuildMdlForNonPagedPool(mdl);
  uint8_t command[16] = {1};
  for (auto _ : state) {
    VMBPACKET p = kmcl.VmbPacketAllocate(ch);
    kmcl.VmbPacketSetCompletionRoutine(p, completion_routine);
    kmcl.VmbPacketSend(p, command, sizeof(command), mdl, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
    sim.run_until_idle();
  }
  if (!host_ok || ctx.completed != static_cast<uint64_t>(state.iterations())) state.SkipWithError("lost data");
  if (!sim.verifier().clean()) state.SkipWithError("verifier findings");
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(n));
  kmcl.VmbChannelDisable(ch);
  kmcl.VmbChannelCleanup(ch);
  IoFreeMdl(mdl);
}
BENCHMARK(BM_ExternalDataLifecycle)->Arg(4096)->Arg(65536);

void BM_MemcpyBaseline(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  std::vector<uint8_t> src(n, 0x5a), dst(n);
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), n);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_MemcpyBaseline)->Arg(4096)->Arg(65536);

}  // namespace
