// A scenario: what the simulated peer of a driver does and expects, step by step, as loaded from
// a YAML (or JSON) file. The format is documented in scenarios/README.md; loader.h builds this
// model and runner.h plays it. Every element remembers where in the file it came from, so a
// failure can point at file:line.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/guid.h"
#include "sim/core/status.h"

namespace vmbsim::scenario {

struct SourcePos {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
  std::string str() const;  // "file:line:column"
};

// Bytes to match: a pattern byte matches when (actual & mask) == (value & mask); `??` in the
// file is mask 0. A pattern shorter than the packet matches its prefix.
struct BytePattern {
  std::vector<uint8_t> value, mask;
  bool empty() const { return value.empty(); }
};

enum class FieldType : uint8_t { U8, U16, U32, U64, Guid };
size_t field_size(FieldType t);
const char* to_string(FieldType t);
// "u8", "u16", "u32", "u64" or "guid".
bool parse_field_type(const std::string& s, FieldType& t);

// A value in a field check or template: a literal, or a captured variable.
struct ValueRef {
  std::optional<uint64_t> literal;
  std::string variable;  // non-empty: ${variable}
};

// A typed little-endian field of a packet's payload.
struct FieldCheck {
  SourcePos pos;
  uint32_t offset = 0;
  FieldType type = FieldType::U32;
  std::optional<ValueRef> equals;    // integer fields
  std::optional<Guid> equals_guid;   // GUID fields
  uint64_t mask = ~0ull;             // applied before comparing (integer fields)
  std::string capture;               // non-empty: store the field's value under this name
};

// Bytes to produce (a packet to send, completion bytes): literal bytes and ${variables}, each
// variable written little-endian at its captured width (or the width given as ${name:u16}).
struct BytesTemplate {
  struct Piece {
    std::vector<uint8_t> literal;
    std::string variable;
    std::optional<FieldType> width;
  };
  std::vector<Piece> pieces;
  SourcePos pos;
};

enum class PacketKind : uint8_t { Any, InBand, GpaDirect };

// What an `expect` step (a packet from the driver) or `expect_completion` requires.
struct PacketMatch {
  PacketKind kind = PacketKind::Any;
  std::optional<bool> completion_requested;
  std::optional<uint32_t> length, min_length, max_length;  // payload bytes as on the wire (8-byte padded)
  BytePattern bytes;
  std::vector<FieldCheck> fields;
};

struct Step;
using Steps = std::vector<Step>;

enum class StepKind : uint8_t {
  Expect,            // a packet from the driver
  Complete,          // the peer completes a packet it received
  Send,              // the peer sends a packet to the driver
  ExpectCompletion,  // the driver completes a packet the peer sent
  Wait,              // virtual time passes
  Fault,
  Repeat,
  Driver,            // a command for the driver plugin (VmbsimDriverCommand)
  Open,              // server role: the simulated guest opens the driver's offer
  Close,             // server role: the guest closes; client role: the host closes the channel
  ExpectNone,        // nothing arrives from the driver on the channel for a while
  Gpadl,             // server role: the guest creates a GPADL over a buffer of its own
  ExpectMemory,      // the bytes of a guest buffer (a GPADL's, or a sent packet's external data)
  Raw,               // the peer writes one packet as it is given: any type, flags, transaction id and bytes
  Reopened,          // client role: the driver opens the channel again after the host's close
};

enum class FaultKind : uint8_t {
  StopDraining,     // the peer stops reading the driver's ring (for `duration`, or until resume_draining)
  ResumeDraining,
  Rescind,          // client role: the host rescinds the offer
  FailAllocations,  // the next `count` VmbPacketAllocate calls return NULL
  ExternalDataPending,  // the next `count` VmbChannelPacketGetExternalData calls return STATUS_PENDING
  Pause,            // the peer neither reads nor writes (for `duration`, or until resume); its writes are held
  Resume,
  CorruptIndex,     // a peer-owned ring index is overwritten with `count` (index_of_outgoing says which)
};

struct Step {
  StepKind kind = StepKind::Wait;
  SourcePos pos;
  std::string channel;  // empty: the scenario's only channel

  // Expect / ExpectCompletion
  PacketMatch match;
  std::string name;              // `as`: names the packet for later steps
  std::optional<int64_t> within_ns;  // how long to wait (virtual); default Scenario::default_within_ns

  // Complete / ExpectCompletion: which packet (a name, or empty for the oldest unanswered one)
  std::string packet;
  Status status = status::kSuccess;  // Complete; Driver: the command's expected status
  BytesTemplate bytes;               // Complete (response) / Send (payload)
  int64_t after_ns = 0;              // Complete: answer after this virtual delay, without waiting

  // Send
  bool completion_requested = true;
  // Send with external data (server role: a GPA-direct packet over a guest buffer of
  // external_size bytes, filled by repeating external_fill), and Gpadl (the buffer's size and fill).
  uint32_t external_size = 0;
  std::vector<uint8_t> external_fill;
  bool read_only = false;  // Gpadl

  // ExpectCompletion (the packet's external buffer after the completion) / ExpectMemory
  BytePattern memory;
  std::string buffer;  // ExpectMemory: a GPADL's or a sent packet's name
  uint32_t memory_offset = 0;

  // Wait / Fault duration
  int64_t duration_ns = 0;

  // Fault
  FaultKind fault = FaultKind::StopDraining;
  uint32_t count = 0;

  // Repeat
  uint32_t times = 0;
  Steps body;

  // Driver: the command, and the status it must return (success unless `status:` says otherwise)
  std::string command;

  // Open (server role)
  uint32_t ring_pages = 16;

  // Raw: the packet descriptor's fields as written (`bytes` is the payload); `raw_header` is the
  // descriptor's extension (a GPA-direct packet's ranges, say), as bytes.
  bool raw_verbatim = false;  // `bytes` is the whole packet, descriptor included, written as is
  bool index_of_outgoing = false;  // CorruptIndex: the read index of the ring the driver writes (else the write index of the one it reads)
  uint16_t raw_type = 0;
  uint16_t raw_flags = 0;
  uint64_t raw_txid = 0;
  std::vector<uint8_t> raw_header;
};

enum class Role : uint8_t { Client, Server };  // the driver's role on the channel

struct ChannelSpec {
  SourcePos pos;
  std::string id = "main";
  Role role = Role::Client;
  Guid interface_type{}, interface_instance{};
  std::vector<uint8_t> user_data;
  uint16_t mmio_megabytes = 0;
};

// What must hold when the steps are done (all on by default).
struct EndConditions {
  bool all_answered = true;   // every transaction either way was completed
  bool no_leaks = true;       // the driver unloads without leak reports
  // Verifier rules the scenario expects the driver to break (exactly these, each at least once);
  // empty: no violation at all.
  std::vector<int> violations;
  // A blocking KMCL call that could never have returned (SIM-HANG) is expected (a driver that
  // never completes what it must); otherwise it fails the scenario.
  bool hang = false;
  SourcePos pos;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  uint64_t seed = 1;
  std::string driver_args;
  std::vector<ChannelSpec> channels;
  Steps steps;
  EndConditions end;
  int64_t default_within_ns = 1'000'000'000;  // 1 s of virtual time per wait
  int64_t time_limit_ns = 3'600'000'000'000;  // a whole run, virtual
  size_t step_count() const;                  // steps with repeats unrolled
};

}  // namespace vmbsim::scenario
