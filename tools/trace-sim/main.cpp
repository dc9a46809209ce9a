// nvr-trace-sim: feeds an address trace through NSB -> L2 -> DRAM with a chosen prefetcher and
// prints or writes the statistics as JSON. Formats and options: README.md.
#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <systemc>

#include "core/stats.h"
#include "ip/cache/hierarchy.h"
#include "ip/cache/hierarchy_options.h"
#include "ip/prefetch/factory.h"
#include "tools/trace-sim/replay.h"
#include "tools/trace-sim/trace.h"

namespace po = boost::program_options;
using namespace nvr;

namespace {

namespace exit_code {
constexpr int ok = 0;
constexpr int usage = 64;        // EX_USAGE: bad option or value
constexpr int data = 65;         // EX_DATAERR: malformed or unreadable trace
constexpr int software = 70;     // EX_SOFTWARE: internal error
constexpr int cant_create = 73;  // EX_CANTCREAT: an output file cannot be written
}  // namespace exit_code

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void print_level(std::ostream& out, const char* label, const mem::cache& c) {
  const auto& k = c.counters();
  out << "  " << label << ": " << k.accesses << " accesses, " << k.hits << " hits, " << k.misses
      << " misses, " << k.mshr_merges << " merges, " << k.writebacks << " write-backs";
  if (k.pf_issued || k.pf_dropped || k.pf_redundant)
    out << "; prefetches " << k.pf_issued << " issued, " << k.pf_useful << " useful (" << k.pf_late
        << " late), " << k.pf_useless << " useless, " << k.pf_dropped << " dropped";
  out << '\n';
}

int run(int argc, char** argv) {
  mem::hierarchy_options hierarchy_opts;
  po::options_description general("nvr-trace-sim options");
  general.add_options()("help,h", "print this help")(
      "format", po::value<std::string>()->default_value("auto"), "trace format: auto, text, binary")(
      "json", po::value<std::string>(), "write the statistics as JSON to FILE ('-': standard output)")(
      "quiet,q", po::bool_switch(), "no summary on standard output")(
      "max-outstanding", po::value<std::uint32_t>()->default_value(16), "requester: accesses in flight")(
      "issue-interval-ps", po::value<std::uint64_t>()->default_value(1000), "requester: ps between issues")(
      "repeat", po::value<std::uint32_t>()->default_value(1), "passes over the trace")(
      "convert", po::value<std::string>(), "only convert the trace to the binary format in FILE")(
      "list-prefetchers", "list the prefetchers and exit");
  po::options_description hidden;
  hidden.add_options()("trace", po::value<std::string>(), "trace file");
  po::options_description all;
  all.add(general).add(hierarchy_opts).add(hidden);
  po::positional_options_description positional;
  positional.add("trace", 1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw usage_error(e.what());
  }
  if (vm.count("help")) {
    std::cout << "Usage: nvr-trace-sim [options] TRACE\n\n" << general << '\n' << hierarchy_opts << '\n';
    return exit_code::ok;
  }
  if (vm.count("list-prefetchers")) {
    for (const auto& n : mem::prefetcher_factory::instance().names())
      std::cout << n << ": " << mem::prefetcher_factory::instance().description(n) << "\n";
    return exit_code::ok;
  }
  if (!vm.count("trace")) throw usage_error("no trace file given (see --help)");
  mem::hierarchy_config config;
  trace::format format;
  try {
    config = hierarchy_opts.to_config(vm);
    format = trace::parse_format(vm["format"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw usage_error(e.what());
  }
  trace::replay_config replay_config;
  replay_config.max_outstanding = vm["max-outstanding"].as<std::uint32_t>();
  replay_config.issue_interval = vm["issue-interval-ps"].as<std::uint64_t>();
  replay_config.repeat = vm["repeat"].as<std::uint32_t>();
  if (replay_config.max_outstanding == 0) throw usage_error("--max-outstanding must be at least 1");

  const trace::trace t = trace::read_file(vm["trace"].as<std::string>(), format);  // trace_error: 65
  if (vm.count("convert")) {
    const std::string path = vm["convert"].as<std::string>();
    std::ofstream out(path, std::ios::binary);
    trace::write_binary(out, t);
    out.close();
    if (!out) {
      std::cerr << "nvr-trace-sim: cannot write " << path << '\n';
      return exit_code::cant_create;
    }
    return exit_code::ok;
  }

  // The oracle's future: the demand lines of the cache it serves.
  mem::prefetcher_environment env;
  const trace::trace_values values(t);
  std::unique_ptr<mem::hierarchy> h;
  try {
    if (config.prefetcher == "oracle")
      env.future_lines = trace::demand_lines(t, config, replay_config.repeat);
    h = std::make_unique<mem::hierarchy>("memory", config, env, &values);
  } catch (const std::invalid_argument& e) {
    throw usage_error(e.what());
  }

  const trace::replay_result result = trace::replay(*h, t, replay_config);
  const mem::time_ps clock = config.nsb.clock_period;
  stats::publication p_records(
      "run.records", [&] { return nlohmann::json(t.records.size()); }, "trace records");
  stats::publication p_accesses(
      "run.accesses", [&] { return nlohmann::json(result.accesses); }, "accesses issued (records x repeat)");
  stats::publication p_bytes(
      "run.bytes", [&] { return nlohmann::json(result.bytes); }, "bytes accessed");
  stats::publication p_end(
      "run.end_ps", [&] { return nlohmann::json(result.end); }, "last completion (ps)");
  stats::publication p_cycles(
      "run.cycles", [&] { return nlohmann::json((result.end + clock - 1) / clock); },
      "last completion in NSB clock cycles");
  stats::publication p_latency(
      "run.avg_latency_ps",
      [&] { return nlohmann::json(result.accesses ? result.total_latency_ps / result.accesses : 0); },
      "mean access latency seen by the requester (ps, integer)");
  stats::publication p_prefetcher(
      "run.prefetcher", [&] { return nlohmann::json(config.prefetcher); }, "prefetcher name");
  stats::publication p_level(
      "run.prefetch_level", [&] { return nlohmann::json(config.prefetch_level); },
      "cache the prefetcher serves");

  if (!vm["quiet"].as<bool>()) {
    std::cout << "nvr-trace-sim: " << result.accesses << " accesses, " << result.bytes << " bytes, "
              << (result.end + clock - 1) / clock << " cycles, prefetcher " << config.prefetcher << '\n';
    print_level(std::cout, "nsb", h->nsb());
    print_level(std::cout, "l2 ", h->l2());
    const auto& d = h->memory().counters();
    std::cout << "  dram: " << d.reads << " reads, " << d.writes << " writes, "
              << d.bytes_read + d.bytes_written << " off-chip bytes, row hits/misses/conflicts " << d.row_hits
              << '/' << d.row_misses << '/' << d.row_conflicts << '\n';
  }
  if (vm.count("json")) {
    const std::string path = vm["json"].as<std::string>();
    const std::string text = stats::registry::instance().to_json().dump(2) + "\n";
    if (path == "-") {
      std::cout << text;
    } else {
      std::ofstream out(path);
      out << text;
      out.close();
      if (!out) {
        std::cerr << "nvr-trace-sim: cannot write " << path << '\n';
        return exit_code::cant_create;
      }
    }
  }
  return exit_code::ok;
}

int guarded_run(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const usage_error& e) {
    std::cerr << "nvr-trace-sim: " << e.what() << '\n';
    return exit_code::usage;
  } catch (const trace::trace_error& e) {
    std::cerr << "nvr-trace-sim: " << e.what() << '\n';
    return exit_code::data;
  } catch (const std::exception& e) {
    std::cerr << "nvr-trace-sim: internal error: " << e.what() << '\n';
    return exit_code::software;
  }
}

}  // namespace

int main(int argc, char** argv) { return guarded_run(argc, argv); }

// The SystemC library (linked for the statistics registry) needs an sc_main although this program
// has its own main() and never elaborates a design: with no banner, no kernel start-up.
extern "C" int sc_main(int argc, char** argv) { return guarded_run(argc, argv); }
