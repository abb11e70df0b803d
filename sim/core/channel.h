// A guest (client-endpoint) channel: the KMCL state model of kmcl-api.md §1.4, outgoing
// packets and transactions (§1.5), incoming packets (§1.6), and the verifier checks that
// belong to each call. The KMCL shim maps every VMBCHANNEL call onto one method here.
//
// Threading: a channel is driven only by its simulation's thread. Driver callbacks for one
// channel never nest or overlap: work that would call the driver while one of its callbacks is
// running (for example while EvtChannelPostStarted blocks in a synchronous request) is held
// and delivered when the callback returns. Completions of synchronous requests are handled
// inside the simulator, so they still arrive.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/core/channel_client.h"
#include "sim/core/external_data.h"
#include "sim/core/fifo.h"
#include "sim/core/guid.h"
#include "sim/core/irql.h"
#include "sim/core/packet.h"
#include "sim/core/peer.h"
#include "sim/core/status.h"
#include "sim/ring/ring_memory.h"
#include "sim/ring/ring_reader.h"
#include "sim/ring/ring_writer.h"

namespace vmbsim {

class Device;
class Simulation;

// KMCL send flags (same values as VMBUS_CHANNEL_FORMAT_FLAG_*).
namespace send_flag {
constexpr uint32_t kWaitForCompletion = 0x1;
constexpr uint32_t kForceMdlLength = 0x2;
constexpr uint32_t kPagedBuffer = 0x4;
constexpr uint32_t kMask = 0x7;
}  // namespace send_flag

// Which driver callbacks are registered.
struct CallbackSet {
  bool opened = false, closed = false, suspend = false, started = false, post_started = false;
  bool process_packet = false, processing_complete = false, pnp_failure = false;
};

enum class ConnState : uint8_t { Disabled, Enabled, Opened, Closing };
const char* to_string(ConnState s);

class Channel {
 public:
  static constexpr uint64_t kMagic = 0x564d424348414e4eull;

  Channel(Simulation& sim, Device* parent, bool is_server, uint64_t id);
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Resolves a VMBCHANNEL handle; null for NULL or non-channel memory.
  static Channel* from_handle(const void* handle);
  void* handle() { return this; }

  uint64_t id() const { return id_; }
  Simulation& sim() const { return sim_; }
  bool is_server() const { return is_server_; }
  bool cleaned_up() const { return cleaned_; }
  std::string describe() const;  // "channel 3 (\"Sample\")"

  // The driver-side callback sink (the shim's adapter, or a C++ test double).
  void set_client(std::unique_ptr<ChannelClient> client) { client_ = std::move(client); }
  ChannelClient* client() const { return client_.get(); }

  // ---- Initialisation (only while Disabled and before the first Enable; rule 9) ----
  Status init_set_maximum_packet_size(uint32_t size);
  Status init_set_maximum_external_data(uint32_t data_size, uint32_t chain_length);
  Status init_set_client_context_size(uint32_t size);
  Status init_set_flags(uint32_t flags);
  Status init_set_friendly_name(const std::string& name);
  Status init_set_state_callbacks(const CallbackSet& which);
  Status init_set_process_callbacks(bool process_packet, bool processing_complete);
  Status client_init_set_ring_buffer_page_count(uint32_t incoming_pages, uint32_t outgoing_pages);
  Status client_init_set_target(const Guid& type, const Guid* instance, bool pnp_failure_callback);
  // Rejects the invalid-state/argument cases shared by all init calls; reports rule 9/2.
  Status check_init_call(const char* call);
  // The same for server-only init calls, plus rule 3 on a client channel.
  Status check_server_init_call(const char* call);

  // ---- Server-endpoint initialisation (kmcl-api.md §3.3; server channels only, rule 3) ----
  Status server_init_set_flags(uint32_t flags);
  Status server_init_set_mmio_megabytes(uint16_t megabytes, uint16_t optional_megabytes);
  Status server_init_set_save_restore_callbacks(bool save_callback, bool restore_callback);
  Status server_init_set_target_interface_id(const Guid& type, const Guid& instance);
  Status server_init_set_target_vtl(uint8_t vtl);
  Status server_init_set_vmbus_handle(void* kernel_handle);

  void set_incoming_processing_at_passive(bool passive);
  void set_transaction_quota(uint32_t quota);
  void set_pointer(void* p) { pointer_ = p; }
  void* pointer() const { return pointer_; }
  Guid interface_instance() const;
  uint32_t sizeof_packet() const;
  Status set_interrupt_latency(uint16_t latency, uint16_t* original);
  // The MMIO range reserved for the channel. Offers carry none until the server role exists,
  // so this is always an empty range; calling it before EvtChannelOpened breaks rule 20.
  void get_mmio_space(uint64_t* address, uint64_t* size);

  // ---- Lifecycle ----
  Status enable();
  void disable();
  void start();
  void pause();
  // Frees the channel (the object stays as a tombstone so later use is caught, rule 6).
  void cleanup();
  // Shutdown without the driver: stops all activity without calling any callback.
  void abandon();

  // ---- Server role: the offer and the guest's open (channel_server.cc) ----
  // True while an enabled server channel waits for a guest to open it.
  bool offered() const { return is_server_ && conn_ == ConnState::Enabled && !cleaned_ && !resuming_; }
  // A simulated guest opens this server channel over rings it donates: the server reads
  // `guest_to_host` and writes `host_to_guest`.
  Status accept_guest_open(Peer& guest, ring::RingMemory guest_to_host, ring::RingMemory host_to_guest);
  // The guest endpoint is being destroyed while connected: the channel takes over the ring
  // memory, forgets the peer, and closes as if the guest had closed.
  void peer_destroyed(std::unique_ptr<ring::FlatRingMemory> guest_to_host,
                      std::unique_ptr<ring::FlatRingMemory> host_to_guest);

  // GPADLs the guest created on a server's channel, and the server's mappings of them
  // (kmcl-api.md §3.6.4-3.6.5, rules 30-34).
  void guest_gpadl_created(uint32_t handle, std::vector<ring::GpaRange> ranges, bool read_only);
  // False while the server still maps it (the guest must wait for the unmap).
  bool guest_gpadl_deleted(uint32_t handle);
  // VmbChannelMapGpadl: on success *ranges describes the GPADL's pages.
  Status map_gpadl(uint32_t flags, uint32_t handle, const std::vector<ring::GpaRange>** ranges);
  // The shim's MDL for a mapping, handed back by unmap_gpadl so the shim can free it.
  void set_gpadl_mapping(uint32_t handle, void* mapping, void (*free_mapping)(void*));
  void* unmap_gpadl(uint32_t handle);
  bool server_gpadl_mapped(uint32_t handle) const;

  // ---- Outgoing packets ----
  Packet* allocate_packet();
  // Builds a packet object inside caller memory; *handle receives the VMBPACKET value.
  Status initialize_packet(void* buffer, uint32_t size, void** handle);
  void free_packet(Packet& packet);
  void set_completion_routine(Packet& packet, OpaqueFn routine);
  // external: null for an in-band packet; otherwise sent as GPA-direct (type 9).
  Status send(Packet& packet, const void* buffer, uint32_t length, const ExternalData* external,
              uint32_t flags, const char* call);
  // timeout_100ns: null = wait forever; < 0 relative; > 0 absolute; 0 = do not wait.
  Status send_synchronous(const void* buffer, uint32_t length, const ExternalData* external,
                          uint32_t flags, void* completion_buffer, uint32_t* completion_size,
                          const int64_t* timeout_100ns);

  // ---- GPADLs (kmcl-api.md §1.7, §3.6) ----
  static constexpr uint32_t kGpadlReadOnly = 0x1;  // VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY
  // A GPADL over [buffer, buffer + byte_count): its pages become guest memory.
  Status create_gpadl_from_buffer(uint32_t flags, const void* buffer, uint32_t byte_count, uint32_t* handle);
  // A GPADL over [offset, offset + length) of an MDL chain (length 0: to the end of the chain).
  Status create_gpadl_from_chain(uint32_t flags, const MemoryDescriptor* chain, size_t chain_length,
                                 uint32_t offset, uint32_t length, uint32_t* handle);
  // Blocks while the host still has the GPADL mapped.
  void delete_gpadl(uint32_t handle);
  size_t gpadl_count() const { return gpadls_.size(); }

  // ---- Incoming packets ----
  void complete_incoming(IncomingPacket& packet, const void* buffer, uint32_t length);
  void defer_to_passive(IncomingPacket& packet);
  void fail_incoming(IncomingPacket& packet);
  // VmbChannelPacketGetExternalData. A client never receives external data (hosts do not send
  // GPA-direct packets), so on a client channel this checks the call (rules 56, 58) and fails.
  Status get_external_data(IncomingPacket& packet, uint32_t flags);
  // The shim's MDL for a packet's external data (freed at completion).
  void* external_mapping(const IncomingPacket& p) const { return p.mapping_; }
  void set_external_mapping(IncomingPacket& p, void* mapping, void (*free_mapping)(void*)) {
    p.mapping_ = mapping;
    p.free_mapping_ = free_mapping;
  }

  // ---- Save / restore (server channels; kmcl-api.md §1.10, §3.9; channel_save.cc) ----
  // While a save is in progress or done, the channel neither reads nor writes its rings, so
  // the saved state stays true until the channel is torn down (Disable hands the guest
  // connection over to a restore) or carries on (Start).
  Status save_begin();
  Status save_continue(void* buffer, uint32_t size, uint32_t* filled, uint32_t* required);
  void save_end();
  // Only into a server channel that has not been enabled yet; Enable then resumes the saved
  // guest connection (or offers anew: FORCE_NEW_CHANNEL, or the connection is gone).
  Status restore_from_buffer(const void* buffer, uint32_t size);
  // VmbPacketRestore, from inside EvtVmbChannelRestorePacket (rule 67).
  Status restore_packet(Packet& packet, const void* lib_buffer, uint32_t lib_size);
  bool quiesced() const { return save_.phase != SaveContext::Phase::None; }

  // ---- Called by the host endpoint (posted interrupts) ----
  void host_signal();
  void host_ring_space();
  void host_closed(bool rescinded);
  // The host wrote into the external data of transaction `transaction_id` (rule 48 bookkeeping).
  void host_wrote_external(uint64_t transaction_id);

  // ---- Introspection (tests, demo) ----
  ConnState conn_state() const { return conn_; }
  bool running() const { return running_; }
  bool active() const { return started_; }
  size_t queued_sends() const { return send_queue_.size(); }
  size_t outstanding_incoming() const { return outstanding_; }
  uint32_t max_packet_size() const { return max_packet_size_; }
  bool incoming_queue_failed() const { return queue_failed_; }
  const std::string& friendly_name() const { return name_; }

  // Reports a rule violation against this channel.
  void violation(int rule, const char* call, const std::string& object, const std::string& msg);
  // Rule 2 for a packet accessor (context pointer, channel) called on a freed packet.
  bool check_live(Packet& p, const char* call);

 private:
  struct OutItem {
    Packet* packet = nullptr;            // a send
    IncomingPacket* completion = nullptr;  // or the completion of a host packet
  };

  // Pools
  Packet* take_packet(Packet::Origin origin);
  void release_packet(Packet& p);
  IncomingPacket* take_incoming();
  void release_incoming(IncomingPacket& p);

  // State machine steps
  Status offer();
  void begin_open();
  // Attaches the rings and the peer, runs EvtChannelOpened and, if it succeeds, the start
  // sequence. On failure rolls back (the peer too, unless it does that itself).
  Status connect_and_open(Peer& peer, ring::RingMemory incoming, ring::RingMemory outgoing, const Guid& instance,
                          bool peer_rolls_back);
  void run_start_sequence();
  void suspend_now();
  void begin_remote_close();
  void maybe_finish_remote_close();
  void finish_close(bool local);
  // A non-zero token parks the peer's side of the connection for a restore instead of closing it.
  void teardown_rings(uint64_t parking_token = 0);
  void cancel_transactions(bool include_queued);

  // Data path
  void post_service();
  void service();
  void drain_ring();
  void handle_completion_packet(const ring::ReadPacket& rp);
  void deliver_completions();
  void deliver_incoming();
  void flush_sends();
  enum class WriteOutcome { Written, Full, Dead };
  // direct_payload: the caller's buffer for a packet being sent right now (no copy kept).
  WriteOutcome write_item(const OutItem& item, const void* direct_payload = nullptr);
  void finish_transaction(Packet& p, Status st, const void* bytes, uint32_t len, bool inline_call);
  void run_completion_routine(Packet& p, Status st, const void* bytes, uint32_t len);
  void signal_host();
  // Builds the GPA ranges of `external` into p (rules 44-46); a failure status leaves p as it was.
  Status prepare_external(Packet& p, const ExternalData& external, uint32_t inline_length, uint32_t flags,
                          const char* call);
  void end_external(Packet& p);  // checks (rule 48) and unpins the pages of p's transaction
  uint64_t external_checksum(const Packet& p) const;
  Packet* packet_for_transaction(uint64_t transaction_id) const;
  Status add_gpadl(const char* call, uint32_t flags, std::vector<ring::GpaRange> ranges, uint32_t* handle);
  bool gpadl_window_open() const;
  Status check_gpadl_create(const char* call, uint32_t flags);  // rules 6, 18, 10
  void drop_gpadl(uint32_t handle);

  // Save / restore (channel_save.cc)
  Status take_snapshot();
  Status save_packet_chunk(Packet& p, bool queued, std::vector<std::pair<uint16_t, std::vector<uint8_t>>>& bodies);
  Status call_save_packet(Packet& p, std::vector<uint8_t>& vsp_bytes);
  Status restore_chunk(const uint8_t* payload, uint32_t length, uint16_t kind, uint32_t sequence);
  void resume_saved_connection();
  void discard_restored(const std::string& why);
  bool check_server_only(const char* call);

  // Verifier helpers
  bool check_passive(const char* call, bool blocking);
  bool in_callback_of_this_channel(CallbackKind* kind_out = nullptr) const;
  void invoke_frame_begin(CallbackKind kind, Irql irql, IncomingPacket* pkt);
  void invoke_frame_end();
  void trace(const std::string& event);
  void peer_error(const std::string& what);

  uint64_t magic_ = kMagic;  // first member: handles are resolved through it
  Simulation& sim_;
  Device* parent_;
  Peer* peer_ = nullptr;  // the other side while Opened/Closing (a host, or a guest for a server)
  bool is_server_;
  uint64_t id_;
  std::unique_ptr<ChannelClient> client_;

  // Configuration
  uint32_t max_packet_size_ = 0;  // 0: not set; the default is applied at Enable
  uint32_t max_external_data_ = 0, max_chain_length_ = 0;
  uint32_t client_context_size_ = 0;
  uint32_t init_flags_ = 0;
  std::string name_;
  CallbackSet callbacks_;
  uint32_t incoming_pages_ = 0, outgoing_pages_ = 0;
  bool has_target_ = false;
  Guid target_type_{}, target_instance_{};
  bool target_any_instance_ = true;
  bool passive_delivery_ = false;
  uint32_t quota_ = 0;  // 0 = unlimited
  void* pointer_ = nullptr;
  uint16_t interrupt_latency_ = 0;
  bool pnp_failure_delivered_ = false;
  // Server configuration (kmcl-api.md §3.3).
  struct ServerConfig {
    uint32_t flags = 0;
    uint16_t mmio_megabytes = 0, mmio_optional_megabytes = 0;
    bool save_restore_callbacks = false;
    bool has_interface_id = false;
    Guid interface_type{}, interface_instance{};
    uint8_t target_vtl = 0;
    void* vmbus_handle = nullptr;
  } server_;

  // State
  ConnState conn_ = ConnState::Disabled;
  bool ever_enabled_ = false;
  bool locally_disabled_ = false;
  bool running_ = true;       // run dimension: false after Pause until Start
  bool auto_pause_ = false;   // Pause while Disabled (Q10)
  bool started_ = false;      // EvtChannelStarted delivered and not suspended since
  bool incoming_enabled_ = false;
  bool suspended_window_ = false;  // between Suspend and the next Started (rule 22)
  bool opened_callback_seen_ = false;  // for rules 19/20 windows
  bool ever_started_ = false;           // VmbChannelStart was called (rule 16)
  bool remote_close_pending_ = false;
  bool remote_rescinded_ = false;
  bool queue_failed_ = false;  // VmbChannelPacketFail stopped the queue
  bool cleaned_ = false;
  bool ring_dead_reported_ = false;
  int busy_ = 0;               // driver callbacks of this channel in progress
  bool service_posted_ = false;
  bool service_wanted_ = false;
  Guid active_instance_{};

  // Rings (guest-donated memory)
  std::unique_ptr<ring::FlatRingMemory> out_mem_, in_mem_;
  std::unique_ptr<ring::RingWriter> out_writer_;
  std::unique_ptr<ring::RingReader> in_reader_;
  ring::ReadPacket scratch_;

  // Outgoing
  std::vector<std::unique_ptr<Packet>> packets_;
  Fifo<uint32_t> free_packets_;  // FIFO: freed objects sit out a quarantine before reuse
  std::deque<OutItem> send_queue_;
  std::deque<Packet*> pending_completions_;

  // GPADLs the driver created and has not deleted, by handle.
  struct GpadlRecord {
    std::vector<ring::GpaRange> ranges;
    bool read_only = false;
  };
  std::map<uint32_t, GpadlRecord> gpadls_;
  struct MappedGpadl {
    std::vector<ring::GpaRange> ranges;
    bool read_only = false;
    bool mapped = false;
    bool delete_pending = false;  // the guest deleted it while mapped
    void* mapping = nullptr;      // the shim's MDL
    void (*free_mapping)(void*) = nullptr;
  };
  void drop_guest_gpadls();
  std::map<uint32_t, MappedGpadl> guest_gpadls_;  // server side
  uint32_t next_gpadl_ = 0xE1E10;  // never reused within the channel's life (Q21)

  // Save / restore
  struct SaveContext {
    enum class Phase : uint8_t { None, Begun, Complete, Ended } phase = Phase::None;
    uint64_t save_id = 0;
    uint64_t parking_token = 0;  // where the guest connection waits once the channel is torn down
    Status failure = status::kSuccess;
    bool snapshot_taken = false;
    std::vector<std::vector<uint8_t>> chunks;
    size_t next_chunk = 0;
  } save_;
  struct RestoreContext {
    uint64_t save_id = 0;
    uint32_t next_sequence = 0, total = 0;
    bool complete = false;
    uint64_t parking_token = 0;
    // The saved packet EvtVmbChannelRestorePacket is rebuilding right now.
    const void* lib = nullptr;
    uint32_t lib_size = 0;
    const void* record = nullptr;  // its decoded save::PacketRecord
    Packet* restored = nullptr;
  } restore_;
  bool resuming_ = false;  // Enable of a restored channel: the saved connection comes back first
  std::unordered_map<uint64_t, Packet*> restored_txids_;  // transactions restored under their old ids

  // Incoming
  std::vector<std::unique_ptr<IncomingPacket>> incoming_;
  Fifo<uint32_t> free_incoming_;
  std::deque<IncomingPacket*> pending_incoming_;
  std::vector<IncomingPacket*> pending_deferred_;  // redelivered at PASSIVE by a later event
  size_t outstanding_ = 0;  // Delivering + Outstanding + Deferred

  friend class Simulation;
};

}  // namespace vmbsim
