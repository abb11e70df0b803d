// Deterministic virtual time on one Boost.Asio event loop.
//
// The io_context is the loop. Simulation events (interrupts, callbacks, host actions) sit in
// a FIFO run queue that the loop drains through one asio handler per batch: asio charges two
// atomic operations and an operation object per post, which for per-packet interrupts would be
// a third of a whole KMCL transaction, so events are queued here and asio runs them in bulk.
// Timers live in a heap keyed by (virtual time, sequence number) so equal deadlines fire in
// the order they were set. When no event is ready, time jumps to the earliest timer.
// Everything happens on the thread that drives the simulation, so a run is reproducible.
//
// Blocking KMCL calls (synchronous request, pause, disable) are modelled by run_until():
// a nested pump that runs other events until a condition holds. Asio supports nested
// poll() on the same thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <type_traits>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "sim/core/fifo.h"
#include "sim/core/handler_pool.h"

namespace vmbsim {

// Virtual nanoseconds since the simulation started.
using VirtualTime = int64_t;

class Scheduler {
 public:
  Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  VirtualTime now() const { return now_; }

  // Queues `fn` to run after everything already queued, at the current virtual time.
  void post(std::function<void()> fn) {
    queue_.push(Event{&run_function, new std::function<void()>(std::move(fn))});
  }
  // The same for a member function call, without any allocation (the per-packet path:
  // interrupts between guest and host).
  template <auto Method, typename T>
  void post(T* object) {
    queue_.push(Event{[](void* p) { (static_cast<T*>(p)->*Method)(); }, object});
  }
  // Runs `fn` at now() + delay_ns (delay_ns >= 0).
  void post_after(VirtualTime delay_ns, std::function<void()> fn);

  // Runs one event (advancing time to the next timer if nothing is ready). False if idle.
  bool step();
  // Runs until no event and no timer is left. Returns the number of events run.
  size_t run_until_idle();
  // Runs events due within the next duration_ns, then sets the clock to now + duration_ns.
  size_t run_for(VirtualTime duration_ns);

  enum class WaitResult { Satisfied, TimedOut, Idle };
  // Nested pump for blocking calls: runs events until done() holds (Satisfied), the virtual
  // deadline passes (TimedOut), or nothing is left that could ever make done() true (Idle).
  WaitResult run_until(const std::function<bool()>& done, std::optional<VirtualTime> deadline);

  uint64_t events_run() const { return events_run_; }
  bool idle() const { return queue_.empty() && timers_.empty(); }

 private:
  struct Event {
    void (*fn)(void*);
    void* arg;
  };
  static void run_function(void* fn);

  // Events not yet run; those posted as std::function own a heap copy of it.
  class RunQueue : public Fifo<Event> {
   public:
    ~RunQueue();
  };

  struct Timer {
    VirtualTime due;
    uint64_t seq;
    std::function<void()> fn;
  };
  struct Later {
    bool operator()(const Timer& a, const Timer& b) const {
      return a.due != b.due ? a.due > b.due : a.seq > b.seq;
    }
  };

  // Runs up to `max` queued events from inside the asio loop.
  void run_batch(size_t max);
  void run_one_now();
  bool fire_next_timer(std::optional<VirtualTime> limit, bool nested = false);

  HandlerPool pool_;  // declared before io_: pending handlers are freed into it on destruction
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  RunQueue queue_;
  std::priority_queue<Timer, std::vector<Timer>, Later> timers_;
  VirtualTime now_ = 0;
  uint64_t timer_seq_ = 0;
  uint64_t events_run_ = 0;
};

}  // namespace vmbsim
