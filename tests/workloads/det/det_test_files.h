// Helpers of the detection workload's tests: the shipped scan and hand-made scans.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "workloads/det/scan.h"

#ifndef NVR_DET_DATA_DIR
#error "NVR_DET_DATA_DIR must name workloads/data"
#endif

namespace det_test {

inline const std::string scan_path = NVR_DET_DATA_DIR "/kitti_000008.bin";

inline void put_float(std::vector<std::uint8_t>& b, float f) {
  std::uint8_t raw[4];
  std::memcpy(raw, &f, 4);
  b.insert(b.end(), raw, raw + 4);
}

inline std::vector<std::uint8_t> scan_bytes(const std::vector<std::vector<float>>& pts) {
  std::vector<std::uint8_t> b;
  for (const auto& p : pts)
    for (float f : p) put_float(b, f);
  return b;
}

// A point in millimetres with intensity 0..127.
inline det::point mm(std::int32_t x, std::int32_t y, std::int32_t z, std::int32_t i = 0) {
  return {x, y, z, i};
}

}  // namespace det_test
