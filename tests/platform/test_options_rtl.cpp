// --nvr=tlm|rtl and --rtl-vcd (issue #7): from the command line and a config file, and their
// errors. A file of its own beside test_options.cpp (same executable).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <vector>

#include "platform/options.h"

namespace {

using nvr::platform::options;
using nvr::platform::run_config;
using nvr::platform::usage_error;

std::optional<run_config> parse_rtl(std::vector<const char*> arguments) {
  arguments.insert(arguments.begin(), "nvr-vp");
  return options().parse(static_cast<int>(arguments.size()), arguments.data());
}

void expect_rtl_usage_error(std::vector<const char*> arguments, const std::string& fragment) {
  try {
    parse_rtl(arguments);
    ADD_FAILURE() << "no usage error; expected one mentioning '" << fragment << "'";
  } catch (const usage_error& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

TEST(options_rtl, tlm_by_default) {
  const auto config = parse_rtl({"fw.elf", "--prefetcher", "nvr"});
  ASSERT_TRUE(config);
  EXPECT_FALSE(config->soc.nvr_rtl);
  EXPECT_EQ(config->soc.rtl_vcd, "");
  EXPECT_EQ(config->soc.record_nvr_events, "");
}

// Without the RTL (-DNVR_RTL=OFF) --nvr=rtl is refused, saying why.
#ifndef NVR_HAVE_RTL
TEST(options_rtl, rtl_needs_a_build_with_the_rtl) {
  expect_rtl_usage_error({"fw.elf", "--prefetcher", "nvr", "--nvr=rtl"}, "this build has no RTL");
}
#else
TEST(options_rtl, rtl_from_the_command_line_and_a_config_file) {
  auto config = parse_rtl({"fw.elf", "--prefetcher", "nvr", "--nvr=rtl", "--rtl-vcd", "core.vcd"});
  ASSERT_TRUE(config);
  EXPECT_TRUE(config->soc.nvr_rtl);
  EXPECT_EQ(config->soc.rtl_vcd, "core.vcd");
  char name[] = "/tmp/nvr-vp-options-rtl-XXXXXX";
  const int fd = mkstemp(name);
  ASSERT_GE(fd, 0);
  std::ofstream(name) << "prefetcher = nvr\nnvr = rtl\nrtl-vcd = file.vcd\n";
  config = parse_rtl({"fw.elf", "--config", name});
  ASSERT_TRUE(config);
  EXPECT_TRUE(config->soc.nvr_rtl);
  EXPECT_EQ(config->soc.rtl_vcd, "file.vcd");
  // The command line wins.
  config = parse_rtl({"fw.elf", "--config", name, "--nvr", "rtl", "--rtl-vcd", "x.vcd"});
  ASSERT_TRUE(config);
  EXPECT_EQ(config->soc.rtl_vcd, "x.vcd");
  std::remove(name);
}

#endif

TEST(options_rtl, record_nvr_events) {
  const auto config = parse_rtl({"fw.elf", "--prefetcher", "nvr", "--record-nvr-events", "run.events"});
  ASSERT_TRUE(config);
  EXPECT_EQ(config->soc.record_nvr_events, "run.events");
}

TEST(options_rtl, bad_values_are_clear_errors) {
  expect_rtl_usage_error({"fw.elf", "--prefetcher", "nvr", "--nvr", "verilog"},
                         "--nvr: 'verilog' is not tlm or rtl");
  expect_rtl_usage_error({"fw.elf", "--prefetcher", "nvr", "--nvr", ""}, "--nvr: '' is not tlm or rtl");
#ifdef NVR_HAVE_RTL
  expect_rtl_usage_error({"fw.elf", "--nvr=rtl"}, "--nvr=rtl: only --prefetcher nvr has an RTL core");
  expect_rtl_usage_error({"fw.elf", "--prefetcher", "dvr", "--nvr=rtl"}, "only --prefetcher nvr");
#endif
  expect_rtl_usage_error({"fw.elf", "--prefetcher", "nvr", "--rtl-vcd", "a.vcd"},
                         "--rtl-vcd: needs --nvr=rtl");
#ifdef NVR_HAVE_RTL
  expect_rtl_usage_error({"fw.elf", "--prefetcher", "nvr", "--nvr=rtl", "--rtl-vcd", ""},
                         "--rtl-vcd: needs a file name");
#endif
  expect_rtl_usage_error({"fw.elf", "--prefetcher", "nvr", "--record-nvr-events", ""},
                         "--record-nvr-events: needs a file name");
  expect_rtl_usage_error({"fw.elf", "--record-nvr-events", "x.events"},
                         "--record-nvr-events: needs --prefetcher nvr");
  expect_rtl_usage_error({"fw.elf", "--prefetcher", "dvr", "--record-nvr-events", "x.events"},
                         "--record-nvr-events: needs --prefetcher nvr");
  char name[] = "/tmp/nvr-vp-options-rtl-XXXXXX";
  const int fd = mkstemp(name);
  ASSERT_GE(fd, 0);
  std::ofstream(name) << "prefetcher = nvr\nnvr = systemverilog\n";
  expect_rtl_usage_error({"fw.elf", "--config", name}, "--nvr: 'systemverilog' is not tlm or rtl");
  std::remove(name);
}

}  // namespace
