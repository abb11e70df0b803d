// Virtual time and determinism of the event loop.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/core/scheduler.h"

namespace vmbsim {
namespace {

TEST(Scheduler, RunsPostedEventsInFifoOrder) {
  Scheduler s;
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) s.post([&order, i] { order.push_back(i); });
  EXPECT_EQ(s.run_until_idle(), 5u);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(s.idle());
}

TEST(Scheduler, EventsPostedByEventsRunAfterTheQueuedOnes) {
  Scheduler s;
  std::vector<std::string> order;
  s.post([&] {
    order.push_back("a");
    s.post([&] { order.push_back("c"); });
  });
  s.post([&] { order.push_back("b"); });
  s.run_until_idle();
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(Scheduler, TimersFireInDeadlineThenInsertionOrder) {
  Scheduler s;
  std::vector<int> order;
  s.post_after(300, [&] { order.push_back(3); });
  s.post_after(100, [&] { order.push_back(1); });
  s.post_after(100, [&] { order.push_back(2); });
  s.run_until_idle();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(s.now(), 300);
}

TEST(Scheduler, RunForStopsAtTheDurationAndAdvancesTheClock) {
  Scheduler s;
  int fired = 0;
  s.post_after(50, [&] { ++fired; });
  s.post_after(150, [&] { ++fired; });
  s.run_for(100);
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(s.now(), 100);
  s.run_for(100);
  EXPECT_EQ(fired, 2);
  EXPECT_EQ(s.now(), 200);
}

TEST(Scheduler, StepRunsOneEventAtATime) {
  Scheduler s;
  int n = 0;
  s.post([&] { ++n; });
  s.post_after(10, [&] { ++n; });
  EXPECT_TRUE(s.step());
  EXPECT_EQ(n, 1);
  EXPECT_EQ(s.now(), 0);
  EXPECT_TRUE(s.step());
  EXPECT_EQ(n, 2);
  EXPECT_EQ(s.now(), 10);
  EXPECT_FALSE(s.step());
}

TEST(Scheduler, NestedWaitIsSatisfiedByLaterEvents) {
  Scheduler s;
  bool done = false;
  Scheduler::WaitResult r{};
  s.post([&] { r = s.run_until([&] { return done; }, std::nullopt); });
  s.post([&] { done = true; });
  s.run_until_idle();
  EXPECT_EQ(r, Scheduler::WaitResult::Satisfied);
}

TEST(Scheduler, NestedWaitTimesOutInVirtualTime) {
  Scheduler s;
  Scheduler::WaitResult r{};
  s.post([&] { r = s.run_until([] { return false; }, s.now() + 1000); });
  s.run_until_idle();
  EXPECT_EQ(r, Scheduler::WaitResult::TimedOut);
  EXPECT_EQ(s.now(), 1000);
}

TEST(Scheduler, NestedWaitThatNothingCanSatisfyReportsIdle) {
  Scheduler s;
  EXPECT_EQ(s.run_until([] { return false; }, std::nullopt), Scheduler::WaitResult::Idle);
}

TEST(Scheduler, NestedWaitFiresTimersBeforeItsDeadline) {
  Scheduler s;
  bool done = false;
  s.post_after(500, [&] { done = true; });
  EXPECT_EQ(s.run_until([&] { return done; }, 1000), Scheduler::WaitResult::Satisfied);
  EXPECT_EQ(s.now(), 500);
}

TEST(Scheduler, QueueGrowsBeyondItsInitialCapacityInOrder) {
  Scheduler s;
  std::vector<int> order;
  for (int i = 0; i < 1000; ++i) s.post([&order, i] { order.push_back(i); });
  s.run_until_idle();
  ASSERT_EQ(order.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(order[i], i);
}

struct Counter {
  int n = 0;
  void bump() { ++n; }
};

TEST(Scheduler, MemberPostsInterleaveWithFunctionPosts) {
  Scheduler s;
  Counter c;
  std::vector<int> seen;
  s.post<&Counter::bump>(&c);
  s.post([&] { seen.push_back(c.n); });
  s.post<&Counter::bump>(&c);
  s.run_until_idle();
  EXPECT_EQ(c.n, 2);
  EXPECT_EQ(seen, (std::vector<int>{1}));
}

TEST(Scheduler, UnrunEventsAreReleasedAtDestruction) {
  // Under ASan this fails if a queued std::function leaks.
  auto* s = new Scheduler;
  s->post([big = std::vector<int>(100, 1)] { (void)big; });
  s->post_after(10, [] {});
  delete s;
}

}  // namespace
}  // namespace vmbsim
