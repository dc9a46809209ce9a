#include "core/debug/run_control.h"

#include <csignal>

namespace nvr::debug {

std::atomic<int> detail::stop_signal_flag{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free flag");

namespace {

extern "C" void on_stop_signal(int signal) {
  // SA_RESETHAND restored the default action: a second Ctrl-C ends the process at once.
  detail::stop_signal_flag.store(signal, std::memory_order_relaxed);
}

}  // namespace

void install_stop_signal_handlers() {
  struct sigaction action = {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // no SA_RESTART: blocking reads return EINTR
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int stop_signal() { return detail::stop_signal_flag.load(std::memory_order_relaxed); }
void request_stop(int signal) { detail::stop_signal_flag.store(signal, std::memory_order_relaxed); }
void clear_stop_request() { detail::stop_signal_flag.store(0, std::memory_order_relaxed); }

}  // namespace nvr::debug
