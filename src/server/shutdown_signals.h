// Shutdown on SIGINT/SIGTERM without an asynchronous signal handler.
//
// Block() masks both signals in the calling thread; every thread started
// after it inherits the mask, so the kernel keeps a signal pending until
// the one waiter thread takes it with sigtimedwait. That holds whatever
// the other threads are doing (Boost 1.74's signal_set, which this
// replaced, relies on a handler, a pipe and the reactor; once in a CI run
// a server did not act on SIGTERM within 20 s).
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace minivpc {

class ShutdownSignals {
 public:
  // Call before any thread starts (the mask is per thread, inherited).
  static void Block();

  // Starts the waiter; `on_signal(signo)` runs on it once, for the first
  // SIGINT or SIGTERM.
  explicit ShutdownSignals(std::function<void(int)> on_signal);
  // Stops the waiter (within its 100 ms poll) if no signal came; joins.
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

 private:
  std::atomic<bool> closing_{false};
  std::thread waiter_;
};

}  // namespace minivpc
