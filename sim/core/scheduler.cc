#include "sim/core/scheduler.h"

#include <memory>

#include <boost/asio/post.hpp>

namespace vmbsim {

void Scheduler::run_function(void* fn) {
  std::unique_ptr<std::function<void()>> owned(static_cast<std::function<void()>*>(fn));
  (*owned)();
}

Scheduler::RunQueue::~RunQueue() {
  // Events never run still own their std::function.
  while (!empty()) {
    Event e = pop();
    if (e.fn == &Scheduler::run_function) delete static_cast<std::function<void()>*>(e.arg);
  }
}


// One simulation is driven by one thread, so the io_context needs no internal locking.
Scheduler::Scheduler() : io_(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE), work_(io_.get_executor()) {}

void Scheduler::post_after(VirtualTime delay_ns, std::function<void()> fn) {
  if (delay_ns < 0) delay_ns = 0;
  timers_.push(Timer{now_ + delay_ns, timer_seq_++, std::move(fn)});
}

void Scheduler::run_batch(size_t max) {
  auto drain = [this, max] {
    for (size_t n = 0; n < max && !queue_.empty(); ++n) run_one_now();
  };
  using Handler = PooledHandler<decltype(drain)>;
  boost::asio::post(io_, Handler{drain, &pool_});
  // The work guard keeps poll() from stopping the io_context when it runs dry; nested calls
  // (a blocking KMCL call inside an event) are supported by asio.
  io_.poll();
}

void Scheduler::run_one_now() {
  Event e = queue_.pop();
  ++events_run_;
  e.fn(e.arg);
}

bool Scheduler::fire_next_timer(std::optional<VirtualTime> limit, bool nested) {
  if (timers_.empty()) return false;
  if (limit && timers_.top().due > *limit) return false;
  // Copy out before popping: the callback may add timers.
  Timer t = timers_.top();
  timers_.pop();
  if (t.due > now_) now_ = t.due;
  post(std::move(t.fn));
  if (nested)
    run_one_now();
  else
    run_batch(1);
  return true;
}

bool Scheduler::step() {
  if (!queue_.empty()) {
    run_batch(1);
    return true;
  }
  return fire_next_timer(std::nullopt);
}

size_t Scheduler::run_until_idle() {
  uint64_t start = events_run_;
  for (;;) {
    if (!queue_.empty()) {
      run_batch(SIZE_MAX);
      continue;
    }
    if (!fire_next_timer(std::nullopt)) break;
  }
  return static_cast<size_t>(events_run_ - start);
}

size_t Scheduler::run_for(VirtualTime duration_ns) {
  uint64_t start = events_run_;
  VirtualTime end = now_ + (duration_ns < 0 ? 0 : duration_ns);
  for (;;) {
    if (!queue_.empty()) {
      run_batch(SIZE_MAX);
      continue;
    }
    if (!fire_next_timer(end)) break;
  }
  if (now_ < end) now_ = end;
  return static_cast<size_t>(events_run_ - start);
}

Scheduler::WaitResult Scheduler::run_until(const std::function<bool()>& done,
                                           std::optional<VirtualTime> deadline) {
  for (;;) {
    if (done()) return WaitResult::Satisfied;
    if (deadline && now_ >= *deadline) return WaitResult::TimedOut;
    // One event at a time: the condition must be re-checked after each. A blocking call is
    // made from inside an event (or from the test's own code), so the event runs right here,
    // nested, instead of through another asio operation.
    if (!queue_.empty()) {
      run_one_now();
      continue;
    }
    if (fire_next_timer(deadline, /*nested=*/true)) continue;
    if (deadline) {
      // Nothing can happen before the deadline: time passes and the wait times out.
      now_ = *deadline;
      return done() ? WaitResult::Satisfied : WaitResult::TimedOut;
    }
    return WaitResult::Idle;
  }
}

}  // namespace vmbsim
