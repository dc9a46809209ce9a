// The bus trace: one text line per bus transaction (initiator, command, address, size, data,
// response, simulated time), filtered by address ranges and a time window. The bus model calls
// record(); the trace decides whether the transaction passes the filters and writes it.
//
// File format (space-separated fields; lines starting with '#' are comments):
//   TIME INITIATOR COMMAND ADDRESS SIZE DATA RESPONSE
//   TIME       the initiator's local time (sc_time_stamp() + delay) in kernel units (ps)
//   COMMAND    read, write, ignore; dbg-read, dbg-write for debug transport (no time, no effect)
//   ADDRESS    0x-prefixed hex, at least 8 digits
//   DATA       up to 8 bytes: 0x + the little-endian value, 2 hex digits per byte; longer
//              transfers: their first 8 bytes in address order, then "..."; "-" for failed reads
//   RESPONSE   ok, address-error, command-error, burst-error, byte-enable-error, generic-error,
//              incomplete; debug transport: ok, or short:N when only N bytes were transferred
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

namespace nvr::trace {

// [start, end): a transaction passes when any of its bytes lies inside.
struct address_range {
  std::uint64_t start = 0;
  std::uint64_t end = ~std::uint64_t{0};
  bool overlaps(std::uint64_t address, std::uint64_t size) const {
    const std::uint64_t last = address + (size == 0 ? 0 : size - 1);
    return address < end && last >= start;
  }
};

// [start, end) of simulated time.
struct time_window {
  sc_core::sc_time start = sc_core::SC_ZERO_TIME;
  sc_core::sc_time end = sc_core::sc_max_time();
  bool contains(const sc_core::sc_time& t) const { return t >= start && t < end; }
};

// "START:END" with END exclusive, each a C-style integer (0x10000000, 4096). Throws
// std::invalid_argument with a message that explains the syntax.
address_range parse_address_range(const std::string& text);
// "T0:T1" (either side may be empty: "10us:", ":1ms"), times read by `parse_time`, T1 exclusive.
// Throws std::invalid_argument; exceptions of `parse_time` pass through.
time_window parse_time_window(const std::string& text,
                              const std::function<sc_core::sc_time(const std::string&)>& parse_time);

// The filters of --trace-range and --trace-window, shared by every trace (bus, instructions): a
// record passes when its time lies in the window and, if there are ranges, its bytes overlap one.
struct filters {
  std::vector<address_range> ranges;  // empty: every address
  time_window window;
  bool passes(const sc_core::sc_time& at, std::uint64_t address, std::uint64_t size) const {
    if (!window.contains(at)) return false;
    if (ranges.empty()) return true;
    for (const address_range& range : ranges)
      if (range.overlaps(address, size)) return true;
    return false;
  }
};

class bus_trace {
 public:
  using options = filters;

  // Opens `path` for writing (std::runtime_error when it cannot).
  bus_trace(const std::string& path, const options& filters);
  ~bus_trace();  // close()
  bus_trace(const bus_trace&) = delete;
  bus_trace& operator=(const bus_trace&) = delete;

  // A b_transport at the initiator's local time `at`, after the target answered.
  void record(const sc_core::sc_time& at, const std::string& initiator,
              const tlm::tlm_generic_payload& payload);
  // A transport_dbg that moved `transferred` bytes.
  void record_debug(const std::string& initiator, const tlm::tlm_generic_payload& payload,
                    unsigned transferred);

  // Flushes and closes the file; later records are dropped. Idempotent. Returns false when
  // writing the file failed.
  bool close();

  const std::string& path() const { return m_path; }
  std::uint64_t lines() const { return m_lines; }
  void flush() { m_file.flush(); }

 private:
  bool passes(const sc_core::sc_time& at, const tlm::tlm_generic_payload& payload) const;
  void write(const sc_core::sc_time& at, const std::string& initiator, const char* command,
             const tlm::tlm_generic_payload& payload, bool data_valid, const std::string& response);

  std::ofstream m_file;
  std::string m_path;
  options m_filters;
  std::string m_line;
  std::uint64_t m_lines = 0;
  bool m_written = true;
};

}  // namespace nvr::trace
