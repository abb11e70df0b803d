#include "sim/core/rules.h"

namespace vmbsim {

namespace {
constexpr RuleInfo kRules[] = {
    {0, Severity::Error, "simulator diagnostic"},
    {1, Severity::Error, "interface query with a bad size/version, or table used after dereference"},
    {2, Severity::Error, "stale, freed, foreign or NULL handle"},
    {3, Severity::Error, "server-only function on a client channel"},
    {4, Severity::Error, "client-only init function on a server channel"},
    {5, Severity::Error, "bad VMBus handle conversion"},
    {6, Severity::Error, "channel not cleaned up exactly once, or used after cleanup"},
    {7, Severity::Error, "VmbChannelCleanup on a channel that is not disabled"},
    {8, Severity::Error, "PASSIVE_LEVEL-only call above PASSIVE_LEVEL"},
    {9, Severity::Error, "init call after VmbChannelEnable"},
    {10, Severity::Error, "invalid argument"},
    {11, Severity::Error, "VmbChannelEnable on a channel that is not disabled"},
    {12, Severity::Warning, "result of a _Must_inspect_result_ function ignored"},
    {13, Severity::Warning, "enable without a ProcessPacket callback"},
    {14, Severity::Error, "VmbChannelStart/Pause inside a state-change callback"},
    {15, Severity::Error, "VmbChannelStart before enable or after disable, or Pause after disable"},
    {16, Severity::Warning, "server channel enabled but never started"},
    {17, Severity::Error, "Pause/Disable from a receive path or while holding incoming packets"},
    {18, Severity::Error, "blocking call above PASSIVE_LEVEL"},
    {19, Severity::Error, "VmbChannelSetInterruptLatency outside [Opened .. Closed]"},
    {20, Severity::Error, "VmbChannelGetMmioSpace before EvtChannelOpened"},
    {21, Severity::Error, "blocking wait inside EvtChannelStarted"},
    {22, Severity::Error, "send between EvtChannelSuspend and the next EvtChannelStarted"},
    {23, Severity::Error, "incoming packets not completed after EvtChannelSuspend"},
    {24, Severity::Error, "GPADL alive when EvtChannelClosed returns"},
    {25, Severity::Error, "simulator self-check: callback order"},
    {26, Severity::Error, "GPADL created outside [Opened .. Closed]"},
    {27, Severity::Warning, "GPADL create/delete on a server channel"},
    {28, Severity::Error, "GPADL not deleted exactly once"},
    {29, Severity::Error, "GPADL range out of bounds"},
    {30, Severity::Error, "map of an unknown GPADL"},
    {31, Severity::Error, "second map of a mapped GPADL"},
    {32, Severity::Error, "write map of a read-only GPADL"},
    {33, Severity::Error, "unmap of an unmapped GPADL"},
    {34, Severity::Warning, "GPADL map never unmapped"},
    {35, Severity::Error, "NULL from VmbPacketAllocate used"},
    {36, Severity::Error, "VmbPacketInitialize on an allocated packet"},
    {37, Severity::Error, "VmbPacketInitialize buffer smaller than VmbChannelSizeofPacket"},
    {38, Severity::Error, "initialized packet sent without a completion routine"},
    {39, Severity::Error, "VmbPacketFree on a packet not from VmbPacketAllocate"},
    {40, Severity::Error, "double free of a packet"},
    {41, Severity::Error, "packet freed while its send is pending"},
    {42, Severity::Error, "packet resent (or its routine changed) while its transaction is pending"},
    {43, Severity::Warning, "packet leaked"},
    {44, Severity::Error, "external-data send without WAIT_FOR_COMPLETION"},
    {45, Severity::Error, "invalid send flags"},
    {46, Severity::Error, "send larger than the channel maximum"},
    {47, Severity::Error, "PAGED_BUFFER send above PASSIVE_LEVEL"},
    {48, Severity::Error, "external data released before completion"},
    {49, Severity::Error, "simulator self-check: completion routine not exactly once"},
    {50, Severity::Error, "synchronous request with a completion size not a multiple of 8"},
    {51, Severity::Error, "server synchronous request with a blocking form"},
    {52, Severity::Warning, "send queued while the channel is not open"},
    {53, Severity::Error, "incoming packet never completed"},
    {54, Severity::Error, "incoming packet completed twice"},
    {55, Severity::Error, "VmbChannelPacketDeferToPassive outside its ProcessPacket"},
    {56, Severity::Error, "VmbChannelPacketFail/GetExternalData outside packet processing"},
    {57, Severity::Error, "packet processed after GetExternalData returned STATUS_PENDING"},
    {58, Severity::Warning, "GetExternalData on a packet without external data"},
    {59, Severity::Error, "external-data MDL used after completion"},
    {60, Severity::Error, "ProcessPacket buffer used after completion"},
    {61, Severity::Error, "blocking or PASSIVE-only call from a DISPATCH_LEVEL receive callback"},
    {62, Severity::Error, "simulator self-check: transaction quota exceeded"},
    {63, Severity::Error, "simulator self-check: PASSIVE delivery"},
    {64, Severity::Error, "save sequence misuse"},
    {65, Severity::Error, "EvtVmbChannelSavePacket contract broken"},
    {66, Severity::Error, "restore buffer not whole chunks"},
    {67, Severity::Error, "VmbPacketRestore misuse"},
};
}  // namespace

const RuleInfo& rule_info(int number) {
  if (number < 0 || number >= static_cast<int>(sizeof(kRules) / sizeof(kRules[0]))) return kRules[0];
  return kRules[number];
}

const char* diagnostic_code(Diagnostic d) {
  switch (d) {
    case Diagnostic::Hang: return "SIM-HANG";
    case Diagnostic::PeerError: return "SIM-PEER";
    case Diagnostic::Unanswered: return "SIM-UNANSWERED";
  }
  return "SIM-?";
}

}  // namespace vmbsim
