// nvr-occ-ref: the host reference of the FlashOcc-style occupancy workload (issue #8). Builds the
// seeded 6-camera rig and its BEVPool-v2 indices, runs the integer network with seeded synthetic
// weights and prints per-stage sizes, the index arrays' sizes and the class histogram.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

#include "workloads/occ/model.h"

namespace {

constexpr int exit_usage = 64;  // EX_USAGE

const char* const synopsis = "Usage: nvr-occ-ref [--grid small|full] [--seed N] [--panoptic] [--summary]\n";

int usage(const std::string& problem) {
  std::cerr << "nvr-occ-ref: " << problem << "\n" << synopsis;
  return exit_usage;
}

// FNV-1a over the labels (and instances): one number to compare runs.
std::uint64_t fnv1a(std::uint64_t h, const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

int run(int argc, char** argv) {
  std::string grid = "small";
  unsigned long seed = 1;
  bool panoptic = false, summary = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--grid") {
      if (!value(v)) return usage("--grid needs a value");
      if (v != "small" && v != "full") return usage("--grid: '" + v + "' is neither small nor full");
      grid = v;
    } else if (a == "--seed") {
      if (!value(v)) return usage("--seed needs a value");
      char* end = nullptr;
      errno = 0;
      const unsigned long long s = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || v[0] == '-' || *end != '\0' || errno != 0 || s > 0xffffffffULL)
        return usage("--seed: '" + v + "' is not a number in 0..4294967295");
      seed = static_cast<unsigned long>(s);
    } else if (a == "--panoptic") {
      panoptic = true;
    } else if (a == "--summary") {
      summary = true;
    } else if (a == "--help" || a == "-h") {
      std::cout << synopsis;
      return 0;
    } else {
      return usage("unknown argument '" + a + "'");
    }
  }

  const auto t0 = std::chrono::steady_clock::now();
  const occ::grid_config g = grid == "full" ? occ::full_grid() : occ::small_grid();
  const std::size_t top_k = grid == "full" ? 100 : 16;
  std::mt19937 rng(static_cast<std::mt19937::result_type>(seed));
  const auto rig = occ::make_rig(g, rng);
  const auto idx = occ::compute_indices(g, rig);
  const auto in = occ::make_inputs(g, rig.size(), rng);
  const auto m = occ::make_model(g, idx, in, rng);
  const auto r = occ::run(m, idx, in, panoptic, top_k);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::uint64_t h = fnv1a(0xcbf29ce484222325ULL, r.labels.data(), r.labels.size());
  if (panoptic) h = fnv1a(h, r.instances.data(), r.instances.size() * sizeof(r.instances[0]));
  std::map<unsigned, std::size_t> hist;
  for (auto l : r.labels) ++hist[l];
  std::size_t occupied_cells = 0;
  for (std::size_t c = 0; c < g.bev_cells(); ++c)
    for (std::size_t k = 0; k < g.channels; ++k)
      if (r.pooled(c, k) != 0) {
        ++occupied_cells;
        break;
      }

  std::cout << "nvr-occ-ref: synthetic weights (seeded, no trained model): labels are not a real scene\n";
  std::cout << "grid " << grid << ": BEV " << g.bev_x << "x" << g.bev_y << "x" << g.bev_z << ", " << g.classes
            << " classes, C " << g.channels << ", 6 cameras, features " << g.feat_w() << "x" << g.feat_h()
            << ", " << g.depth_bins << " depth bins, seed " << seed << "\n";
  if (!summary) {
    std::cout << "indices: " << g.depth_bins * rig.size() * g.feat_h() * g.feat_w() << " frustum points, "
              << idx.ranks_bev.size() << " in the grid (ranks_depth/ranks_feat/ranks_bev), "
              << idx.interval_starts.size() << " intervals (occupied cells of " << g.bev_cells() << ")\n";
    std::cout << "pool: features " << in.feat.rows << "x" << in.feat.cols << " int8, depth " << in.depth.rows
              << " int8 -> BEV " << r.pooled.rows << "x" << r.pooled.cols << " int32 (" << occupied_cells
              << " nonzero cells) -> int8\n";
    for (std::size_t l = 0; l < r.encoded.size(); ++l)
      std::cout << "encoder " << l << ": conv3x3 " << g.channels << "->" << g.channels << " on " << g.bev_x
                << "x" << g.bev_y << ", per-channel requant, ReLU -> " << r.encoded[l].rows << "x"
                << r.encoded[l].cols << " int8\n";
    std::cout << "head: 1x1 " << g.channels << "->" << r.logits.cols << " int32, reshape (" << g.bev_x << ","
              << g.bev_y << "," << g.bev_z << "," << g.classes << "), argmax -> " << r.labels.size()
              << " uint8 labels\n";
    std::cout << "class histogram:";
    for (std::size_t k = 0; k < g.classes; ++k)
      std::cout << " " << k << ":" << hist[static_cast<unsigned>(k)];
    std::cout << " (free = " << g.classes - 1 << ")\n";
    if (panoptic) {
      std::size_t assigned = 0;
      for (auto v : r.instances) assigned += v != 0;
      std::cout << "panoptic: centre heatmap 1x1 " << g.channels << "->1, " << r.centres.size()
                << " peaks (top " << top_k << "), " << assigned << " occupied voxels assigned\n";
    }
  }
  char line[160];
  std::snprintf(line, sizeof line,
                "summary: %zu index entries, %zu intervals, %zu voxels, checksum %016llx, %.3f s\n",
                idx.ranks_bev.size(), idx.interval_starts.size(), r.labels.size(),
                static_cast<unsigned long long>(h), seconds);
  std::cout << line;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "nvr-occ-ref: " << e.what() << "\n";
    return 70;  // EX_SOFTWARE: cannot happen with the built-in grids
  }
}
