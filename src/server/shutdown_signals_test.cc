#include "server/shutdown_signals.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace minivpc {
namespace {

TEST(ShutdownSignalsTest, TakesAProcessWideTerminationSignalOnItsOwnThread) {
  ShutdownSignals::Block();
  std::mutex mu;
  std::condition_variable cv;
  int got = 0;
  std::thread::id on;
  ShutdownSignals signals([&](int signo) {
    std::lock_guard lock(mu);
    got = signo;
    on = std::this_thread::get_id();
    cv.notify_all();
  });
  // Process-directed, as `kill` from a supervisor sends it: every thread
  // blocks it, so only the waiter's sigtimedwait can take it.
  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return got != 0; }));
  EXPECT_EQ(got, SIGTERM);
  EXPECT_NE(on, std::this_thread::get_id());
}

TEST(ShutdownSignalsTest, TheWaiterStopsWhenNoSignalCame) {
  ShutdownSignals::Block();
  bool called = false;
  auto t0 = std::chrono::steady_clock::now();
  {
    ShutdownSignals signals([&](int) { called = true; });
  }
  EXPECT_FALSE(called);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST(ShutdownSignalsTest, ASignalBeforeTheWaiterStartsIsKeptForIt) {
  ShutdownSignals::Block();
  ASSERT_EQ(kill(getpid(), SIGINT), 0);
  std::mutex mu;
  std::condition_variable cv;
  int got = 0;
  ShutdownSignals signals([&](int signo) {
    std::lock_guard lock(mu);
    got = signo;
    cv.notify_all();
  });
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return got != 0; }));
  EXPECT_EQ(got, SIGINT);
}

}  // namespace
}  // namespace minivpc
