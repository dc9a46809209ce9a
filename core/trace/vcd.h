// VCD timelines that keep annotated times. A model declares `trace::signal` members (name, width,
// group) and calls `record(time, value)` with the exact simulated time of each change, which may
// lie ahead of the kernel (an initiator's local time, sc_time_stamp() + delay). A `vcd_writer`
// enables the signals of the selected groups, buffers their changes and writes them to the file
// in time order. A signal whose group is not traced costs one predictable branch per record().
//
// Ordering rule (what makes the buffered flush correct): a record's time is never earlier than
// the kernel time at the moment record() is called, because local times are sc_time_stamp() plus a
// non-negative delay. So every change earlier than the current kernel time has already been
// recorded, and the writer may emit everything before sc_time_stamp() for good. Changes at or
// after it stay buffered, however out of order they arrive (across signals, across initiators).
// A record that breaks the rule (earlier than what was already written) is moved to the earliest
// time still open and counted in late_records().
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <systemc>
#include <vector>

namespace nvr::trace {

class vcd_writer;

// How GTKWave shows a signal (the .gtkw save file); automatic = binary for 1 bit, hex otherwise.
enum class format { automatic, binary, hex, decimal };

// One traced value of 1..64 bits. Registers itself on construction (its full name must be unique
// while it lives) and unregisters on destruction. Not copyable.
class signal {
 public:
  // Named "<owner's SystemC name>.<name>", e.g. soc.uart0.tx.
  signal(const sc_core::sc_object& owner, const std::string& name, unsigned width, std::string group,
         format display = format::automatic, std::uint64_t initial = 0);
  signal(std::string full_name, unsigned width, std::string group, format display = format::automatic,
         std::uint64_t initial = 0);
  ~signal();
  signal(const signal&) = delete;
  signal& operator=(const signal&) = delete;

  // The signal has `value` from simulated time `at` on (`at` >= sc_time_stamp()).
  void record(const sc_core::sc_time& at, std::uint64_t value) {
    if (__builtin_expect(m_writer != nullptr, 0)) forward(at, value);
  }
  // A strobe: 1 at `at`, back to 0 pulse_width() later (for 1-bit event signals); strobes less
  // than pulse_width() apart merge into one longer pulse.
  void pulse(const sc_core::sc_time& at) {
    if (__builtin_expect(m_writer != nullptr, 0)) forward_pulse(at);
  }
  static sc_core::sc_time pulse_width() { return sc_core::sc_time(1, sc_core::SC_NS); }

  bool enabled() const { return m_writer != nullptr; }
  const std::string& name() const { return m_name; }
  const std::string& group() const { return m_group; }
  unsigned width() const { return m_width; }
  format display() const { return m_display; }
  std::uint64_t initial() const { return m_initial; }

  // Every live signal, in construction order.
  static const std::vector<signal*>& all();

 private:
  friend class vcd_writer;
  void forward(const sc_core::sc_time& at, std::uint64_t value);
  void forward_pulse(const sc_core::sc_time& at);

  vcd_writer* m_writer = nullptr;  // set while a writer traces this signal
  unsigned m_index = 0;            // the writer's index of this signal
  std::string m_name;
  std::string m_group;
  unsigned m_width;
  format m_display;
  std::uint64_t m_initial;
};

// Writes the changes of the signals of some groups as a VCD file (IEEE 1364 section 18): one
// $scope module per level of the dotted names, timescale = the kernel's resolution, times in
// kernel units, initial values at #0. With `save_file` non-empty it also writes a GTKWave save
// file that opens the VCD with one group block per traced group.
class vcd_writer {
 public:
  struct options {
    std::vector<std::string> groups;     // empty: every group that exists
    std::string save_file;               // GTKWave .gtkw; empty: none
    std::string version = "nvr-vp";      // for $version
    std::size_t buffer_limit = 1 << 16;  // buffered changes that trigger a flush attempt
  };

  // Enables the signals of the selected groups and writes the header. Throws
  // std::invalid_argument for a group no signal belongs to, std::runtime_error when a file
  // cannot be written. Signals constructed later are not traced.
  vcd_writer(const std::string& path, const options& settings);
  ~vcd_writer();  // close()
  vcd_writer(const vcd_writer&) = delete;
  vcd_writer& operator=(const vcd_writer&) = delete;

  // Writes every buffered change, a final timestamp (the later of the kernel time and the last
  // change) and closes the file; detaches the signals. Idempotent. Returns false when writing the
  // file failed (e.g. a full disk).
  bool close();

  // Writes the buffered changes earlier than the kernel's current time.
  void flush();

  // Every group some live signal belongs to, in order of first appearance.
  static std::vector<std::string> available_groups();

  const std::string& path() const { return m_path; }
  const std::vector<std::string>& groups() const { return m_groups; }
  std::size_t traced_signals() const { return m_signals.size(); }
  std::uint64_t changes_written() const { return m_changes_written; }
  std::uint64_t late_records() const { return m_late; }
  std::size_t buffered() const { return m_buffer.size(); }

  // The VCD identifier code of the n-th traced signal: "!", "\"", ... "~", "!!", "\"!", ...
  static std::string identifier(std::size_t n);

 private:
  friend class signal;
  struct change {
    std::uint64_t time;      // kernel units
    std::uint64_t sequence;  // record order, for ties
    std::uint32_t index;     // signal
    std::uint64_t value;
  };
  struct traced {
    signal* source;
    std::string code;
    std::uint64_t mask;
    std::uint64_t current;  // value written last
    std::uint64_t staged = 0;
    bool touched = false;
  };

  void record(unsigned index, const sc_core::sc_time& at, std::uint64_t value);
  void write_header();
  void write_save_file(const std::string& path, const std::string& vcd_path) const;
  void emit_until(std::uint64_t horizon);  // writes every change with time < horizon
  void write_value(const traced& t, std::uint64_t value);
  void detach();

  std::ofstream m_file;
  std::string m_path;
  options m_options;
  std::vector<std::string> m_groups;
  std::vector<traced> m_signals;
  std::vector<change> m_buffer;
  std::vector<std::uint32_t> m_touched;
  std::string m_line;
  std::size_t m_flush_at;
  std::uint64_t m_sequence = 0;
  std::uint64_t m_open_from = 0;  // every change before this time has been written
  std::uint64_t m_last_time = 0;  // the last #time in the file
  std::uint64_t m_changes_written = 0;
  std::uint64_t m_late = 0;
  bool m_open = false;
  bool m_written = true;  // no write failed
};

}  // namespace nvr::trace
