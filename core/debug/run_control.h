// Ending a run from outside the simulation: SIGINT (Ctrl-C) and SIGTERM set a flag and nothing
// else (no SystemC calls in a signal handler); the models that run ahead of the kernel (the CPU)
// check it at their synchronisation points and stop the simulation cleanly, so the platform can
// still write its statistics. A second signal of the same kind ends the process at once.
#pragma once

#include <atomic>

namespace nvr::debug {

// Installs the handlers for SIGINT and SIGTERM (without SA_RESTART, so a blocking socket read of
// the GDB stub returns EINTR and notices the request).
void install_stop_signal_handlers();

namespace detail {
extern std::atomic<int> stop_signal_flag;
}

// The signal that asked the run to stop (SIGINT, SIGTERM), or 0.
int stop_signal();
// Cheap enough for every quantum boundary: one relaxed atomic load, inline.
inline bool stop_requested() { return detail::stop_signal_flag.load(std::memory_order_relaxed) != 0; }
// Asks for a stop as a signal would (tests, or a model that wants the run to end).
void request_stop(int signal);
// Back to "no stop requested" (tests).
void clear_stop_request();

}  // namespace nvr::debug
