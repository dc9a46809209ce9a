// A GDB remote-serial-protocol stub over TCP (127.0.0.1 only), generic over the debugged block
// (core/debug/target.h). All-stop mode, one thread, one debugger at a time.
//
// Threading: none. The stub is driven by the debugged block's own SystemC thread: while the
// target runs, that thread calls poll() at its synchronisation points (non-blocking: a new
// connection or Ctrl-C asks for a halt); when the target stops, it calls stopped(), which serves
// packets in a blocking loop until the debugger resumes, steps, detaches or kills. Since SystemC
// runs every process in one host thread, nothing else in the simulation runs while stopped()
// blocks: simulated time stands still while the target is halted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/debug/rsp.h"
#include "core/debug/target.h"

namespace nvr::debug {

class gdb_server {
 public:
  // What the target does when stopped() returns.
  enum class command {
    resume,  // continue (also after a detach or a lost connection, without the debugger)
    step,    // execute one instruction, then call stopped() again
    kill,    // end the simulation (k, vKill, monitor quit, or a stop signal while halted)
  };
  // What poll() found while the target runs.
  enum class poll_result { none, halt, kill };

  struct counters {
    std::uint64_t packets = 0, bad_checksums = 0, errors = 0, unsupported = 0, oversized = 0, truncated = 0,
                  connections = 0;
  };

  // Listens on 127.0.0.1:port (0: a free port, see port()). Throws std::runtime_error when the
  // socket cannot be opened.
  gdb_server(target& debugged, std::uint16_t port);
  ~gdb_server();
  gdb_server(const gdb_server&) = delete;
  gdb_server& operator=(const gdb_server&) = delete;

  std::uint16_t port() const { return m_port; }
  bool connected() const { return m_connection >= 0; }
  const counters& statistics() const { return m_counters; }

  // Target running: accepts a pending connection and handles pending input, without blocking.
  poll_result poll();
  // Blocks until a debugger connects (--gdb-wait); false when a stop signal interrupted the wait.
  bool wait_for_connection();
  // Target stopped: sends the stop reply if the debugger waits for one, then serves packets until
  // the debugger lets the target go.
  command stopped(const stop_event& event);
  // The run is over: the exit code to a debugger waiting for the target ('W'), then close.
  void exited(int code);

 private:
  enum class outcome { none, resume, step, kill, halt, detach };

  bool accept_connection();
  void close_connection();
  void detach();
  // Handles buffered and (blocking or not) newly received input until an outcome or, when not
  // blocking, until the input is exhausted.
  outcome serve(bool blocking, bool running);
  bool receive(bool blocking);
  outcome on_packet(const std::string& payload, bool running);
  void send_raw(const std::string& bytes);
  void reply(const std::string& payload);
  std::string error(const char* code);
  std::string stop_reply(const stop_event& event) const;

  // Packet handlers: the reply, and an outcome through `result`.
  std::string handle_query(const std::string& payload, outcome& result);
  std::string handle_v(const std::string& payload, outcome& result);
  std::string read_registers();
  std::string write_registers(const std::string& hex);
  std::string read_register(const std::string& args);
  std::string write_register(const std::string& args);
  std::string read_memory(const std::string& args);
  std::string write_memory(const std::string& args, bool binary);
  std::string breakpoint(const std::string& args, bool insert);
  std::string monitor(const std::string& hex_command, outcome& result);
  std::string resume(const std::string& args, bool with_signal, bool step, outcome& result);

  target& m_target;
  int m_listener = -1;
  int m_connection = -1;
  std::uint16_t m_port = 0;
  rsp_decoder m_decoder;
  std::string m_input;  // received, not yet decoded
  std::size_t m_input_pos = 0;
  std::string m_last_reply;  // for retransmission on '-'
  unsigned m_retransmits = 0;
  bool m_waiting_for_stop = false;  // the debugger resumed the target and waits for a stop reply
  bool m_swbreak = false, m_hwbreak = false;  // stop reasons the debugger understands
  stop_event m_last_stop;
  struct point {
    point_type type;
    std::uint64_t address, length;
  };
  std::vector<point> m_points;  // inserted through Z packets: removed on detach
  counters m_counters;
};

}  // namespace nvr::debug
