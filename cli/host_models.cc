#include "cli/host_models.h"

#include "echo_host.h"

namespace vmbsim::cli {

namespace {

OfferSpec echo_offer() {
  OfferSpec offer;
  Guid::parse("5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11", offer.interface_type);
  Guid::parse("00000000-0000-0000-0000-000000000001", offer.interface_instance);
  offer.name = "echo";
  return offer;
}

HostModel echo_model(std::string name, std::string description, echo::HostOptions options) {
  return HostModel{std::move(name), std::move(description), echo_offer(), [options](HostChannel& host) {
                     return std::static_pointer_cast<void>(std::make_shared<echo::EchoHost>(host, options));
                   }};
}

}  // namespace

const std::vector<HostModel>& host_models() {
  static const std::vector<HostModel> models = [] {
    std::vector<HostModel> m;
    m.push_back(echo_model("echo", "the echo VSP: protocol version 2, answers at once", {}));
    echo::HostOptions v1;
    v1.max_version = 0x00010000;
    m.push_back(echo_model("echo-v1", "an older echo VSP that only speaks version 1", v1));
    echo::HostOptions slow;
    slow.response_delay_ns = 5'000'000;
    m.push_back(echo_model("echo-slow", "the echo VSP answering each echo after 5 ms", slow));
    return m;
  }();
  return models;
}

const HostModel* find_host_model(const std::string& name) {
  for (const HostModel& m : host_models())
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace vmbsim::cli
