// Helpers for the models' unit tests: an initiator that issues transactions with a given delay
// from its own SC_THREAD, a monitor that records every change of a bool signal with its simulated
// time, and SystemC warnings and errors turned into test failures.
#pragma once

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <utility>
#include <vector>

namespace nvr::test {

// SystemC reports of severity warning and above fail the running test.
class systemc_reports_fail_tests : public ::testing::Environment {
 public:
  void SetUp() override { sc_core::sc_report_handler::set_handler(&handler); }

 private:
  static void handler(const sc_core::sc_report& report, const sc_core::sc_actions& actions) {
    if (report.get_severity() >= sc_core::SC_WARNING)
      ADD_FAILURE() << "SystemC report: " << report.get_msg_type() << ": " << report.get_msg();
    sc_core::sc_report_handler::default_handler(report, actions);
  }
};

inline ::testing::Environment* const systemc_reports_environment =
    ::testing::AddGlobalTestEnvironment(new systemc_reports_fail_tests);

inline sc_core::sc_time ns(double value) { return sc_core::sc_time(value, sc_core::SC_NS); }

class initiator : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(initiator);

  tlm_utils::simple_initiator_socket<initiator, 32> out{"out"};

  struct response {
    tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
    std::uint64_t data = 0;
    sc_core::sc_time delay;  // the delay after the transaction (what the target added)
    bool ok() const { return status == tlm::TLM_OK_RESPONSE; }
  };

  // DMI invalidations received: (start, end).
  std::vector<std::pair<std::uint64_t, std::uint64_t>> invalidations;

  explicit initiator(const sc_core::sc_module_name& name) : sc_module(name) {
    out.register_invalidate_direct_mem_ptr(this, &initiator::invalidate);
    SC_THREAD(thread);
  }

  // The test's body, run in this module's SC_THREAD at time zero (so the targets can be called
  // with a delay, and the body may wait()).
  void run(std::function<void()> body) { m_body = std::move(body); }

  // A transaction of `size` bytes (little-endian value), started with `delay` as the initiator's
  // local time offset.
  response transport(tlm::tlm_command command, std::uint64_t address, std::uint8_t* data, unsigned size,
                     const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME,
                     unsigned char* byte_enables = nullptr, unsigned byte_enable_length = 0,
                     unsigned streaming_width = 0) {
    tlm::tlm_generic_payload payload;
    payload.set_command(command);
    payload.set_address(address);
    payload.set_data_ptr(data);
    payload.set_data_length(size);
    payload.set_streaming_width(streaming_width != 0 ? streaming_width : size);
    payload.set_byte_enable_ptr(byte_enables);
    payload.set_byte_enable_length(byte_enable_length);
    payload.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time local = delay;
    out->b_transport(payload, local);
    response result;
    result.status = payload.get_response_status();
    result.delay = local;
    return result;
  }

  response read(std::uint64_t address, unsigned size, const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME) {
    std::uint8_t bytes[8] = {};
    response result = transport(tlm::TLM_READ_COMMAND, address, bytes, size, delay);
    for (unsigned i = 0; i < size && i < 8; ++i)
      result.data |= static_cast<std::uint64_t>(bytes[i]) << (8 * i);
    return result;
  }

  response write(std::uint64_t address, std::uint64_t value, unsigned size,
                 const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME) {
    std::uint8_t bytes[8] = {};
    for (unsigned i = 0; i < size && i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (8 * i));
    return transport(tlm::TLM_WRITE_COMMAND, address, bytes, size, delay);
  }

  unsigned debug(tlm::tlm_command command, std::uint64_t address, std::uint8_t* data, unsigned size) {
    tlm::tlm_generic_payload payload;
    payload.set_command(command);
    payload.set_address(address);
    payload.set_data_ptr(data);
    payload.set_data_length(size);
    payload.set_streaming_width(size);
    return out->transport_dbg(payload);
  }

  bool get_dmi(std::uint64_t address, tlm::tlm_dmi& dmi, tlm::tlm_command command = tlm::TLM_READ_COMMAND) {
    tlm::tlm_generic_payload payload;
    payload.set_command(command);
    payload.set_address(address);
    dmi.init();
    return out->get_direct_mem_ptr(payload, dmi);
  }

 private:
  void thread() {
    if (m_body) m_body();
  }
  void invalidate(sc_dt::uint64 start, sc_dt::uint64 end) { invalidations.emplace_back(start, end); }

  std::function<void()> m_body;
};

// A bare SC_THREAD running a test body (for tests that need time but no socket).
class script : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(script);
  script(const sc_core::sc_module_name& name, std::function<void()> body)
      : sc_module(name), m_body(std::move(body)) {
    SC_THREAD(thread);
  }

 private:
  void thread() { m_body(); }
  std::function<void()> m_body;
};

// Records (time, value) of every change of a bool signal, after the initial value.
class line_monitor : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(line_monitor);

  sc_core::sc_in<bool> line{"line"};
  std::vector<std::pair<sc_core::sc_time, bool>> changes;

  line_monitor(const sc_core::sc_module_name& name, sc_core::sc_signal_in_if<bool>& signal)
      : sc_module(name) {
    line.bind(signal);
    SC_METHOD(sample);
    sensitive << line;
    dont_initialize();
  }

  // Times at which the line rose.
  std::vector<sc_core::sc_time> rises() const {
    std::vector<sc_core::sc_time> result;
    for (const auto& [time, value] : changes)
      if (value) result.push_back(time);
    return result;
  }

 private:
  void sample() { changes.emplace_back(sc_core::sc_time_stamp(), line.read()); }
};

}  // namespace nvr::test
