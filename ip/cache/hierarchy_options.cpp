#include "ip/cache/hierarchy_options.h"

#include <stdexcept>
#include <vector>

#include "ip/prefetch/factory.h"

namespace po = boost::program_options;

namespace nvr::mem {

std::uint64_t parse_size(const std::string& option, const std::string& text) {
  std::size_t used = 0;
  std::uint64_t v = 0;
  try {
    v = std::stoull(text, &used, 0);
  } catch (const std::exception&) {
    throw std::invalid_argument("--" + option + ": '" + text + "' is not a size");
  }
  const std::string suffix = text.substr(used);
  std::uint64_t scale = 1;
  if (suffix.empty() || suffix == "B")
    scale = 1;
  else if (suffix == "K" || suffix == "k" || suffix == "KiB")
    scale = 1024;
  else if (suffix == "M" || suffix == "MiB")
    scale = 1024 * 1024;
  else if (suffix == "G" || suffix == "GiB")
    scale = 1024ull * 1024 * 1024;
  else
    throw std::invalid_argument("--" + option + ": '" + text + "' is not a size (e.g. 16K, 2M, 4096)");
  return v * scale;
}

namespace {

std::string size_text(std::uint64_t v) {
  if (v != 0 && v % (1024 * 1024) == 0) return std::to_string(v / (1024 * 1024)) + "M";
  if (v != 0 && v % 1024 == 0) return std::to_string(v / 1024) + "K";
  return std::to_string(v);
}

void add_cache_options(po::options_description& d, const std::string& p, const cache_config& c,
                       const std::string& what) {
  d.add_options()((p + "-size").c_str(), po::value<std::string>()->default_value(size_text(c.size)),
                  (what + " size (0: bypass)").c_str())((p + "-line").c_str(),
                                                        po::value<std::uint32_t>()->default_value(c.line),
                                                        (what + " line size, bytes").c_str())(
      (p + "-ways").c_str(), po::value<std::uint32_t>()->default_value(c.ways),
      (what + " associativity (0: fully associative)").c_str())(
      (p + "-replacement").c_str(), po::value<std::string>()->default_value(to_string(c.replacement)),
      (what + " replacement: lru, plru, random").c_str())(
      (p + "-write-policy").c_str(), po::value<std::string>()->default_value(to_string(c.write)),
      (what + " write policy: wb-wa (write-allocate) or wb-nwa (no-write-allocate)").c_str())(
      (p + "-mshrs").c_str(), po::value<std::uint32_t>()->default_value(c.mshrs),
      (what + " MSHRs (0: unlimited)").c_str())(
      (p + "-prefetch-mshrs").c_str(), po::value<std::uint32_t>()->default_value(c.prefetch_mshrs),
      (what + " MSHRs only prefetches use (0: prefetches share the demand MSHRs)").c_str())(
      (p + "-hit-latency").c_str(), po::value<std::uint32_t>()->default_value(c.hit_latency),
      (what + " hit latency, cycles").c_str())(
      (p + "-ports").c_str(), po::value<std::uint32_t>()->default_value(c.ports), (what + " ports").c_str())(
      (p + "-port-occupancy").c_str(), po::value<std::uint32_t>()->default_value(c.port_occupancy),
      (what + " cycles a port is busy per line access").c_str())(
      (p + "-clock-ps").c_str(), po::value<std::uint64_t>()->default_value(c.clock_period),
      (what + " clock period, ps").c_str());
}

cache_config read_cache(const po::variables_map& vm, const std::string& p, cache_config c,
                        std::uint64_t seed) {
  c.size = parse_size(p + "-size", vm[p + "-size"].as<std::string>());
  c.line = vm[p + "-line"].as<std::uint32_t>();
  c.ways = vm[p + "-ways"].as<std::uint32_t>();
  try {
    c.replacement = parse_replacement(vm[p + "-replacement"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("--" + p + "-replacement: " + e.what());
  }
  try {
    c.write = parse_write_policy(vm[p + "-write-policy"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("--" + p + "-write-policy: " + e.what());
  }
  c.mshrs = vm[p + "-mshrs"].as<std::uint32_t>();
  c.prefetch_mshrs = vm[p + "-prefetch-mshrs"].as<std::uint32_t>();
  c.hit_latency = vm[p + "-hit-latency"].as<std::uint32_t>();
  c.ports = vm[p + "-ports"].as<std::uint32_t>();
  c.port_occupancy = vm[p + "-port-occupancy"].as<std::uint32_t>();
  c.clock_period = vm[p + "-clock-ps"].as<std::uint64_t>();
  c.seed = seed;
  return c;
}

}  // namespace

hierarchy_options::hierarchy_options() : po::options_description("Memory hierarchy (NSB -> L2 -> DRAM)") {
  const hierarchy_config d;
  add_cache_options(*this, "nsb", d.nsb, "NSB");
  add_cache_options(*this, "l2", d.l2, "L2");
  std::string names;
  for (const auto& n : prefetcher_factory::instance().names()) names += (names.empty() ? "" : ", ") + n;
  add_options()("seed", po::value<std::uint64_t>()->default_value(1), "seed of random replacement")(
      "dram-channels", po::value<std::uint32_t>()->default_value(d.dram.channels), "DRAM channels")(
      "dram-banks", po::value<std::uint32_t>()->default_value(d.dram.banks), "DRAM banks per channel")(
      "dram-row-size", po::value<std::string>()->default_value(size_text(d.dram.row_size)),
      "DRAM row buffer size")("dram-burst-size", po::value<std::uint32_t>()->default_value(d.dram.burst_size),
                              "bytes per DRAM burst")(
      "dram-clock-ps", po::value<std::uint64_t>()->default_value(d.dram.clock_period),
      "DRAM clock period, ps")("dram-tcl", po::value<std::uint32_t>()->default_value(d.dram.t_cl),
                               "CAS latency, DRAM cycles")(
      "dram-trcd", po::value<std::uint32_t>()->default_value(d.dram.t_rcd),
      "activate to column, DRAM cycles")("dram-trp", po::value<std::uint32_t>()->default_value(d.dram.t_rp),
                                         "precharge, DRAM cycles")(
      "dram-tburst", po::value<std::uint32_t>()->default_value(d.dram.t_burst), "data bus cycles per burst")(
      "dram-frontend-ps", po::value<std::uint64_t>()->default_value(d.dram.frontend_latency),
      "controller + PHY + interconnect latency, ps")("dram-refresh", po::bool_switch(),
                                                     "model all-bank refresh")(
      "dram-trefi", po::value<std::uint32_t>()->default_value(d.dram.t_refi),
      "refresh interval, DRAM cycles")("dram-trfc", po::value<std::uint32_t>()->default_value(d.dram.t_rfc),
                                       "refresh time, DRAM cycles")(
      "prefetcher", po::value<std::string>()->default_value("none"), ("prefetcher: " + names).c_str())(
      "prefetcher-param", po::value<std::vector<std::string>>()->composing(),
      "prefetcher parameter KEY=VALUE (repeatable)")("prefetch-level",
                                                     po::value<std::string>()->default_value("nsb"),
                                                     "cache the prefetcher serves: nsb or l2");
}

hierarchy_config hierarchy_options::to_config(const po::variables_map& vm) const {
  hierarchy_config c;
  const std::uint64_t seed = vm["seed"].as<std::uint64_t>();
  c.nsb = read_cache(vm, "nsb", c.nsb, seed);
  c.l2 = read_cache(vm, "l2", c.l2, seed + 1);
  c.dram.channels = vm["dram-channels"].as<std::uint32_t>();
  c.dram.banks = vm["dram-banks"].as<std::uint32_t>();
  c.dram.row_size =
      static_cast<std::uint32_t>(parse_size("dram-row-size", vm["dram-row-size"].as<std::string>()));
  c.dram.burst_size = vm["dram-burst-size"].as<std::uint32_t>();
  c.dram.clock_period = vm["dram-clock-ps"].as<std::uint64_t>();
  c.dram.t_cl = vm["dram-tcl"].as<std::uint32_t>();
  c.dram.t_rcd = vm["dram-trcd"].as<std::uint32_t>();
  c.dram.t_rp = vm["dram-trp"].as<std::uint32_t>();
  c.dram.t_burst = vm["dram-tburst"].as<std::uint32_t>();
  c.dram.frontend_latency = vm["dram-frontend-ps"].as<std::uint64_t>();
  c.dram.refresh = vm["dram-refresh"].as<bool>();
  c.dram.t_refi = vm["dram-trefi"].as<std::uint32_t>();
  c.dram.t_rfc = vm["dram-trfc"].as<std::uint32_t>();
  c.prefetcher = vm["prefetcher"].as<std::string>();
  if (!prefetcher_factory::instance().contains(c.prefetcher)) {
    std::string names;
    for (const auto& n : prefetcher_factory::instance().names()) names += (names.empty() ? "" : ", ") + n;
    throw std::invalid_argument("--prefetcher: unknown prefetcher '" + c.prefetcher + "' (" + names + ")");
  }
  if (vm.count("prefetcher-param")) {
    for (const auto& p : vm["prefetcher-param"].as<std::vector<std::string>>()) {
      try {
        parse_prefetcher_param(p, c.prefetcher_params);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("--prefetcher-param: ") + e.what());
      }
    }
  }
  c.prefetch_level = vm["prefetch-level"].as<std::string>();
  if (c.prefetch_level != "nsb" && c.prefetch_level != "l2")
    throw std::invalid_argument("--prefetch-level: '" + c.prefetch_level + "' is neither nsb nor l2");
  return c;
}

}  // namespace nvr::mem
