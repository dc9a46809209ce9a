// KITTI velodyne scans (float32 x, y, z, intensity per point) read into integer fixed point once,
// so everything after the reader is integer and bit-exact.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace det {

// x, y, z in millimetres (scale 1e-3 m, rounded half away from zero); intensity 0..1 as 0..127
// (scale 1/127, rounded, clamped).
struct point {
  std::int32_t x = 0, y = 0, z = 0;
  std::int32_t intensity = 0;
};

// Bad scan file; missing() when it could not be opened or read (exit 66), else malformed (65).
class scan_error : public std::runtime_error {
 public:
  scan_error(const std::string& what, bool missing) : std::runtime_error(what), m_missing(missing) {}
  bool missing() const { return m_missing; }

 private:
  bool m_missing;
};

// Coordinates beyond +-10 km are rejected (they would overflow the fixed point).
constexpr double max_abs_coordinate_m = 10000.0;

// Points from the bytes of a scan; `name` prefixes the errors (empty, not a multiple of 16
// bytes, a non-finite or out-of-range value).
std::vector<point> parse_scan(const std::vector<std::uint8_t>& bytes, const std::string& name);
std::vector<point> read_scan(const std::string& path);

}  // namespace det
