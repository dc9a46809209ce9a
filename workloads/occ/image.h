// The data image of the occupancy workload's firmware (issue #8): the host reference's inputs,
// BEVPool index arrays, weights, requantisation parameters and golden outputs, laid out as
// firmware/workloads/occ/occ_image.h says.
#pragma once

#include <cstdint>
#include <string>

#include "workloads/image/workload_image.h"

namespace occ {

struct image_options {
  std::string grid = "small";  // small | full
  std::uint32_t seed = 1;
  bool panoptic = false;
  // The firmware pools as the reference does (a gather, then one GEMM per interval) instead of
  // one CSR SpMM: the same results, for comparing the two (OCC_FLAG_POOL_GEMM).
  bool pool_gemm = false;
};

// The workload name of an image: "occ", or "occ_panoptic" with the panoptic head (the firmware
// of the same name runs it).
std::string image_workload(const image_options& o);

// Runs the host reference exactly as nvr-occ-ref does (same seed, same order of draws) and packs
// the image. Throws std::invalid_argument for an unknown grid, and std::runtime_error when the
// reference's parameters leave what the firmware's NPU path reproduces bit for bit (a per-channel
// requantisation with another shift, zero point or clip than the encoder's).
nvr::wimg::writer make_image(const image_options& o);

}  // namespace occ
