#include "sim/scenario/step_parser.h"

#include <cctype>

#include "sim/scenario/bytes.h"

namespace vmbsim::scenario {

namespace {

const char* const kStepKinds =
    "expect, complete, send, expect_completion, expect_none, wait, fault, repeat, driver, open, close, gpadl, "
    "expect_memory, raw, reopened";

}  // namespace

Steps StepParser::parse(const YAML::Node& list, int depth) {
  Steps out;
  if (!r_.check_sequence(list, "steps")) return out;
  // YAML aliases cannot make this loop long: the loader refuses a file they expand much
  // (alias_budget.h) before any step is read.
  for (const YAML::Node& n : list) {
    out.push_back(parse_step(n, depth));
    unrolled_ += multiplier_;
  }
  return out;
}

const ChannelSpec* StepParser::channel(const YAML::Node& body, Step& s) {
  if (body.IsMap() && body["channel"]) {
    s.channel = r_.str(body["channel"], "channel");
    for (const ChannelSpec& c : channels_)
      if (c.id == s.channel) return &c;
    r_.error(body["channel"], "unknown channel '" + s.channel + "'");
    return nullptr;
  }
  if (channels_.size() == 1) {
    s.channel = channels_[0].id;
    return &channels_[0];
  }
  if (!channels_.empty()) r_.error(s.pos, "this step must name its channel: the scenario has several");
  return nullptr;
}

Step StepParser::parse_step(const YAML::Node& n, int depth) {
  Step s;
  s.pos = r_.pos(n);
  if (!n.IsMap() || n.size() != 1) {
    r_.error(n, std::string("a step is a mapping with one key, the step kind (") + kStepKinds + ")");
    return s;
  }
  const std::string kind = n.begin()->first.Scalar();
  const YAML::Node body = n.begin()->second;
  if (kind == "expect" || kind == "expect_completion") {
    parse_expect(body, s, kind == "expect_completion");
  } else if (kind == "complete") {
    parse_complete(body, s);
  } else if (kind == "send") {
    parse_send(body, s);
  } else if (kind == "wait") {
    s.kind = StepKind::Wait;
    s.duration_ns = r_.duration(body, "wait");
  } else if (kind == "fault") {
    parse_fault(body, s);
  } else if (kind == "repeat") {
    s.kind = StepKind::Repeat;
    if (!r_.check_map(body, "a step 'repeat'", {"times", "steps"})) return s;
    if (!body["times"] || !body["steps"]) {
      r_.error(body, "a step 'repeat' needs 'times' and 'steps'");
      return s;
    }
    if (depth >= kMaxNesting) {
      r_.error(body, "repeats nested more than " + std::to_string(kMaxNesting) + " deep");
      return s;
    }
    s.times = static_cast<uint32_t>(r_.uint(body["times"], "times", 1000000));
    size_t saved = multiplier_;
    multiplier_ = s.times == 0 ? 0 : multiplier_ * s.times;
    if (multiplier_ > kMaxUnrolledSteps) multiplier_ = kMaxUnrolledSteps + 1;
    s.body = parse(body["steps"], depth + 1);
    multiplier_ = saved;
    if (unrolled_ > kMaxUnrolledSteps)
      r_.error(body, "the scenario would run more than " + std::to_string(kMaxUnrolledSteps) + " steps");
  } else if (kind == "driver") {
    s.kind = StepKind::Driver;
    if (body.IsMap()) {
      if (r_.check_map(body, "a step 'driver'", {"command", "channel", "status"}) && body["command"])
        s.command = r_.str(body["command"], "command");
      else if (!body["command"])
        r_.error(body, "a step 'driver' needs a 'command'");
      if (body["status"]) s.status = r_.status(body["status"], "status");
      channel(body, s);
    } else {
      s.command = r_.str(body, "driver");
      channel(YAML::Node(), s);
    }
  } else if (kind == "expect_none") {
    // `expect_none: 5ms` or `expect_none: {within: 5ms, channel: ID}`
    s.kind = StepKind::ExpectNone;
    if (body.IsMap()) {
      if (r_.check_map(body, "a step 'expect_none'", {"within", "channel"})) {
        if (!body["within"]) r_.error(body, "a step 'expect_none' needs 'within': how long nothing may arrive");
        else s.duration_ns = r_.duration(body["within"], "within");
      }
      channel(body, s);
    } else {
      s.duration_ns = r_.duration(body, "expect_none");
      channel(YAML::Node(), s);
    }
  } else if (kind == "gpadl") {
    parse_gpadl(body, s);
  } else if (kind == "expect_memory") {
    parse_expect_memory(body, s);
  } else if (kind == "raw") {
    parse_raw(body, s);
  } else if (kind == "reopened") {
    // `reopened:` or `reopened: {channel: ID, within: 10ms}`
    s.kind = StepKind::Reopened;
    if (!body.IsNull() && !r_.check_map(body, "a step 'reopened'", {"channel", "within"})) return s;
    const ChannelSpec* c = channel(body, s);
    if (body.IsMap() && body["within"]) s.within_ns = r_.duration(body["within"], "within");
    if (c && c->role != Role::Client)
      r_.error(s.pos, "a step 'reopened' needs a channel where the driver is the client (a guest reopens with 'open')");
    else if (c && !closed_.count(s.channel))
      r_.error(s.pos, "no earlier step 'close' closed channel '" + s.channel + "': there is nothing to reopen");
  } else if (kind == "open" || kind == "close") {
    s.kind = kind == "open" ? StepKind::Open : StepKind::Close;
    bool ok = body.IsNull() || (kind == "open" ? r_.check_map(body, "a step 'open'", {"channel", "ring_pages"})
                                               : r_.check_map(body, "a step 'close'", {"channel"}));
    if (!ok) return s;
    const ChannelSpec* c = channel(body, s);
    if (body.IsMap() && body["ring_pages"]) {
      if (s.kind != StepKind::Open) r_.error(body["ring_pages"], "'ring_pages' belongs to a step 'open'");
      s.ring_pages = static_cast<uint32_t>(r_.uint(body["ring_pages"], "ring_pages", 1024));
      if (s.ring_pages == 0) r_.error(body["ring_pages"], "ring_pages must be at least 1");
    }
    if (c && s.kind == StepKind::Open && c->role != Role::Server)
      r_.error(s.pos, "a step 'open' needs a channel where the driver is the server (the scenario plays the guest)");
    if (c && s.kind == StepKind::Close && c->role == Role::Client) closed_.insert(s.channel);
  } else {
    r_.error(n.begin()->first, "unknown step '" + kind + "' (expected one of: " + kStepKinds + ")");
  }
  return s;
}

void StepParser::parse_expect(const YAML::Node& body, Step& s, bool completion) {
  s.kind = completion ? StepKind::ExpectCompletion : StepKind::Expect;
  std::string what = completion ? "a step 'expect_completion'" : "a step 'expect'";
  if (body.IsNull()) {
    channel(body, s);
    return;
  }
  if (completion) {
    if (!r_.check_map(body, what,
                      {"channel", "packet", "length", "min_length", "max_length", "bytes", "fields", "within", "external"}))
      return;
  } else if (!r_.check_map(body, what, {"channel", "type", "completion_requested", "length", "min_length", "max_length",
                                        "bytes", "fields", "as", "within"})) {
    return;
  }
  channel(body, s);
  parse_match(body, s.match, what);
  if (body["within"]) s.within_ns = r_.duration(body["within"], "within");
  if (completion) {
    if (body["packet"]) {
      s.packet = r_.str(body["packet"], "packet");
      if (!s.packet.empty() && !sent_.count(s.packet))
        r_.error(body["packet"], "no earlier step 'send' named a packet '" + s.packet + "' (with 'as')");
    }
    if (body["external"]) {
      if (s.packet.empty() || !buffers_.count(s.packet))
        r_.error(body["external"], "'external' needs 'packet' naming a send with external data");
      s.memory = pattern(body["external"], "external");
    }
    return;
  }
  if (body["type"]) {
    std::string t = r_.str(body["type"], "type");
    if (t == "inband") s.match.kind = PacketKind::InBand;
    else if (t == "gpa_direct") s.match.kind = PacketKind::GpaDirect;
    else if (t == "any") s.match.kind = PacketKind::Any;
    else if (body["type"].IsScalar()) r_.error(body["type"], "type must be inband, gpa_direct or any, not '" + t + "'");
  }
  if (body["completion_requested"])
    s.match.completion_requested = r_.boolean(body["completion_requested"], "completion_requested");
  if (body["as"]) {
    s.name = r_.str(body["as"], "as");
    received_.insert(s.name);
  }
}

void StepParser::parse_match(const YAML::Node& body, PacketMatch& m, const std::string& what) {
  if (body["length"]) m.length = static_cast<uint32_t>(r_.uint(body["length"], "length", 1u << 24));
  if (body["min_length"]) m.min_length = static_cast<uint32_t>(r_.uint(body["min_length"], "min_length", 1u << 24));
  if (body["max_length"]) m.max_length = static_cast<uint32_t>(r_.uint(body["max_length"], "max_length", 1u << 24));
  if (m.min_length && m.max_length && *m.min_length > *m.max_length)
    r_.error(body["min_length"], "min_length is larger than max_length in " + what);
  if (body["bytes"]) {
    std::string error;
    if (!parse_pattern(r_.str(body["bytes"], "bytes"), m.bytes, error) && body["bytes"].IsScalar())
      r_.error(body["bytes"], "bytes: " + error);
  }
  if (body["fields"]) parse_fields(body["fields"], m.fields);
}

void StepParser::parse_fields(const YAML::Node& list, std::vector<FieldCheck>& out) {
  if (!r_.check_sequence(list, "fields")) return;
  for (const YAML::Node& f : list) {
    FieldCheck c;
    c.pos = r_.pos(f);
    if (!r_.check_map(f, "a field", {"offset", "type", "equals", "mask", "capture"})) continue;
    if (!f["offset"] || !f["type"]) {
      r_.error(f, "a field needs 'offset' and 'type'");
      continue;
    }
    c.offset = static_cast<uint32_t>(r_.uint(f["offset"], "offset", 1u << 24));
    std::string t = r_.str(f["type"], "type");
    if (!parse_field_type(t, c.type)) {
      if (f["type"].IsScalar()) r_.error(f["type"], "field type must be u8, u16, u32, u64 or guid, not '" + t + "'");
      continue;
    }
    // Only integer fields have a range (a guid's 16 bytes would shift past 64 bits).
    uint64_t max = c.type == FieldType::U64 || c.type == FieldType::Guid ? ~0ull : (1ull << (8 * field_size(c.type))) - 1;
    if (f["mask"]) {
      if (c.type == FieldType::Guid) r_.error(f["mask"], "a guid field takes no mask");
      else c.mask = r_.uint(f["mask"], "mask", max);
    }
    if (f["equals"]) {
      if (c.type == FieldType::Guid) {
        c.equals_guid = r_.guid(f["equals"], "equals");
      } else {
        std::string v = r_.str(f["equals"], "equals");
        ValueRef ref;
        if (v.size() > 3 && v.compare(0, 2, "${") == 0 && v.back() == '}') {
          ref.variable = v.substr(2, v.size() - 3);
          if (!variables_.count(ref.variable))
            r_.error(f["equals"], "unknown variable ${" + ref.variable + "}: no earlier field captured it");
        } else {
          ref.literal = r_.uint(f["equals"], "equals", max);
        }
        c.equals = ref;
      }
    }
    if (f["capture"]) {
      if (c.type == FieldType::Guid) r_.error(f["capture"], "guid fields cannot be captured (only integers)");
      c.capture = r_.str(f["capture"], "capture");
      bool name_ok = !c.capture.empty();
      for (char ch : c.capture) name_ok = name_ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.');
      if (!name_ok && f["capture"].IsScalar())
        r_.error(f["capture"], "'" + c.capture + "' is not a variable name (letters, digits, '_' and '.')");
      variables_.insert(c.capture);
    }
    out.push_back(std::move(c));
  }
}

BytesTemplate StepParser::parse_bytes(const YAML::Node& n, const std::string& what) {
  BytesTemplate t;
  t.pos = r_.pos(n);
  std::string text = r_.str(n, what);
  std::string error;
  if (!n.IsScalar()) return t;
  if (!parse_template(text, t, error)) {
    r_.error(n, what + ": " + error);
    return t;
  }
  for (const std::string& v : template_variables(t))
    if (!variables_.count(v)) r_.error(n, what + ": unknown variable ${" + v + "}: no earlier field captured it");
  return t;
}

void StepParser::parse_complete(const YAML::Node& body, Step& s) {
  s.kind = StepKind::Complete;
  if (body.IsNull()) {
    channel(body, s);
    return;
  }
  if (!r_.check_map(body, "a step 'complete'", {"channel", "packet", "status", "bytes", "after"})) return;
  channel(body, s);
  if (body["packet"]) {
    s.packet = r_.str(body["packet"], "packet");
    if (!received_.count(s.packet))
      r_.error(body["packet"], "no earlier step 'expect' named a packet '" + s.packet + "' (with 'as')");
  }
  if (body["status"]) s.status = r_.status(body["status"], "status");
  if (body["bytes"]) s.bytes = parse_bytes(body["bytes"], "bytes");
  if (body["after"]) s.after_ns = r_.duration(body["after"], "after");
}

BytePattern StepParser::pattern(const YAML::Node& n, const std::string& what) {
  BytePattern p;
  std::string error;
  std::string text = r_.str(n, what);
  if (n.IsScalar() && !parse_pattern(text, p, error)) r_.error(n, what + ": " + error);
  return p;
}

std::vector<uint8_t> StepParser::literal(const YAML::Node& n, const std::string& what) {
  BytePattern p = pattern(n, what);
  for (uint8_t m : p.mask)
    if (m == 0) {
      r_.error(n, what + " cannot contain wildcards: it is written, not matched");
      break;
    }
  return p.value;
}

bool StepParser::parse_external(const YAML::Node& n, Step& s) {
  if (!n["size"]) {
    r_.error(n, "external data needs a 'size'");
    return false;
  }
  s.external_size = static_cast<uint32_t>(r_.uint(n["size"], "size", 1u << 24));
  if (s.external_size == 0) r_.error(n["size"], "size must be at least 1");
  if (n["fill"]) s.external_fill = literal(n["fill"], "fill");
  return true;
}

void StepParser::parse_gpadl(const YAML::Node& body, Step& s) {
  s.kind = StepKind::Gpadl;
  if (!r_.check_map(body, "a step 'gpadl'", {"channel", "size", "fill", "read_only", "as"})) return;
  const ChannelSpec* c = channel(body, s);
  if (c && c->role != Role::Server)
    r_.error(s.pos, "a step 'gpadl' needs a channel where the driver is the server (the scenario plays the guest)");
  parse_external(body, s);
  if (body["read_only"]) s.read_only = r_.boolean(body["read_only"], "read_only");
  if (!body["as"]) {
    r_.error(body, "a step 'gpadl' needs 'as': the name of the variable that holds its handle");
    return;
  }
  s.name = r_.str(body["as"], "as");
  variables_.insert(s.name);
  buffers_.insert(s.name);
}

void StepParser::parse_expect_memory(const YAML::Node& body, Step& s) {
  s.kind = StepKind::ExpectMemory;
  if (!r_.check_map(body, "a step 'expect_memory'", {"channel", "buffer", "offset", "bytes"})) return;
  channel(body, s);
  if (!body["buffer"] || !body["bytes"]) {
    r_.error(body, "a step 'expect_memory' needs 'buffer' and 'bytes'");
    return;
  }
  s.buffer = r_.str(body["buffer"], "buffer");
  if (!buffers_.count(s.buffer))
    r_.error(body["buffer"], "no earlier step 'gpadl' or 'send' with external data named a buffer '" + s.buffer + "'");
  if (body["offset"]) s.memory_offset = static_cast<uint32_t>(r_.uint(body["offset"], "offset", 1u << 24));
  s.memory = pattern(body["bytes"], "bytes");
}

void StepParser::parse_raw(const YAML::Node& body, Step& s) {
  s.kind = StepKind::Raw;
  if (!r_.check_map(body, "a step 'raw'", {"channel", "type", "flags", "txid", "header", "bytes", "verbatim"})) return;
  channel(body, s);
  if (body["verbatim"]) {
    // The whole packet as bytes, descriptor included: malformed descriptors (wire §6 22-31).
    s.raw_verbatim = true;
    for (const char* k : {"type", "flags", "txid", "header", "bytes"})
      if (body[k]) r_.error(body[k], std::string("'") + k + "' does not go with 'verbatim' (the bytes are the whole packet)");
    s.bytes = parse_bytes(body["verbatim"], "verbatim");
    return;
  }
  if (!body["type"]) r_.error(body, "a step 'raw' needs 'type': the packet type (6 in-band, 11 completion, ...)");
  else s.raw_type = static_cast<uint16_t>(r_.uint(body["type"], "type", 0xffff));
  if (body["flags"]) s.raw_flags = static_cast<uint16_t>(r_.uint(body["flags"], "flags", 0xffff));
  if (body["txid"]) s.raw_txid = r_.uint(body["txid"], "txid", ~0ull);
  if (body["header"]) s.raw_header = literal(body["header"], "header");
  if (body["bytes"]) s.bytes = parse_bytes(body["bytes"], "bytes");
}

void StepParser::parse_send(const YAML::Node& body, Step& s) {
  s.kind = StepKind::Send;
  if (!r_.check_map(body, "a step 'send'", {"channel", "bytes", "completion_requested", "as", "external"})) return;
  const ChannelSpec* c = channel(body, s);
  if (body["external"]) {
    if (c && c->role != Role::Server)
      r_.error(body["external"], "external data (a GPA-direct packet) needs a channel where the driver is the server");
    if (r_.check_map(body["external"], "external", {"size", "fill"})) parse_external(body["external"], s);
  }
  if (!body["bytes"]) r_.error(body, "a step 'send' needs 'bytes'");
  else s.bytes = parse_bytes(body["bytes"], "bytes");
  if (body["completion_requested"])
    s.completion_requested = r_.boolean(body["completion_requested"], "completion_requested");
  if (body["as"]) {
    s.name = r_.str(body["as"], "as");
    if (!s.completion_requested)
      r_.error(body["as"], "only a packet sent with completion_requested can be named: nothing answers the others");
    sent_.insert(s.name);
    if (s.external_size) buffers_.insert(s.name);
  }
  if (s.external_size && !s.completion_requested)
    r_.error(body["completion_requested"], "a GPA-direct packet always requests a completion");
}

void StepParser::parse_fault(const YAML::Node& body, Step& s) {
  s.kind = StepKind::Fault;
  std::string name;
  YAML::Node value;
  if (body.IsScalar()) {
    name = body.Scalar();
  } else if (r_.check_map(body, "a step 'fault'",
                          {"stop_draining", "resume_draining", "pause", "resume", "rescind", "fail_allocations",
                           "external_data_pending", "corrupt_index", "channel"})) {
    for (auto it = body.begin(); it != body.end(); ++it) {
      if (it->first.Scalar() == "channel") continue;
      if (!name.empty()) {
        r_.error(it->first, "one fault per step ('" + name + "' and '" + it->first.Scalar() + "')");
        return;
      }
      name = it->first.Scalar();
      value = it->second;
    }
  } else {
    return;
  }
  const ChannelSpec* c = channel(body, s);
  bool has_value = value && !value.IsNull();
  if (name == "stop_draining" || name == "pause") {
    s.fault = name == "pause" ? FaultKind::Pause : FaultKind::StopDraining;
    if (has_value) s.duration_ns = r_.duration(value, name);
  } else if (name == "resume_draining" || name == "resume" || name == "rescind") {
    s.fault = name == "rescind" ? FaultKind::Rescind : name == "resume" ? FaultKind::Resume : FaultKind::ResumeDraining;
    if (has_value) r_.error(value, "fault '" + name + "' takes no value");
    if (c && s.fault == FaultKind::Rescind && c->role != Role::Client)
      r_.error(s.pos, "fault 'rescind' needs a channel where the driver is the client (the host rescinds its offer)");
  } else if (name == "fail_allocations" || name == "external_data_pending") {
    s.fault = name == "fail_allocations" ? FaultKind::FailAllocations : FaultKind::ExternalDataPending;
    if (!has_value) r_.error(body, "fault '" + name + "' needs a count, e.g. {" + name + ": 2}");
    else s.count = static_cast<uint32_t>(r_.uint(value, name, 1000000));
    if (c && s.fault == FaultKind::ExternalDataPending && c->role != Role::Server)
      r_.error(s.pos, "fault 'external_data_pending' needs a channel where the driver is the server");
  } else if (name == "corrupt_index") {
    s.fault = FaultKind::CorruptIndex;
    if (!has_value || !r_.check_map(value, "fault 'corrupt_index'", {"ring", "value"})) {
      if (!has_value) r_.error(body, "fault 'corrupt_index' needs {ring: incoming|outgoing, value: N}");
      return;
    }
    if (!value["ring"] || !value["value"]) {
      r_.error(value, "fault 'corrupt_index' needs both 'ring' (incoming or outgoing) and 'value'");
      return;
    }
    std::string ring = value["ring"].IsScalar() ? value["ring"].Scalar() : "";
    if (ring != "incoming" && ring != "outgoing")
      r_.error(value["ring"], "'ring' is 'incoming' (the peer's write index of the ring the driver reads) or "
                              "'outgoing' (the peer's read index of the ring it writes), not '" + ring + "'");
    s.index_of_outgoing = ring == "outgoing";
    s.count = static_cast<uint32_t>(r_.uint(value["value"], "value", 0xffffffffull));
  } else if (!name.empty()) {
    r_.error(body, "unknown fault '" + name +
                       "' (expected stop_draining, resume_draining, pause, resume, rescind, fail_allocations, "
                       "external_data_pending, corrupt_index)");
  } else {
    r_.error(body, "a step 'fault' needs a fault kind");
  }
}

}  // namespace vmbsim::scenario
