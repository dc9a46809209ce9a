// The VCD writer: identifiers, scopes and widths in the header, changes recorded out of order at
// annotated times written in time order, the flush rule, late records, pulses, the GTKWave save
// file, and the errors (bad signals, unknown groups, unwritable files).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <systemc>

#include "core/trace/vcd.h"
#include "tests/core/trace_test_support.h"

namespace {

using nvr::test::read_file;
using nvr::test::temporary_path;
using nvr::test::vcd_body;
using nvr::trace::format;
using nvr::trace::signal;
using nvr::trace::vcd_writer;
using sc_core::SC_NS;
using sc_core::sc_time;
using strings = std::vector<std::string>;

sc_time ns(double value) { return sc_time(value, SC_NS); }

vcd_writer::options only(strings groups, std::string save_file = "") {
  vcd_writer::options settings;
  settings.groups = std::move(groups);
  settings.save_file = std::move(save_file);
  return settings;
}

// A module whose thread runs a body (records, waits), so records happen at kernel times.
struct runner : sc_core::sc_module {
  SC_HAS_PROCESS(runner);
  runner(const sc_core::sc_module_name& name, std::function<void()> body) : sc_module(name), m_body(body) {
    SC_THREAD(thread);
  }
  void thread() { m_body(); }
  std::function<void()> m_body;
};

TEST(vcd, identifiers_are_printable_and_distinct) {
  EXPECT_EQ(vcd_writer::identifier(0), "!");
  EXPECT_EQ(vcd_writer::identifier(93), "~");
  EXPECT_EQ(vcd_writer::identifier(94), "!!");
  EXPECT_EQ(vcd_writer::identifier(95), "\"!");
  std::set<std::string> seen;
  for (std::size_t n = 0; n < 20000; ++n) {
    const std::string code = vcd_writer::identifier(n);
    for (char c : code) ASSERT_TRUE(c >= '!' && c <= '~') << n;
    ASSERT_TRUE(seen.insert(code).second) << "identifier " << n << " repeats";
  }
}

TEST(vcd, bad_signals_are_rejected) {
  EXPECT_THROW(signal("", 1, "g"), std::invalid_argument);
  EXPECT_THROW(signal(".a", 1, "g"), std::invalid_argument);
  EXPECT_THROW(signal("a.", 1, "g"), std::invalid_argument);
  EXPECT_THROW(signal("a b", 1, "g"), std::invalid_argument);
  EXPECT_THROW(signal("a[0]", 1, "g"), std::invalid_argument);
  EXPECT_THROW(signal("a", 0, "g"), std::invalid_argument);
  EXPECT_THROW(signal("a", 65, "g"), std::invalid_argument);
  EXPECT_THROW(signal("a", 1, ""), std::invalid_argument);
  signal first("top.a", 1, "g");
  EXPECT_THROW(signal("top.a", 1, "g"), std::invalid_argument);
  EXPECT_EQ(signal::all().size(), 1u);
}

TEST(vcd, groups_are_listed_in_order_of_appearance_and_unknown_ones_rejected) {
  signal a("soc.cpu.state", 2, "cpu"), b("soc.irq_timer", 1, "irq"), c("soc.cpu.trap", 1, "cpu");
  EXPECT_EQ(vcd_writer::available_groups(), (strings{"cpu", "irq"}));
  temporary_path path(".vcd");
  try {
    vcd_writer writer(path, only({"cpu", "npu"}));
    FAIL() << "an unknown group was accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("unknown VCD signal group 'npu' (groups: cpu, irq)"),
              std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(a.enabled());
}

TEST(vcd, an_unwritable_file_is_an_error) {
  signal a("soc.a", 1, "g");
  EXPECT_THROW(vcd_writer("/nonexistent/dir/x.vcd", only({})), std::runtime_error);
  temporary_path path(".vcd");
  EXPECT_THROW(vcd_writer(path, only({}, "/nonexistent/dir/x.gtkw")), std::runtime_error);
  EXPECT_FALSE(a.enabled());  // a writer whose constructor failed traces nothing
}

TEST(vcd, header_has_one_scope_per_level_widths_and_initial_values) {
  signal state("soc.cpu.state", 2, "cpu", format::decimal, 1);
  signal irq("soc.irq_timer", 1, "irq", format::automatic, 1);
  signal data("soc.uart0.tx_data", 8, "uart");
  signal wide("soc.clint.mtimecmp", 64, "irq", format::hex, ~std::uint64_t{0});
  signal flat("lonely", 1, "irq");
  temporary_path path(".vcd");
  {
    vcd_writer writer(path, only({"irq", "cpu"}));
    EXPECT_EQ(writer.traced_signals(), 4u);  // not uart
    EXPECT_TRUE(state.enabled());
    EXPECT_FALSE(data.enabled());
    EXPECT_EQ(writer.groups(), (strings{"irq", "cpu"}));
  }
  const std::string text = read_file(path);
  EXPECT_NE(text.find("$timescale 1 ps $end"), std::string::npos);
  // Signals keep their construction order; scopes nest by the dotted names.
  const char* expected =
      "$scope module soc $end\n"
      "$var wire 1 \" irq_timer $end\n"
      "$scope module cpu $end\n"
      "$var wire 2 ! state [1:0] $end\n"
      "$upscope $end\n"
      "$scope module clint $end\n"
      "$var wire 64 # mtimecmp [63:0] $end\n"
      "$upscope $end\n"
      "$upscope $end\n"
      "$scope module top $end\n"
      "$var wire 1 $ lonely $end\n"
      "$upscope $end\n"
      "$enddefinitions $end\n"
      "#0\n"
      "$dumpvars\n"
      "b1 !\n"
      "1\"\n"
      "b1111111111111111111111111111111111111111111111111111111111111111 #\n"
      "0$\n"
      "$end\n";
  EXPECT_NE(text.find(expected), std::string::npos) << text;
  EXPECT_EQ(text.find("tx_data"), std::string::npos);
}

TEST(vcd, out_of_order_records_are_written_in_time_order) {
  signal a("top.a", 1, "g"), b("top.b", 8, "g");
  temporary_path path(".vcd");
  vcd_writer writer(path, only({}));
  runner r("r", [&] {
    // An initiator running ahead records later times first; another records at kernel time.
    a.record(ns(30), 1);
    b.record(ns(20), 0x5a);
    a.record(ns(10), 1);
    b.record(ns(10), 0x01);
    b.record(ns(10), 0x02);  // same signal, same time: the later record wins
    a.record(ns(40), 1);     // unchanged: not written
    b.record(ns(25), 0x5a);  // unchanged
    a.record(ns(20), 0);
    sc_core::wait(ns(50));
  });
  sc_core::sc_start();
  ASSERT_TRUE(writer.close());
  EXPECT_EQ(vcd_body(path), (strings{"#0", "$dumpvars", "0!", "b0 \"", "$end", "#10000", "1!", "b10 \"",
                                     "#20000", "b1011010 \"", "0!", "#30000", "1!", "#50000"}));
  EXPECT_EQ(writer.changes_written(), 5u);
  EXPECT_EQ(writer.late_records(), 0u);
  EXPECT_FALSE(a.enabled());    // detached by close
  EXPECT_TRUE(writer.close());  // idempotent
}

TEST(vcd, flush_writes_only_what_lies_before_the_kernel_time) {
  signal a("top.a", 4, "g");
  temporary_path path(".vcd");
  vcd_writer::options settings = only({});
  settings.buffer_limit = 1000;
  vcd_writer writer(path, settings);
  runner r("r", [&] {
    a.record(ns(5), 1);
    a.record(ns(15), 2);
    a.record(ns(10), 3);
    sc_core::wait(ns(10));
    writer.flush();  // kernel at 10 ns: 5 ns is final; 10 ns (now) and 15 ns are still open
    EXPECT_EQ(writer.buffered(), 2u);
    EXPECT_EQ(writer.changes_written(), 1u);
    a.record(ns(10), 4);  // at the kernel time: still in time, and after the earlier record
    sc_core::wait(ns(10));
    writer.flush();
    EXPECT_EQ(writer.buffered(), 0u);
  });
  sc_core::sc_start();
  writer.close();
  EXPECT_EQ(vcd_body(path), (strings{"#0", "$dumpvars", "b0 !", "$end", "#5000", "b1 !", "#10000", "b100 !",
                                     "#15000", "b10 !", "#20000"}));
  EXPECT_EQ(writer.late_records(), 0u);
}

TEST(vcd, a_full_buffer_flushes_by_itself) {
  signal a("top.a", 16, "g");
  temporary_path path(".vcd");
  vcd_writer::options settings = only({});
  settings.buffer_limit = 4;
  vcd_writer writer(path, settings);
  runner r("r", [&] {
    for (int i = 1; i <= 10; ++i) {
      a.record(sc_core::sc_time_stamp(), i);
      sc_core::wait(ns(1));
    }
    EXPECT_LT(writer.buffered(), 5u);
    EXPECT_GT(writer.changes_written(), 0u);
  });
  sc_core::sc_start();
  writer.close();
  EXPECT_EQ(writer.changes_written(), 10u);
}

TEST(vcd, late_records_are_moved_to_the_earliest_open_time_and_counted) {
  sc_core::sc_report_handler::set_actions("nvr/trace", sc_core::SC_DO_NOTHING);
  signal a("top.a", 1, "g");
  temporary_path path(".vcd");
  vcd_writer writer(path, only({}));
  runner r("r", [&] {
    sc_core::wait(ns(10));
    writer.flush();
    a.record(ns(3), 1);  // breaks the rule: 3 ns was closed at 10 ns
  });
  sc_core::sc_start();
  writer.close();
  EXPECT_EQ(writer.late_records(), 1u);
  EXPECT_EQ(vcd_body(path), (strings{"#0", "$dumpvars", "0!", "$end", "#10000", "1!"}));
}

TEST(vcd, pulses_last_one_nanosecond_and_values_are_masked_to_the_width) {
  signal strobe("top.strobe", 1, "g"), byte("top.byte", 8, "g"), full("top.full", 64, "g");
  temporary_path path(".vcd");
  vcd_writer writer(path, only({}));
  runner r("r", [&] {
    strobe.pulse(ns(7));
    byte.record(ns(7), 0x1ff);
    full.record(ns(8), ~std::uint64_t{0});
  });
  sc_core::sc_start();
  writer.close();
  EXPECT_EQ(vcd_body(path),
            (strings{"#0", "$dumpvars", "0!", "b0 \"", "b0 #", "$end", "#7000", "1!", "b11111111 \"", "#8000",
                     "0!", std::string(1, 'b') + std::string(64, '1') + " #"}));
}

TEST(vcd, untraced_signals_record_nothing) {
  signal traced("top.a", 1, "on"), untraced("top.b", 1, "off");
  temporary_path path(".vcd");
  vcd_writer writer(path, only({"on"}));
  EXPECT_TRUE(traced.enabled());
  EXPECT_FALSE(untraced.enabled());
  untraced.record(ns(1), 1);
  untraced.pulse(ns(2));
  EXPECT_EQ(writer.buffered(), 0u);
  writer.close();
  EXPECT_EQ(read_file(path).find(" b $end"), std::string::npos);
}

TEST(vcd, a_signal_may_go_away_while_traced) {
  temporary_path path(".vcd");
  auto early = std::make_unique<signal>("top.early", 1, "g");
  signal late("top.late", 1, "g");
  vcd_writer writer(path, only({}));
  early->record(ns(1), 1);
  early.reset();
  late.record(ns(2), 1);
  EXPECT_TRUE(writer.close());
  EXPECT_EQ(vcd_body(path), (strings{"#0", "$dumpvars", "0!", "0\"", "$end", "#1000", "1!", "#2000", "1\""}));
}

TEST(vcd, the_save_file_lays_out_one_group_per_traced_group) {
  signal state("soc.cpu.state", 2, "cpu", format::decimal);
  signal trap("soc.cpu.trap", 1, "cpu");
  signal pc("soc.cpu.pc", 32, "cpu");
  signal line("soc.irq_timer", 1, "irq");
  signal ignored("soc.uart0.tx", 1, "uart");
  temporary_path path(".vcd"), save(".gtkw");
  vcd_writer writer(path, only({"cpu", "irq"}, save));
  writer.close();
  const std::string text = read_file(save);
  EXPECT_NE(text.find("[dumpfile] \"" + path.str() + "\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("[treeopen] soc.\n"), std::string::npos);
  const char* expected =
      "@800200\n-cpu\n"
      "@24\nsoc.cpu.state[1:0]\n"
      "@28\nsoc.cpu.trap\n"
      "@22\nsoc.cpu.pc[31:0]\n"
      "@1000200\n-cpu\n"
      "@800200\n-irq\n"
      "@28\nsoc.irq_timer\n"
      "@1000200\n-irq\n";
  EXPECT_NE(text.find(expected), std::string::npos) << text;
  EXPECT_EQ(text.find("uart"), std::string::npos);
}

}  // namespace
