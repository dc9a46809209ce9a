// nvr-bench-memory: simulated accesses per host second through NSB -> L2 -> DRAM (the pure C++
// timing model, default parameters), with no prefetcher and with IMP, on an NPU-like trace:
// CSR SpMM operand fetch of the paper's prototype matrix (A 2048 x 2048 at density 1/256,
// dense B rows of 128 int8), i.e. index vector loads, gathers of B rows, streaming C writes,
// plus dense mvin streaming, all as 64 B DMA requests. Prints the figures and writes them as JSON.
#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>

#include "ip/cache/hierarchy.h"
#include "tools/trace-sim/replay.h"
#include "tools/trace-sim/trace.h"

namespace po = boost::program_options;
using namespace nvr;

namespace {

trace::trace npu_trace() {
  trace::trace t;
  std::mt19937 rng(2025);
  const std::uint64_t col_idx = 0x80000000, b_rows = 0x81000000, c_rows = 0x82000000, dense = 0x83000000;
  const unsigned rows = 2048, cols = 2048, nnz_per_row = cols / 256, row_bytes = 128;
  std::uint64_t idx_cursor = col_idx;
  std::vector<std::int64_t> idx(16);
  for (unsigned i = 0; i < rows; ++i) {
    // Column indices of row i, loaded 16 at a time (64 B of int32), then the B rows they select.
    for (unsigned done = 0; done < nnz_per_row; done += 16) {
      const unsigned n = std::min(16u, nnz_per_row - done);
      idx.resize(n);
      for (auto& v : idx) v = static_cast<std::int64_t>(rng() % cols);
      std::sort(idx.begin(), idx.end());
      t.add(idx_cursor, 4 * n, false, 1, idx);
      idx_cursor += 4 * n;
      // Each 128 B row is two DMA requests of 64 B (Gemmini's largest request).
      for (std::int64_t c : idx)
        for (unsigned half = 0; half < row_bytes; half += 64)
          t.add(b_rows + static_cast<std::uint64_t>(c) * row_bytes + half, 64, false, 2);
    }
    for (unsigned half = 0; half < row_bytes; half += 64)
      t.add(c_rows + std::uint64_t{i} * row_bytes + half, 64, true, 3);  // the output row
    if (i % 8 == 0)  // dense operand tiles streamed in between (mvin)
      for (unsigned k = 0; k < 16; ++k)
        t.add(dense + (std::uint64_t{i} * 16 + k) * 64 % (4 << 20), 64, false, 4);
  }
  return t;
}

struct figures {
  std::uint64_t records = 0, line_accesses = 0, nsb_misses = 0, l2_misses = 0, offchip_bytes = 0;
  double seconds = 0;      // wall clock
  double cpu_seconds = 0;  // this process's CPU time: the fair figure on a loaded machine
  mem::time_ps simulated_ps = 0;
};

figures measure(const trace::trace& t, const std::string& prefetcher, std::uint32_t repeat) {
  mem::hierarchy_config c;
  c.prefetcher = prefetcher;
  if (prefetcher == "imp")
    c.prefetcher_params["shift_mask"] = (1 << 2) | (1 << 3) | (1 << 4) | (1 << 7);  // + 128 B rows
  const trace::trace_values values(t);
  mem::hierarchy h("", c, {}, &values);
  trace::replay_config r;
  r.repeat = repeat;
  timespec cpu0{}, cpu1{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
  const auto start = std::chrono::steady_clock::now();
  const trace::replay_result result = trace::replay(h, t, r);
  const auto stop = std::chrono::steady_clock::now();
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1);
  figures f;
  f.seconds = std::chrono::duration<double>(stop - start).count();
  f.cpu_seconds = static_cast<double>(cpu1.tv_sec - cpu0.tv_sec) +
                  1e-9 * static_cast<double>(cpu1.tv_nsec - cpu0.tv_nsec);
  f.records = result.accesses;
  f.line_accesses = h.nsb().counters().accesses;
  f.nsb_misses = h.nsb().counters().misses;
  f.l2_misses = h.l2().counters().misses;
  f.offchip_bytes = h.memory().counters().bytes_read + h.memory().counters().bytes_written;
  f.simulated_ps = result.end;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("nvr-bench-memory options");
  opts.add_options()("help,h", "print this help")("output,o", po::value<std::string>(),
                                                  "write the figures as JSON")(
      "repeat", po::value<std::uint32_t>()->default_value(40), "passes over the trace per measurement")(
      "runs", po::value<std::uint32_t>()->default_value(3), "measurements per prefetcher (the best counts)")(
      "prefetchers", po::value<std::string>()->default_value("none,imp"),
      "comma-separated prefetchers to measure (none, imp, stride, ...)")(
      "write-trace", po::value<std::string>(),
      "only write the bench's trace to FILE (binary format, for nvr-trace-sim) and exit");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "nvr-bench-memory: " << e.what() << '\n';
    return 64;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  const trace::trace t = npu_trace();
  if (vm.count("write-trace")) {
    const std::string path = vm["write-trace"].as<std::string>();
    std::ofstream f(path, std::ios::binary);
    trace::write_binary(f, t);
    f.close();
    if (!f) {
      std::cerr << "nvr-bench-memory: cannot write " << path << '\n';
      return 73;
    }
    return 0;
  }
  const std::uint32_t repeat = vm["repeat"].as<std::uint32_t>(),
                      runs = std::max(1u, vm["runs"].as<std::uint32_t>());
  nlohmann::json out;
  out["trace_records"] = t.records.size();
  out["repeat"] = repeat;
  out["target_accesses_per_second"] = 20e6;
  bool all_met = true;
  std::vector<std::string> names;
  {
    std::stringstream list(vm["prefetchers"].as<std::string>());
    for (std::string name; std::getline(list, name, ',');)
      if (!name.empty()) names.push_back(name);
  }
  // A bad name fails here, before anything is measured.
  for (const std::string& name : names) {
    try {
      measure(t, name, 0);
    } catch (const std::invalid_argument& e) {
      std::cerr << "nvr-bench-memory: --prefetchers: " << e.what() << '\n';
      return 64;
    }
  }
  for (const std::string& name : names) {
    figures best;
    for (std::uint32_t i = 0; i < runs; ++i) {
      const figures f = measure(t, name, repeat);
      if (i == 0 || f.cpu_seconds < best.cpu_seconds) best = f;
    }
    const double rate = static_cast<double>(best.records) / best.seconds;
    const double cpu_rate = static_cast<double>(best.records) / best.cpu_seconds;
    all_met = all_met && cpu_rate >= 20e6;
    std::printf(
        "%-9s %6.1f M accesses/s of CPU time (%6.1f M/s wall), %llu accesses in %.3f s CPU, %.3f s wall; "
        "NSB misses %llu, L2 misses %llu, %.1f simulated us\n",
        name.c_str(), cpu_rate / 1e6, rate / 1e6, static_cast<unsigned long long>(best.records),
        best.cpu_seconds, best.seconds, static_cast<unsigned long long>(best.nsb_misses),
        static_cast<unsigned long long>(best.l2_misses), static_cast<double>(best.simulated_ps) / 1e6);
    out[name] = {{"accesses", best.records},
                 {"line_accesses", best.line_accesses},
                 {"seconds", best.seconds},
                 {"cpu_seconds", best.cpu_seconds},
                 {"accesses_per_second", rate},
                 {"accesses_per_cpu_second", cpu_rate},
                 {"nsb_misses", best.nsb_misses},
                 {"l2_misses", best.l2_misses},
                 {"offchip_bytes", best.offchip_bytes},
                 {"simulated_ps", best.simulated_ps}};
  }
  out["target_met"] = all_met;
  if (vm.count("output")) {
    std::ofstream f(vm["output"].as<std::string>());
    f << out.dump(2) << '\n';
    if (!f) {
      std::cerr << "nvr-bench-memory: cannot write " << vm["output"].as<std::string>() << '\n';
      return 73;
    }
  }
  return 0;
}

// The SystemC library (linked through the statistics registry) needs an sc_main; never called.
extern "C" int sc_main(int, char**) { return 70; }
