#include "server/shutdown_signals.h"

#include <pthread.h>
#include <signal.h>

#include <ctime>

namespace minivpc {
namespace {

sigset_t Set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void ShutdownSignals::Block() {
  sigset_t set = Set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ShutdownSignals::ShutdownSignals(std::function<void(int)> on_signal)
    : waiter_([this, fn = std::move(on_signal)] {
        const sigset_t set = Set();
        const timespec poll{0, 100 * 1000 * 1000};
        while (!closing_.load(std::memory_order_acquire)) {
          int signo = sigtimedwait(&set, nullptr, &poll);
          if (signo > 0) return fn(signo);
          // EAGAIN: the poll ran out; EINTR: another signal; both wait again.
        }
      }) {}

ShutdownSignals::~ShutdownSignals() {
  closing_.store(true, std::memory_order_release);
  waiter_.join();
}

}  // namespace minivpc
