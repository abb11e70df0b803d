// Part 1 of vmbsim_demo: the echo client driver (examples/echo_driver) against its host model:
// version negotiation, requests with completions, host-initiated packets, back-pressure.
#include <cstdio>
#include <vector>

#include "demo_parts.h"
#include "echo_driver.h"
#include "echo_host.h"
#include "vmbsim/shim.h"

namespace demo {

namespace {

vmbsim::Guid guid(const char* text) {
  vmbsim::Guid g;
  vmbsim::Guid::parse(text, g);
  return g;
}

}  // namespace

bool run_echo_part(vmbsim::Simulation& sim) {
  vmbsim::OfferSpec offer;
  offer.name = "echo";
  offer.interface_type = guid("5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11");
  offer.interface_instance = guid("0b6e4c2a-1d3f-4e5a-8c7b-9d0e1f2a3b4c");
  vmbsim::Device& device = sim.offer(offer);
  echo::EchoHost host(device.host());
  bool ok = true;

  ECHO_DEVICE_CONTEXT ctx;
  NTSTATUS status = EchoDeviceAdd(vmbsim::shim::wdf_device(device), &ctx);
  sim.run_until_idle();
  std::printf("1. open and negotiate\n");
  ok &= check(NT_SUCCESS(status), "EchoDeviceAdd: interface queried, channel allocated and enabled");
  ok &= check(ctx.Stats.Opened == 1 && ctx.Stats.PostStarted == 1, "EvtChannelOpened -> Started -> PostStarted");
  ok &= check(ctx.Stats.NegotiatedVersion == ECHO_PROTOCOL_VERSION_2, "protocol version 2 negotiated (synchronous request)");

  std::printf("2. requests with completions\n");
  std::vector<uint8_t> data(ECHO_MAX_DATA);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  for (ULONG i = 0; i < 200; ++i) EchoSendRequest(&ctx, data.data(), (i * 37) % ECHO_MAX_DATA);
  sim.run_until_idle();
  std::printf("     sent %lu, completed ok %lu, bad %lu\n", static_cast<unsigned long>(ctx.Stats.RequestsSent),
              static_cast<unsigned long>(ctx.Stats.ResponsesOk), static_cast<unsigned long>(ctx.Stats.ResponsesBad));
  ok &= check(ctx.Stats.ResponsesOk == 200 && ctx.Stats.ResponsesBad == 0, "200 echo transactions completed in order");

  std::printf("3. host-initiated packets\n");
  for (uint32_t i = 0; i < 10; ++i) host.send_notify(i, i * 100, /*completion_requested=*/i % 2 == 0);
  sim.run_until_idle();
  ok &= check(ctx.Stats.NotificationsSeen == 10, "10 notifications processed by EvtVmbChannelProcessPacket");
  ok &= check(host.acks_received == 5, "5 completions (NOTIFY_ACK) seen by the host");

  std::printf("4. back-pressure: the host stops draining its ring\n");
  device.host().set_draining(false);
  uint32_t before = ctx.Stats.ResponsesOk;
  for (ULONG i = 0; i < 64; ++i) EchoSendRequest(&ctx, data.data(), 3000);
  sim.run_until_idle();
  size_t queued = device.host().guest()->queued_sends();
  std::printf("     64 requests of 3 KiB: %zu queued in the driver's channel (ring full)\n", queued);
  ok &= check(queued > 0, "a full ring queues sends instead of failing them");
  device.host().set_draining(true);
  sim.run_until_idle();
  ok &= check(ctx.Stats.ResponsesOk == before + 64 && ctx.Stats.OutOfOrder == 0,
              "queued sends drained in order once the host read again");

  std::printf("5. teardown\n");
  EchoDeviceRemove(&ctx);
  sim.run_until_idle();
  ok &= check(ctx.Stats.Closed == 1, "EvtChannelClosed delivered by VmbChannelDisable");
  std::printf("     echo host saw: %llu packets, %llu completions; answered %llu versions, %llu echoes\n",
              static_cast<unsigned long long>(device.host().stats().packets_received),
              static_cast<unsigned long long>(device.host().stats().completions_received),
              static_cast<unsigned long long>(host.versions_answered),
              static_cast<unsigned long long>(host.echoes_answered));
  return ok;
}

}  // namespace demo
