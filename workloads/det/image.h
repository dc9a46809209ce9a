// The det workload's data image (firmware/workloads/det/det_image.h): the scan's points, the
// seeded synthetic network in the form the NPU runs it, and the host reference's golden outputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "firmware/workloads/det/det_image.h"
#include "workloads/det/net.h"
#include "workloads/image/workload_image.h"

namespace det {

// Per-channel requant configs of one layer at one shared shift: multiplier[c] =
// m_c << (shift - s_c), the same function on every int32 (round_shift(x * m * 2^d, s + d) =
// round_shift(x * m, s)). std::invalid_argument when the channels differ in zero point, clip or
// clip_max, or a multiplier would not fit int32.
struct shared_requant {
  std::uint32_t shift = 0;
  std::int32_t clip_min = -128;
  std::vector<std::int32_t> multiplier;
};
shared_requant share_shift(const std::vector<npu_ref::store_config>& cfg);

struct image_options {
  bool full = false;  // the 432 x 496 canvas (else 216 x 248)
  std::uint32_t seed = 1;
  std::size_t top_k = 10;
  std::size_t max_pillars = 16000;
};

// Runs the host reference on `scan` and packs everything the firmware needs; `r` (if not null)
// receives the reference's result.
nvr::wimg::writer make_image(const std::vector<point>& scan, const image_options& o, result* r = nullptr);

}  // namespace det
