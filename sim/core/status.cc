#include "sim/core/status.h"

namespace vmbsim {

const char* status_name(Status s) {
  switch (s) {
    case status::kSuccess: return "STATUS_SUCCESS";
    case status::kPending: return "STATUS_PENDING";
    case status::kBufferOverflow: return "STATUS_BUFFER_OVERFLOW";
    case status::kUnsuccessful: return "STATUS_UNSUCCESSFUL";
    case status::kNotImplemented: return "STATUS_NOT_IMPLEMENTED";
    case status::kInvalidHandle: return "STATUS_INVALID_HANDLE";
    case status::kInvalidParameter: return "STATUS_INVALID_PARAMETER";
    case status::kInsufficientResources: return "STATUS_INSUFFICIENT_RESOURCES";
    case status::kInvalidParameter1: return "STATUS_INVALID_PARAMETER_1";
    case status::kInvalidParameter2: return "STATUS_INVALID_PARAMETER_2";
    case status::kInvalidParameter3: return "STATUS_INVALID_PARAMETER_3";
    case status::kInvalidParameter4: return "STATUS_INVALID_PARAMETER_4";
    case status::kInvalidParameter5: return "STATUS_INVALID_PARAMETER_5";
    case status::kInvalidParameter6: return "STATUS_INVALID_PARAMETER_6";
    case status::kInvalidParameter7: return "STATUS_INVALID_PARAMETER_7";
    case status::kNotSupported: return "STATUS_NOT_SUPPORTED";
    case status::kCancelled: return "STATUS_CANCELLED";
    case status::kBufferTooSmall: return "STATUS_BUFFER_TOO_SMALL";
    case status::kDeviceBusy: return "STATUS_DEVICE_BUSY";
    case status::kInvalidDeviceState: return "STATUS_INVALID_DEVICE_STATE";
    case status::kDeviceRemoved: return "STATUS_DEVICE_REMOVED";
    default: return "STATUS_<other>";
  }
}

}  // namespace vmbsim
