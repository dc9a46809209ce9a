// --load FILE@ADDR: parsing, repetition, config files.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <vector>

#include "platform/options.h"

namespace {

using nvr::platform::options;
using nvr::platform::parse_load;
using nvr::platform::run_config;
using nvr::platform::usage_error;

std::optional<run_config> parse(std::vector<const char*> arguments) {
  arguments.insert(arguments.begin(), "nvr-vp");
  return options().parse(static_cast<int>(arguments.size()), arguments.data());
}

TEST(load_option, file_at_address) {
  const auto load = parse_load("load", "data.bin@0x88000000");
  EXPECT_EQ(load.path, "data.bin");
  EXPECT_EQ(load.address, 0x88000000u);
  EXPECT_EQ(parse_load("load", "dir/a@b.bin@4096").path, "dir/a@b.bin");  // the last '@' splits
  EXPECT_EQ(parse_load("load", "dir/a@b.bin@4096").address, 4096u);
}

TEST(load_option, bad_syntax_is_a_clear_error) {
  for (const char* text : {"data.bin", "@0x80000000", "data.bin@", "data.bin@-1", "data.bin@0x1g",
                           "data.bin@0x100000000", "data.bin@ 12"}) {
    try {
      parse_load("load", text);
      ADD_FAILURE() << text << " accepted";
    } catch (const usage_error& error) {
      EXPECT_NE(std::string(error.what()).find("is not FILE@ADDRESS"), std::string::npos) << error.what();
    }
  }
}

TEST(load_option, repeatable_in_order) {
  const auto config = parse({"fw.elf", "--load", "a.bin@0x88000000", "--load", "b.bin@0x89000000"});
  ASSERT_TRUE(config);
  ASSERT_EQ(config->loads.size(), 2u);
  EXPECT_EQ(config->loads[0].path, "a.bin");
  EXPECT_EQ(config->loads[1].address, 0x89000000u);
  EXPECT_TRUE(parse({"fw.elf"})->loads.empty());
}

TEST(load_option, from_a_config_file) {
  char name[] = "/tmp/nvr-vp-load-XXXXXX";
  ASSERT_GE(mkstemp(name), 0);
  std::ofstream(name) << "load = c.bin@0x8a000000\n";
  const auto config = parse({"fw.elf", "--config", name});
  std::remove(name);
  ASSERT_TRUE(config);
  ASSERT_EQ(config->loads.size(), 1u);
  EXPECT_EQ(config->loads[0].path, "c.bin");
  EXPECT_THROW(parse({"fw.elf", "--load", "nothing"}), usage_error);
}

}  // namespace
