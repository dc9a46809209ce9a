// The instruction trace writer (ip/cpu/rv32_trace.h): line format and the address-range and
// time-window filters (nvr::trace::address_range / time_window, shared with the bus trace).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "ip/cpu/rv32_trace.h"

namespace nvr::cpu {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;

TEST(insn_trace, line_format) {
  // addi sp,sp,-16 (c.addi16sp) and a 32-bit csrrw.
  EXPECT_EQ(insn_trace::format(1000, 0x80000010, 0x1141, disassemble(0x1141, 0x80000010),
                               {{"sp", 0x80fffff0}}, false),
            "1000 0x80000010 1141 addi sp,sp,-16 -> sp=0x80fffff0");
  const std::uint32_t csrrw = 0x30529073;  // csrw mtvec,t0
  EXPECT_EQ(insn_trace::format(0, 0x80000000, csrrw, disassemble(csrrw, 0x80000000), {{"mtvec", 0x80000100}},
                               false),
            "0 0x80000000 30529073 csrw mtvec,t0 -> mtvec=0x80000100");
  EXPECT_EQ(insn_trace::format(5, 0x80000004, 0x00100073, disassemble(0x00100073, 0x80000004), {}, true),
            "5 0x80000004 00100073 ebreak -> exception");
  EXPECT_EQ(insn_trace::format(7, 0x80000008, 0x0001, disassemble(0x0001, 0x80000008), {}, false),
            "7 0x80000008 0001 nop");
}

TEST(insn_trace, no_filter_passes_everything) {
  insn_trace trace("/dev/null", {});
  EXPECT_TRUE(trace.wants(0, sc_core::SC_ZERO_TIME));
  EXPECT_TRUE(trace.wants(0xfffffffe, sc_time(1, sc_core::SC_SEC)));
}

TEST(insn_trace, address_ranges) {
  insn_trace::options filters;
  filters.ranges = {{0x80000000, 0x80000100}, {0x80002000, 0x80002004}};
  insn_trace trace("/dev/null", filters);
  EXPECT_FALSE(trace.wants(0x7ffffffe, sc_core::SC_ZERO_TIME));
  EXPECT_TRUE(trace.wants(0x80000000, sc_core::SC_ZERO_TIME));
  EXPECT_TRUE(trace.wants(0x800000fe, sc_core::SC_ZERO_TIME));
  EXPECT_FALSE(trace.wants(0x80000100, sc_core::SC_ZERO_TIME));  // end exclusive
  EXPECT_TRUE(trace.wants(0x80002002, sc_core::SC_ZERO_TIME));
  EXPECT_FALSE(trace.wants(0x80002004, sc_core::SC_ZERO_TIME));
}

TEST(insn_trace, time_window) {
  insn_trace::options filters;
  filters.window.start = sc_time(10, SC_NS);
  filters.window.end = sc_time(20, SC_NS);
  insn_trace trace("/dev/null", filters);
  EXPECT_FALSE(trace.wants(0x80000000, sc_time(9, SC_NS)));
  EXPECT_TRUE(trace.wants(0x80000000, sc_time(10, SC_NS)));
  EXPECT_TRUE(trace.wants(0x80000000, sc_time(19, SC_NS)));
  EXPECT_FALSE(trace.wants(0x80000000, sc_time(20, SC_NS)));  // end exclusive
}

TEST(insn_trace, filters_from_the_option_parsers) {
  insn_trace::options filters;
  filters.ranges = {trace::parse_address_range("0x80000000:0x80001000")};
  filters.window =
      trace::parse_time_window("1us:", [](const std::string&) { return sc_time(1, sc_core::SC_US); });
  insn_trace trace("/dev/null", filters);
  EXPECT_FALSE(trace.wants(0x80000000, sc_time(999, SC_NS)));
  EXPECT_TRUE(trace.wants(0x80000ffe, sc_time(5, sc_core::SC_US)));
  EXPECT_FALSE(trace.wants(0x80001000, sc_time(5, sc_core::SC_US)));
}

TEST(insn_trace, writes_lines_after_a_header) {
  const std::string path = ::testing::TempDir() + "insn_trace_test.txt";
  {
    insn_trace trace(path, {});
    trace.record(3, 0x80000000, 0x00000513, disassemble(0x00000513, 0x80000000), {{"a0", 0}}, false);
    EXPECT_EQ(trace.lines(), 1u);
  }
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str(),
            "# nvr-vp instruction trace: time_ps pc word instruction -> registers written\n"
            "3 0x80000000 00000513 li a0,0 -> a0=0x00000000\n");
  std::remove(path.c_str());
}

TEST(insn_trace, unwritable_file_is_an_error) {
  EXPECT_THROW(insn_trace("/nonexistent/dir/trace.txt", {}), std::runtime_error);
}

}  // namespace
}  // namespace nvr::cpu
