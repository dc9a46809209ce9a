#include "core/stats.h"

#include <gtest/gtest.h>

#include <systemc>

namespace {

struct probe : sc_core::sc_module {
  nvr::stats::counter hits{*this, "hits", "number of hits"};
  explicit probe(sc_core::sc_module_name name) : sc_module(name) {}
};

TEST(stats, counters_appear_nested_under_module_names) {
  probe top("top");
  ++top.hits;
  top.hits += 4;
  const auto json = nvr::stats::registry::instance().to_json();
  EXPECT_EQ(json["top"]["hits"], 5);
  EXPECT_EQ(nvr::stats::registry::instance().descriptions().at("top.hits"), "number of hits");
}

TEST(stats, a_path_registered_twice_is_an_error) {
  nvr::stats::publication first("a.b", [] { return 1; });
  EXPECT_THROW(nvr::stats::publication("a.b", [] { return 2; }), std::invalid_argument);
}

TEST(stats, values_leave_the_registry_with_their_owner) {
  {
    nvr::stats::publication value("gone.soon", [] { return 3; });
    EXPECT_TRUE(nvr::stats::registry::instance().contains("gone.soon"));
  }
  EXPECT_FALSE(nvr::stats::registry::instance().contains("gone.soon"));
}

TEST(stats, a_value_and_a_group_of_the_same_name_both_survive) {
  nvr::stats::publication group_member("x.y.z", [] { return 1; });
  nvr::stats::publication value("x.y", [] { return 2; });
  const auto json = nvr::stats::registry::instance().to_json();
  EXPECT_EQ(json["x"]["y"]["z"], 1);
  EXPECT_EQ(json["x"]["y"]["value"], 2);
}

}  // namespace
