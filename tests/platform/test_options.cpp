#include "platform/options.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <vector>

namespace {

using nvr::platform::options;
using nvr::platform::run_config;
using nvr::platform::usage_error;

std::optional<run_config> parse(std::vector<const char*> arguments) {
  arguments.insert(arguments.begin(), "nvr-vp");
  return options().parse(static_cast<int>(arguments.size()), arguments.data());
}

std::string temporary_file(const std::string& contents) {
  char name[] = "/tmp/nvr-vp-options-XXXXXX";
  const int fd = mkstemp(name);
  EXPECT_GE(fd, 0);
  std::ofstream(name) << contents;
  return name;
}

TEST(options, defaults) {
  const auto config = parse({"--firmware", "fw.elf"});
  ASSERT_TRUE(config);
  EXPECT_EQ(config->firmware, "fw.elf");
  EXPECT_EQ(config->quantum, sc_core::sc_time(1, sc_core::SC_US));
  EXPECT_EQ(config->max_time, sc_core::SC_ZERO_TIME);
  EXPECT_EQ(config->soc.cpu.max_instructions, 0u);
  EXPECT_TRUE(config->soc.cpu.dmi);
  EXPECT_FALSE(config->soc.cpu.trap_misaligned);
  EXPECT_EQ(config->soc.dram_size, 256u << 20);
}

TEST(options, firmware_may_be_positional) {
  EXPECT_EQ(parse({"fw.elf"})->firmware, "fw.elf");
}

TEST(options, values_with_units) {
  const auto config = parse({"fw.elf", "--quantum", "10ns", "--max-time", "2.5 ms", "--max-instructions", "3M",
                             "--dram-size", "64M", "--dmi", "off", "--log-level", "debug"});
  EXPECT_EQ(config->quantum, sc_core::sc_time(10, sc_core::SC_NS));
  EXPECT_EQ(config->max_time, sc_core::sc_time(2500, sc_core::SC_US));
  EXPECT_EQ(config->soc.cpu.max_instructions, 3u << 20);
  EXPECT_EQ(config->soc.dram_size, 64u << 20);
  EXPECT_FALSE(config->soc.cpu.dmi);
  EXPECT_EQ(config->log, nvr::platform::log_level::debug);
}

TEST(options, help_and_version_ask_to_exit) {
  testing::internal::CaptureStdout();
  EXPECT_FALSE(parse({"--help"}));
  EXPECT_NE(testing::internal::GetCapturedStdout().find("--quantum"), std::string::npos);
  testing::internal::CaptureStdout();
  EXPECT_FALSE(parse({"--version"}));
  EXPECT_NE(testing::internal::GetCapturedStdout().find("nvr-vp"), std::string::npos);
}

void expect_usage_error(std::vector<const char*> arguments, const std::string& fragment) {
  try {
    parse(arguments);
    ADD_FAILURE() << "no usage error; expected one mentioning '" << fragment << "'";
  } catch (const usage_error& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

TEST(options, bad_input_is_a_clear_error) {
  expect_usage_error({"fw.elf", "--bogus"}, "--bogus");
  expect_usage_error({}, "no firmware");
  expect_usage_error({"fw.elf", "--quantum"}, "quantum");
  expect_usage_error({"fw.elf", "--quantum", "5"}, "--quantum: '5' is not a time");
  expect_usage_error({"fw.elf", "--quantum", "-1us"}, "--quantum");
  expect_usage_error({"fw.elf", "--quantum", "0us"}, "greater than zero");
  expect_usage_error({"fw.elf", "--quantum", "1 fortnight"}, "not a time");
  expect_usage_error({"fw.elf", "--max-time", "1e400s"}, "--max-time");
  expect_usage_error({"fw.elf", "--max-instructions", "many"}, "--max-instructions");
  expect_usage_error({"fw.elf", "--max-instructions", "0"}, "greater than zero");
  expect_usage_error({"fw.elf", "--dram-size", "3G"}, "--dram-size");
  expect_usage_error({"fw.elf", "--dram-size", "-4M"}, "--dram-size");
  expect_usage_error({"fw.elf", "--dram-size", "99999999999999999999"}, "--dram-size");
  expect_usage_error({"fw.elf", "--log-level", "loud"}, "--log-level");
  expect_usage_error({"fw.elf", "--dmi", "maybe"}, "--dmi");
  expect_usage_error({"fw.elf", "--misaligned", "ignore"}, "--misaligned");
  expect_usage_error({"a.elf", "b.elf"}, "");
  expect_usage_error({"fw.elf", "--config", "/nonexistent/nvr-vp.cfg"}, "cannot open");
}

TEST(options, config_file_sets_values_and_the_command_line_wins) {
  const std::string path = temporary_file("firmware = from-file.elf\nquantum = 100us\nmax-time = 1ms\n");
  const auto config = parse({"--config", path.c_str(), "--quantum", "10ns"});
  EXPECT_EQ(config->firmware, "from-file.elf");
  EXPECT_EQ(config->quantum, sc_core::sc_time(10, sc_core::SC_NS));
  EXPECT_EQ(config->max_time, sc_core::sc_time(1, sc_core::SC_MS));
  std::remove(path.c_str());
}

TEST(options, config_file_errors_are_clear) {
  const std::string unknown = temporary_file("no-such-setting = 1\n");
  expect_usage_error({"fw.elf", "--config", unknown.c_str()}, "no-such-setting");
  const std::string bad_value = temporary_file("quantum = soon\n");
  expect_usage_error({"fw.elf", "--config", bad_value.c_str()}, "--quantum: 'soon'");
  const std::string garbage = temporary_file("this is not a config line\n");
  expect_usage_error({"fw.elf", "--config", garbage.c_str()}, "");
  const std::string help_in_file = temporary_file("help = 1\n");
  expect_usage_error({"fw.elf", "--config", help_in_file.c_str()}, "help");
  for (const auto& path : {unknown, bad_value, garbage, help_in_file}) std::remove(path.c_str());
}

}  // namespace

namespace {

// Traces (#3).
TEST(options, trace_options_fill_the_trace_settings) {
  const auto config = parse({"fw.elf", "--vcd", "run.vcd", "--vcd-groups", "cpu, irq", "--trace-bus",
                             "bus.txt", "--trace-range", "0x10000000:0x10000100", "--trace-range",
                             "0x2000000:0x2010000", "--trace-window", "10us:2ms"});
  ASSERT_TRUE(config);
  EXPECT_EQ(config->trace.vcd_file, "run.vcd");
  EXPECT_EQ(config->trace.vcd_groups, (std::vector<std::string>{"cpu", "irq"}));
  EXPECT_EQ(config->trace.bus_file, "bus.txt");
  ASSERT_EQ(config->trace.filter.ranges.size(), 2u);
  EXPECT_EQ(config->trace.filter.ranges[0].start, 0x10000000u);
  EXPECT_EQ(config->trace.filter.ranges[1].end, 0x2010000u);
  EXPECT_EQ(config->trace.filter.window.start, sc_core::sc_time(10, sc_core::SC_US));
  EXPECT_EQ(config->trace.filter.window.end, sc_core::sc_time(2, sc_core::SC_MS));
}

TEST(options, traces_are_off_by_default) {
  const auto config = parse({"fw.elf"});
  EXPECT_TRUE(config->trace.vcd_file.empty());
  EXPECT_TRUE(config->trace.vcd_groups.empty());
  EXPECT_TRUE(config->trace.bus_file.empty());
  EXPECT_TRUE(config->trace.filter.ranges.empty());
  EXPECT_EQ(config->trace.filter.window.start, sc_core::SC_ZERO_TIME);
  EXPECT_EQ(config->trace.filter.window.end, sc_core::sc_max_time());
}

TEST(options, trace_settings_come_from_a_config_file_too) {
  const std::string path = temporary_file(
      "vcd = file.vcd\nvcd-groups = uart\ntrace-bus = file.txt\ntrace-range = 0x0:0x100\ntrace-range = "
      "0x200:0x300\n"
      "trace-window = :1ms\n");
  auto config = parse({"fw.elf", "--config", path.c_str()});
  EXPECT_EQ(config->trace.vcd_file, "file.vcd");
  EXPECT_EQ(config->trace.vcd_groups, (std::vector<std::string>{"uart"}));
  EXPECT_EQ(config->trace.bus_file, "file.txt");
  EXPECT_EQ(config->trace.filter.ranges.size(), 2u);
  EXPECT_EQ(config->trace.filter.window.end, sc_core::sc_time(1, sc_core::SC_MS));
  // The command line wins, also for the repeatable --trace-range.
  config = parse({"fw.elf", "--config", path.c_str(), "--vcd", "cli.vcd", "--trace-range", "0x400:0x500"});
  EXPECT_EQ(config->trace.vcd_file, "cli.vcd");
  ASSERT_EQ(config->trace.filter.ranges.size(), 1u);
  EXPECT_EQ(config->trace.filter.ranges[0].start, 0x400u);
  std::remove(path.c_str());
}

TEST(options, bad_trace_settings_are_clear_errors) {
  expect_usage_error({"fw.elf", "--vcd-groups", "cpu"}, "--vcd-groups: needs --vcd FILE");
  expect_usage_error({"fw.elf", "--vcd", "x.vcd", "--vcd-groups", "cpu,,irq"},
                     "--vcd-groups: 'cpu,,irq' has an empty item");
  expect_usage_error({"fw.elf", "--vcd", "x.vcd", "--vcd-groups", ""}, "--vcd-groups");
  expect_usage_error({"fw.elf", "--vcd", ""}, "--vcd: needs a file name");
  expect_usage_error({"fw.elf", "--trace-bus", ""}, "--trace-bus: needs a file name");
  expect_usage_error({"fw.elf", "--trace-range", "0x100"}, "--trace-range: '0x100' is not an address range");
  expect_usage_error({"fw.elf", "--trace-range", "0x200:0x100"},
                     "--trace-range: '0x200:0x100': END must be greater");
  expect_usage_error({"fw.elf", "--trace-range", "low:high"}, "--trace-range");
  expect_usage_error({"fw.elf", "--trace-window", "10us"}, "--trace-window: '10us' is not a time window");
  expect_usage_error({"fw.elf", "--trace-window", "2ms:1ms"}, "--trace-window: '2ms:1ms': T1 must be later");
  expect_usage_error({"fw.elf", "--trace-window", "soon:"}, "--trace-window: 'soon' is not a time");
}

TEST(options, npu_memory_trace_and_oracle_trace) {
  auto config = parse({"fw.elf"});
  ASSERT_TRUE(config);
  EXPECT_EQ(config->npu_memory_trace, "");
  EXPECT_EQ(config->oracle_trace, "");
  config = parse(
      {"fw.elf", "--trace-npu-memory", "npu.bin", "--prefetcher", "oracle", "--oracle-trace", "old.bin"});
  ASSERT_TRUE(config);
  EXPECT_EQ(config->npu_memory_trace, "npu.bin");
  EXPECT_EQ(config->oracle_trace, "old.bin");
  EXPECT_EQ(config->soc.npu.memory.prefetcher, "oracle");
  const std::string path = temporary_file("prefetcher = oracle\noracle-trace = from-file.bin\n");
  config = parse({"fw.elf", "--config", path.c_str()});
  ASSERT_TRUE(config);
  EXPECT_EQ(config->oracle_trace, "from-file.bin");
  std::remove(path.c_str());

  expect_usage_error({"fw.elf", "--trace-npu-memory", ""}, "--trace-npu-memory: needs a file name");
  expect_usage_error({"fw.elf", "--prefetcher", "oracle"},
                     "--prefetcher oracle: needs the future demand sequence; record a trace first with "
                     "--trace-npu-memory FILE");
  expect_usage_error({"fw.elf", "--oracle-trace", "t.bin"},
                     "--oracle-trace: only --prefetcher oracle uses it");
  expect_usage_error({"fw.elf", "--prefetcher", "stride", "--oracle-trace", "t.bin"},
                     "--oracle-trace: only --prefetcher oracle uses it");
  expect_usage_error({"fw.elf", "--prefetcher", "oracle", "--oracle-trace", ""},
                     "--oracle-trace: needs a file name");
}

}  // namespace
