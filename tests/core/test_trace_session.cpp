// The trace session of a run: which files it opens, the save file's name, errors naming their
// option, and closing; and the line probes that trace interrupt lines at their exact edges.
#include <gtest/gtest.h>

#include <systemc>

#include "core/trace/probe.h"
#include "core/trace/session.h"
#include "tests/core/trace_test_support.h"

namespace {

using nvr::test::read_file;
using nvr::test::temporary_path;
using nvr::test::vcd_body;
using nvr::trace::config;
using nvr::trace::save_file_for;
using nvr::trace::session;
using sc_core::SC_NS;
using sc_core::sc_time;
using strings = std::vector<std::string>;

TEST(trace_session, the_save_file_sits_next_to_the_vcd) {
  EXPECT_EQ(save_file_for("out/run.vcd"), "out/run.gtkw");
  EXPECT_EQ(save_file_for("run"), "run.gtkw");
  EXPECT_EQ(save_file_for("run.trace"), "run.trace.gtkw");
  EXPECT_EQ(save_file_for(".vcd"), ".vcd.gtkw");
}

TEST(trace_session, nothing_asked_nothing_opened) {
  session traces(config{});
  EXPECT_EQ(traces.vcd(), nullptr);
  EXPECT_EQ(traces.bus(), nullptr);
  EXPECT_EQ(traces.close(), "");
}

TEST(trace_session, opens_the_vcd_its_save_file_and_the_bus_trace) {
  nvr::trace::signal line("soc.irq_timer", 1, "irq");
  temporary_path vcd(".vcd"), bus(".txt");
  const std::string save = save_file_for(vcd);
  config settings;
  settings.vcd_file = vcd;
  settings.vcd_groups = {"irq"};
  settings.bus_file = bus;
  {
    session traces(settings, "nvr-vp test");
    ASSERT_NE(traces.vcd(), nullptr);
    ASSERT_NE(traces.bus(), nullptr);
    EXPECT_TRUE(line.enabled());
    line.record(sc_time(5, SC_NS), 1);
    EXPECT_EQ(traces.close(), "");
    EXPECT_FALSE(line.enabled());
  }
  EXPECT_NE(read_file(vcd).find("nvr-vp test"), std::string::npos);
  EXPECT_NE(read_file(save).find("soc.irq_timer"), std::string::npos);
  EXPECT_NE(read_file(bus).find("# time initiator"), std::string::npos);
  std::remove(save.c_str());
}

TEST(trace_session, errors_name_their_option) {
  nvr::trace::signal line("soc.irq_timer", 1, "irq");
  temporary_path vcd(".vcd");
  config settings;
  settings.vcd_file = vcd;
  settings.vcd_groups = {"irq", "dram"};
  try {
    session traces(settings);
    FAIL();
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(), "--vcd-groups: unknown VCD signal group 'dram' (groups: irq)");
  }
  settings.vcd_groups.clear();
  settings.vcd_file = "/nonexistent/dir/run.vcd";
  try {
    session traces(settings);
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "--vcd: cannot write '/nonexistent/dir/run.vcd'");
  }
  settings.vcd_file.clear();
  settings.bus_file = "/nonexistent/dir/bus.txt";
  try {
    session traces(settings);
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "--trace-bus: cannot write '/nonexistent/dir/bus.txt'");
  }
}

// Drives two lines at chosen times; the probes must see each edge at its simulated time.
struct driver : sc_core::sc_module {
  SC_HAS_PROCESS(driver);
  sc_core::sc_signal<bool> a{"a"}, b{"b"};
  explicit driver(const sc_core::sc_module_name& name) : sc_module(name) { SC_THREAD(run); }
  void run() {
    sc_core::wait(sc_time(5, SC_NS));
    a.write(true);
    sc_core::wait(sc_time(2, SC_NS));
    b.write(true);
    a.write(false);
    sc_core::wait(sc_core::SC_ZERO_TIME);
    b.write(false);  // a glitch of zero simulated time: both edges at 7 ns, the last value wins
    sc_core::wait(sc_time(3, SC_NS));
    b.write(true);
  }
};

TEST(trace_session, line_probes_record_each_edge_at_its_simulated_time) {
  driver top("top");
  nvr::trace::line_probes probes("probes", "irq", {&top.a, &top.b});
  temporary_path vcd(".vcd");
  config settings;
  settings.vcd_file = vcd;
  session traces(settings);
  sc_core::sc_start();
  EXPECT_EQ(traces.close(), "");
  EXPECT_EQ(vcd_body(vcd),
            (strings{"#0", "$dumpvars", "0!", "0\"", "$end", "#5000", "1!", "#7000", "0!", "#10000", "1\""}));
  std::remove(save_file_for(vcd).c_str());
}

TEST(trace_session, untraced_probes_create_no_process) {
  driver top("top");
  nvr::trace::line_probes probes("probes", "irq", {&top.a});
  sc_core::sc_start(sc_time(1, SC_NS));
  EXPECT_TRUE(probes.get_child_objects().empty());  // no sampling method
}

}  // namespace
