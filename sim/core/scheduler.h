// Deterministic virtual time on one Boost.Asio event loop.
//
// Ready work runs FIFO on an io_context driven with poll_one() (never blocking on the OS).
// Timers live in a heap keyed by (virtual time, sequence number) so equal deadlines fire in
// the order they were set. When no ready work is left, time jumps to the earliest timer.
// Everything happens on the thread that drives the simulation, so a run is reproducible.
//
// Blocking KMCL calls (synchronous request, pause, disable) are modelled by run_until():
// a nested pump that runs other events until a condition holds. Asio supports nested
// poll_one() on the same thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

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
  template <typename Fn>
  void post(Fn&& fn) {
    ++ready_;
    boost::asio::post(io_, std::forward<Fn>(fn));
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
  bool idle() const { return ready_ == 0 && timers_.empty(); }

 private:
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

  bool run_ready_one();
  bool fire_next_timer(std::optional<VirtualTime> limit);

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::priority_queue<Timer, std::vector<Timer>, Later> timers_;
  VirtualTime now_ = 0;
  uint64_t timer_seq_ = 0;
  uint64_t events_run_ = 0;
  uint64_t ready_ = 0;  // posted handlers not yet run
};

}  // namespace vmbsim
