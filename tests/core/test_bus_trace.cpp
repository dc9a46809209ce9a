// The bus trace: its line format, the address-range and time-window filters, the parsers of
// --trace-range and --trace-window with their errors, and an unwritable file.
#include <gtest/gtest.h>

#include <systemc>

#include "core/trace/bus_trace.h"
#include "tests/core/trace_test_support.h"

namespace {

using nvr::test::lines_of;
using nvr::test::read_file;
using nvr::test::temporary_path;
using nvr::trace::address_range;
using nvr::trace::bus_trace;
using nvr::trace::parse_address_range;
using nvr::trace::parse_time_window;
using sc_core::SC_NS;
using sc_core::sc_time;
using strings = std::vector<std::string>;

struct transaction {
  tlm::tlm_generic_payload payload;
  std::vector<unsigned char> data;
  transaction(tlm::tlm_command command, std::uint64_t address, std::vector<unsigned char> bytes,
              tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE)
      : data(std::move(bytes)) {
    payload.set_command(command);
    payload.set_address(address);
    payload.set_data_ptr(data.data());
    payload.set_data_length(static_cast<unsigned>(data.size()));
    payload.set_response_status(status);
  }
};

sc_time parse_ns(const std::string& text) {
  if (text.size() < 3 || text.substr(text.size() - 2) != "ns")
    throw std::invalid_argument("bad time " + text);
  return sc_time(std::stod(text.substr(0, text.size() - 2)), SC_NS);
}

strings body(const std::string& path) {
  strings lines = lines_of(read_file(path));
  lines.erase(
      std::remove_if(lines.begin(), lines.end(), [](const std::string& l) { return l.rfind("#", 0) == 0; }),
      lines.end());
  return lines;
}

TEST(bus_trace, lines_have_time_initiator_command_address_size_data_response) {
  temporary_path path(".txt");
  {
    bus_trace trace(path, {});
    transaction write(tlm::TLM_WRITE_COMMAND, 0x10000000, {0x41});
    trace.record(sc_time(1234, SC_NS), "soc.cpu.bus", write.payload);
    transaction read(tlm::TLM_READ_COMMAND, 0x80000004, {0x78, 0x56, 0x34, 0x12});
    trace.record(sc_time(2, SC_NS), "soc.cpu.bus", read.payload);
    transaction failed(tlm::TLM_READ_COMMAND, 0x30000000, {0, 0, 0, 0}, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    trace.record(sc_time(3, SC_NS), "soc.cpu.bus", failed.payload);
    transaction refused(tlm::TLM_WRITE_COMMAND, 0x02000000, {1, 0}, tlm::TLM_BURST_ERROR_RESPONSE);
    trace.record(sc_time(4, SC_NS), "soc.cpu.bus", refused.payload);
    transaction big(tlm::TLM_WRITE_COMMAND, 0x80001000, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    trace.record(sc_time(5, SC_NS), "soc.npu.dma", big.payload);
    transaction load(tlm::TLM_WRITE_COMMAND, 0x80000000, {0x13, 0, 0, 0});
    trace.record_debug("soc.debug", load.payload, 4);
    transaction partial(tlm::TLM_READ_COMMAND, 0x800000fe, {0, 0, 0, 0});
    trace.record_debug("soc.debug", partial.payload, 2);
    transaction wide(tlm::TLM_READ_COMMAND, 0x100000000ull, {1, 2, 3, 4, 5, 6, 7, 8});
    trace.record(sc_time(6, SC_NS), "x", wide.payload);
    EXPECT_EQ(trace.lines(), 8u);
    EXPECT_TRUE(trace.close());
  }
  const std::string text = read_file(path);
  EXPECT_EQ(text.rfind("# nvr-vp bus trace; time in units of 1 ps\n", 0), 0u) << text;
  EXPECT_EQ(body(path), (strings{
                            "1234000 soc.cpu.bus write 0x10000000 1 0x41 ok",
                            "2000 soc.cpu.bus read 0x80000004 4 0x12345678 ok",
                            "3000 soc.cpu.bus read 0x30000000 4 - address-error",
                            "4000 soc.cpu.bus write 0x02000000 2 0x0001 burst-error",
                            "5000 soc.npu.dma write 0x80001000 12 0001020304050607... ok",
                            "0 soc.debug dbg-write 0x80000000 4 0x00000013 ok",
                            "0 soc.debug dbg-read 0x800000fe 4 - short:2",
                            "6000 x read 0x0000000100000000 8 0x0807060504030201 ok",
                        }));
}

TEST(bus_trace, filters_select_address_ranges_and_a_time_window) {
  temporary_path path(".txt");
  bus_trace::options filters;
  filters.ranges = {{0x10000000, 0x10000100}, {0x2000000, 0x2010000}};
  filters.window.start = sc_time(10, SC_NS);
  filters.window.end = sc_time(20, SC_NS);
  bus_trace trace(path, filters);
  transaction uart(tlm::TLM_WRITE_COMMAND, 0x10000000, {0x41});
  transaction before_uart(tlm::TLM_WRITE_COMMAND, 0x0ffffffe, {1, 2, 3});  // its last byte is inside
  transaction past_uart(tlm::TLM_WRITE_COMMAND, 0x10000100, {1});          // END is exclusive
  transaction clint(tlm::TLM_READ_COMMAND, 0x0200bff8, {0, 0, 0, 0});
  transaction dram(tlm::TLM_READ_COMMAND, 0x80000000, {0, 0, 0, 0});
  trace.record(sc_time(10, SC_NS), "a", uart.payload);         // T0 is inside
  trace.record(sc_time(12, SC_NS), "a", before_uart.payload);  // overlaps
  trace.record(sc_time(12, SC_NS), "a", past_uart.payload);    // outside
  trace.record(sc_time(13, SC_NS), "a", clint.payload);        // second range
  trace.record(sc_time(14, SC_NS), "a", dram.payload);         // outside
  trace.record(sc_time(9, SC_NS), "a", uart.payload);          // before the window
  trace.record(sc_time(20, SC_NS), "a", uart.payload);         // T1 is exclusive
  trace.record_debug("d", uart.payload, 1);                    // debug at kernel time 0: outside
  trace.close();
  trace.record(sc_time(15, SC_NS), "a", uart.payload);  // after close: dropped
  EXPECT_EQ(body(path),
            (strings{"10000 a write 0x10000000 1 0x41 ok", "12000 a write 0x0ffffffe 3 0x030201 ok",
                     "13000 a read 0x0200bff8 4 0x00000000 ok"}));
}

TEST(bus_trace, address_ranges_parse_and_bad_ones_explain_the_syntax) {
  const address_range range = parse_address_range("0x10000000:0x10000100");
  EXPECT_EQ(range.start, 0x10000000u);
  EXPECT_EQ(range.end, 0x10000100u);
  EXPECT_EQ(parse_address_range("4096:8192").start, 4096u);
  for (const char* bad : {"", ":", "0x10", "0x10:", ":0x10", "x:y", "0x10:0x10", "0x20:0x10", "-1:5", "1:2:3",
                          "0x10 :0x20", "0x1g:0x20", "99999999999999999999:1"}) {
    try {
      parse_address_range(bad);
      ADD_FAILURE() << "'" << bad << "' was accepted";
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find(bad), std::string::npos) << error.what();
    }
  }
  try {
    parse_address_range("nonsense");
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("START:END"), std::string::npos) << error.what();
  }
}

TEST(bus_trace, time_windows_parse_with_open_ends_and_bad_ones_are_errors) {
  auto window = parse_time_window("10ns:20ns", parse_ns);
  EXPECT_EQ(window.start, sc_time(10, SC_NS));
  EXPECT_EQ(window.end, sc_time(20, SC_NS));
  window = parse_time_window("10ns:", parse_ns);
  EXPECT_EQ(window.end, sc_core::sc_max_time());
  window = parse_time_window(":5ns", parse_ns);
  EXPECT_EQ(window.start, sc_core::SC_ZERO_TIME);
  EXPECT_TRUE(window.contains(sc_time(4, SC_NS)));
  EXPECT_FALSE(window.contains(sc_time(5, SC_NS)));
  for (const char* bad : {"10ns", "20ns:10ns", "10ns:10ns", "1ns:2ns:3ns"})
    EXPECT_THROW(parse_time_window(bad, parse_ns), std::invalid_argument) << bad;
  EXPECT_THROW(parse_time_window("soon:", parse_ns), std::invalid_argument);  // the time parser's error
}

TEST(bus_trace, an_unwritable_file_is_an_error) {
  EXPECT_THROW(bus_trace("/nonexistent/dir/bus.txt", {}), std::runtime_error);
}

}  // namespace
