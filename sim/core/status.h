// NTSTATUS values used inside the simulator. The sim core does not include the KMCL header
// (it sits below the shim); the values are the real ntstatus.h ones, so the shim passes them
// through unchanged.
#pragma once

#include <cstdint>
#include <string>

namespace vmbsim {

using Status = int32_t;

namespace status {
constexpr Status kSuccess = 0x00000000;
constexpr Status kPending = 0x00000103;
constexpr Status kBufferOverflow = static_cast<Status>(0x80000005u);
constexpr Status kUnsuccessful = static_cast<Status>(0xC0000001u);
constexpr Status kNotImplemented = static_cast<Status>(0xC0000002u);
constexpr Status kMoreProcessingRequired = static_cast<Status>(0xC0000016u);
constexpr Status kInvalidHandle = static_cast<Status>(0xC0000008u);
constexpr Status kInvalidParameter = static_cast<Status>(0xC000000Du);
constexpr Status kInsufficientResources = static_cast<Status>(0xC000009Au);
constexpr Status kInvalidParameter1 = static_cast<Status>(0xC00000EFu);
constexpr Status kInvalidParameter2 = static_cast<Status>(0xC00000F0u);
constexpr Status kInvalidParameter3 = static_cast<Status>(0xC00000F1u);
constexpr Status kInvalidParameter4 = static_cast<Status>(0xC00000F2u);
constexpr Status kInvalidParameter5 = static_cast<Status>(0xC00000F3u);
constexpr Status kInvalidParameter6 = static_cast<Status>(0xC00000F4u);
constexpr Status kInvalidParameter7 = static_cast<Status>(0xC00000F5u);
constexpr Status kNotSupported = static_cast<Status>(0xC00000BBu);
constexpr Status kDeviceBusy = static_cast<Status>(0x80000011u);
constexpr Status kAccessDenied = static_cast<Status>(0xC0000022u);
constexpr Status kBufferTooSmall = static_cast<Status>(0xC0000023u);
constexpr Status kCancelled = static_cast<Status>(0xC0000120u);
constexpr Status kInvalidDeviceState = static_cast<Status>(0xC0000184u);
constexpr Status kDeviceRemoved = static_cast<Status>(0xC00002B6u);
}  // namespace status

constexpr bool succeeded(Status s) { return s >= 0; }

// "STATUS_CANCELLED (0xc0000120)" for logs and reports.
const char* status_name(Status s);
// The status named `name` ("STATUS_CANCELLED"), for the names status_name knows.
bool parse_status(const std::string& name, Status& out);

}  // namespace vmbsim
