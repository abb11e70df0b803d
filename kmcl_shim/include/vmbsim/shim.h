// C++ glue between a test harness and a driver built against the KMCL shim: turns simulator
// objects into the WDK handles the driver's code expects, and back.
#pragma once

#include <wdf.h>
#include <vmbuskernelmodeclientlibapi.h>

#include "sim/core/channel.h"
#include "sim/core/device.h"
#include "sim/core/packet.h"

namespace vmbsim::shim {

// The WDFDEVICE a driver's EvtDriverDeviceAdd would receive for this offered device.
inline WDFDEVICE wdf_device(Device& device) { return static_cast<WDFDEVICE>(device.handle()); }
inline PDEVICE_OBJECT device_object(Device& device) { return static_cast<PDEVICE_OBJECT>(device.handle()); }

inline VMBCHANNEL handle(Channel& c) { return static_cast<VMBCHANNEL>(c.handle()); }
inline VMBPACKET handle(Packet& p) { return static_cast<VMBPACKET>(p.handle()); }
inline VMBPACKETCOMPLETION handle(IncomingPacket& p) { return static_cast<VMBPACKETCOMPLETION>(p.handle()); }

// Null when the handle is not a live vmbsim object of that kind (nothing is reported).
inline Channel* channel(VMBCHANNEL h) { return Channel::from_handle(h); }
inline Packet* packet(VMBPACKET h) { return Packet::from_handle(h); }
inline IncomingPacket* incoming(VMBPACKETCOMPLETION h) { return IncomingPacket::from_handle(h); }

}  // namespace vmbsim::shim
