// nvr-det-ref: the host reference of the PillarHist detection workload (issue #8) on a KITTI
// velodyne scan. Weights are seeded synthetic: the peaks show the pipeline, not detections.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "workloads/det/net.h"

#ifndef NVR_DET_DATA_DIR
#define NVR_DET_DATA_DIR "workloads/data"
#endif

namespace {

namespace exit_code {
constexpr int ok = 0;
constexpr int usage = 64;     // EX_USAGE
constexpr int data = 65;      // EX_DATAERR: malformed scan
constexpr int no_input = 66;  // EX_NOINPUT
}  // namespace exit_code

const char* const synopsis =
    "Usage: nvr-det-ref [--scan FILE] [--seed N] [--small] [--top-k K] [--max-pillars P] [--quant-error]\n"
    "  --small        the reduced 216 x 248 canvas (0.32 m) instead of 432 x 496 (0.16 m)\n"
    "  --quant-error  per backbone layer, the error of CFWS and of plain int8 against float\n";

int usage(const std::string& problem) {
  std::cerr << "nvr-det-ref: " << problem << "\n" << synopsis;
  return exit_code::usage;
}

bool parse_ulong(const std::string& text, unsigned long lo, unsigned long hi, unsigned long& out) {
  if (text.empty() || text[0] == '-' || text[0] == '+') return false;
  char* end = nullptr;
  errno = 0;
  const unsigned long v = std::strtoul(text.c_str(), &end, 10);
  if (*end != '\0' || errno != 0 || v < lo || v > hi) return false;
  out = v;
  return true;
}

int run(int argc, char** argv) {
  std::string scan_path = NVR_DET_DATA_DIR "/kitti_000008.bin";
  unsigned long seed = 1, top_k = 10, max_pillars = 16000;
  bool small = false, quant_error = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--small") {
      small = true;
    } else if (a == "--quant-error") {
      quant_error = true;
    } else if (a == "--scan") {
      if (!value(scan_path)) return usage("--scan needs a value");
    } else if (a == "--seed" || a == "--top-k" || a == "--max-pillars") {
      if (!value(v)) return usage(a + " needs a value");
      unsigned long& target = a == "--seed" ? seed : a == "--top-k" ? top_k : max_pillars;
      const unsigned long hi = a == "--seed" ? 0xffffffffUL : 1000000UL;
      if (!parse_ulong(v, a == "--seed" ? 0 : 1, hi, target))
        return usage(a + ": '" + v + "' is not a number in " +
                     (a == "--seed" ? "0..4294967295" : "1..1000000"));
    } else if (a == "-h" || a == "--help") {
      std::cout << synopsis;
      return exit_code::ok;
    } else {
      return usage("unknown argument '" + a + "'");
    }
  }

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<det::point> scan;
  try {
    scan = det::read_scan(scan_path);
  } catch (const det::scan_error& e) {
    std::cerr << "nvr-det-ref: " << e.what() << "\n";
    return e.missing() ? exit_code::no_input : exit_code::data;
  }
  det::grid g = small ? det::small_grid() : det::full_grid();
  g.max_pillars = max_pillars;
  const det::network net = det::make_network(static_cast<std::uint32_t>(seed));
  const det::result r = det::run(scan, g, net, top_k);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::printf("PillarHist detection reference: SYNTHETIC weights (seed %lu; no trained model), scan %s\n",
              seed, scan_path.c_str());
  std::printf(
      "grid %zu x %zu at %.2f m%s; points %zu, in range %zu, kept %zu; pillars %zu (max %zu, <= %zu points "
      "each)\n",
      g.nx, g.ny, g.cell / 1000.0, small ? " (--small)" : "", scan.size(), r.p.points_in_range,
      r.p.points_kept, r.p.ids.size(), g.max_pillars, g.max_points_per_pillar);
  std::printf("canvas fill: %zu of %zu positions = %.2f%% (%.2f%% empty)\n", r.p.ids.size(), g.nx * g.ny,
              100.0 * static_cast<double>(r.p.ids.size()) / static_cast<double>(g.nx * g.ny),
              100.0 - 100.0 * static_cast<double>(r.p.ids.size()) / static_cast<double>(g.nx * g.ny));
  std::printf("stages (rows x cols x channels, nonzero values):\n");
  for (const auto& s : r.stages)
    std::printf("  %-16s %6zu x %4zu x %3zu  %6.2f%%\n", s.name, s.h, s.w, s.c, 100.0 * s.nonzero);
  std::size_t clamped = 0;
  for (const auto& l : net.backbone) clamped += l.w.fine_clamped;
  std::printf("CFWS: %zu layers, fine weights clamped: %zu\n", net.backbone.size(), clamped);
  if (quant_error) {
    const det::feature_map* x = &r.canvas;
    for (std::size_t i = 0; i < net.backbone.size(); ++i) {
      const auto& l = net.backbone[i];
      const auto e = det::measure_quant_error(*x, l.fused, l.w, l.stride);
      std::printf("  layer %zu: relative RMS error vs float, CFWS %.5f, plain int8 3x3 %.5f\n", i + 1, e.cfws,
                  e.plain);
      x = &r.maps[i];
    }
  }
  std::printf(
      "top-%lu peaks (y, x on the %zu x %zu heatmap; centre of its canvas cell in BEV metres; score):\n",
      top_k, r.heat_h, r.heat_w);
  // Stride-2 convolutions with padding 1 centre output o on input 2 * o.
  const std::size_t stride = g.ny / r.heat_h;
  const double cell = g.cell / 1000.0;
  for (const auto& p : r.peaks)
    std::printf("  (%3zu, %3zu)  x %6.2f m  y %6.2f m  %d\n", p.y, p.x,
                g.x_min / 1000.0 + (static_cast<double>(p.x * stride) + 0.5) * cell,
                g.y_min / 1000.0 + (static_cast<double>(p.y * stride) + 0.5) * cell, p.score);
  std::printf("host time %.3f s\n", secs);
  return exit_code::ok;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "nvr-det-ref: " << e.what() << "\n";
    return 70;  // EX_SOFTWARE
  }
}
