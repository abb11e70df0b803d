#include "sim/core/scheduler.h"

namespace vmbsim {

// One simulation is driven by one thread, so the io_context needs no internal locking.
Scheduler::Scheduler() : io_(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE), work_(io_.get_executor()) {}

void Scheduler::post_after(VirtualTime delay_ns, std::function<void()> fn) {
  if (delay_ns < 0) delay_ns = 0;
  timers_.push(Timer{now_ + delay_ns, timer_seq_++, std::move(fn)});
}

bool Scheduler::run_ready_one() {
  // The counter lets us skip poll_one when nothing is queued; it is decremented before the
  // handler runs so that a nested pump inside the handler sees the right number.
  if (ready_ == 0) return false;
  --ready_;
  // The work guard keeps poll_one from stopping the io_context when it runs dry.
  io_.poll_one();
  ++events_run_;
  return true;
}

bool Scheduler::fire_next_timer(std::optional<VirtualTime> limit) {
  if (timers_.empty()) return false;
  if (limit && timers_.top().due > *limit) return false;
  // Copy out before popping: the callback may add timers.
  Timer t = timers_.top();
  timers_.pop();
  if (t.due > now_) now_ = t.due;
  ++events_run_;
  t.fn();
  return true;
}

bool Scheduler::step() { return run_ready_one() || fire_next_timer(std::nullopt); }

size_t Scheduler::run_until_idle() {
  uint64_t start = events_run_;
  while (step()) {
  }
  return static_cast<size_t>(events_run_ - start);
}

size_t Scheduler::run_for(VirtualTime duration_ns) {
  uint64_t start = events_run_;
  VirtualTime end = now_ + (duration_ns < 0 ? 0 : duration_ns);
  while (run_ready_one() || fire_next_timer(end)) {
  }
  if (now_ < end) now_ = end;
  return static_cast<size_t>(events_run_ - start);
}

Scheduler::WaitResult Scheduler::run_until(const std::function<bool()>& done,
                                           std::optional<VirtualTime> deadline) {
  for (;;) {
    if (done()) return WaitResult::Satisfied;
    if (deadline && now_ >= *deadline) return WaitResult::TimedOut;
    if (run_ready_one()) continue;
    if (fire_next_timer(deadline)) continue;
    if (deadline) {
      // Nothing can happen before the deadline: time passes and the wait times out.
      now_ = *deadline;
      return done() ? WaitResult::Satisfied : WaitResult::TimedOut;
    }
    return WaitResult::Idle;
  }
}

}  // namespace vmbsim
