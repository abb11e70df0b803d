#include "sim/core/status.h"

namespace vmbsim {

namespace {
struct Named {
  Status status;
  const char* name;
};
constexpr Named kNames[] = {
    {status::kSuccess, "STATUS_SUCCESS"},
    {status::kPending, "STATUS_PENDING"},
    {status::kBufferOverflow, "STATUS_BUFFER_OVERFLOW"},
    {status::kUnsuccessful, "STATUS_UNSUCCESSFUL"},
    {status::kNotImplemented, "STATUS_NOT_IMPLEMENTED"},
    {status::kInvalidHandle, "STATUS_INVALID_HANDLE"},
    {status::kInvalidParameter, "STATUS_INVALID_PARAMETER"},
    {status::kInsufficientResources, "STATUS_INSUFFICIENT_RESOURCES"},
    {status::kInvalidParameter1, "STATUS_INVALID_PARAMETER_1"},
    {status::kInvalidParameter2, "STATUS_INVALID_PARAMETER_2"},
    {status::kInvalidParameter3, "STATUS_INVALID_PARAMETER_3"},
    {status::kInvalidParameter4, "STATUS_INVALID_PARAMETER_4"},
    {status::kInvalidParameter5, "STATUS_INVALID_PARAMETER_5"},
    {status::kInvalidParameter6, "STATUS_INVALID_PARAMETER_6"},
    {status::kInvalidParameter7, "STATUS_INVALID_PARAMETER_7"},
    {status::kNotSupported, "STATUS_NOT_SUPPORTED"},
    {status::kCancelled, "STATUS_CANCELLED"},
    {status::kBufferTooSmall, "STATUS_BUFFER_TOO_SMALL"},
    {status::kDeviceBusy, "STATUS_DEVICE_BUSY"},
    {status::kInvalidDeviceState, "STATUS_INVALID_DEVICE_STATE"},
    {status::kDeviceRemoved, "STATUS_DEVICE_REMOVED"},
    {status::kMoreProcessingRequired, "STATUS_MORE_PROCESSING_REQUIRED"},
    {status::kAccessDenied, "STATUS_ACCESS_DENIED"},
};
}  // namespace

const char* status_name(Status s) {
  for (const Named& n : kNames)
    if (n.status == s) return n.name;
  return "STATUS_<other>";
}

bool parse_status(const std::string& name, Status& out) {
  for (const Named& n : kNames) {
    if (name == n.name) {
      out = n.status;
      return true;
    }
  }
  return false;
}

}  // namespace vmbsim
