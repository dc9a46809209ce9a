#include "workloads/det/scan.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

namespace det {

namespace {

float get_float(const std::uint8_t* p) {
  // Little-endian file; the host is little-endian too (as the rest of the project assumes).
  float f;
  std::memcpy(&f, p, sizeof f);
  return f;
}

std::int32_t to_mm(double v, const std::string& name, std::size_t i, const char* field) {
  if (!std::isfinite(v) || std::fabs(v) > max_abs_coordinate_m)
    throw scan_error(name + ": point " + std::to_string(i) + ": " + field + " is not finite or beyond 10 km",
                     false);
  return static_cast<std::int32_t>(std::lround(v * 1000.0));
}

}  // namespace

std::vector<point> parse_scan(const std::vector<std::uint8_t>& bytes, const std::string& name) {
  if (bytes.empty()) throw scan_error(name + ": empty scan", false);
  if (bytes.size() % 16 != 0)
    throw scan_error(name + ": truncated: " + std::to_string(bytes.size()) +
                         " bytes is not a multiple of 16 (float32 x, y, z, intensity)",
                     false);
  std::vector<point> out(bytes.size() / 16);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::uint8_t* p = bytes.data() + 16 * i;
    point& q = out[i];
    q.x = to_mm(get_float(p), name, i, "x");
    q.y = to_mm(get_float(p + 4), name, i, "y");
    q.z = to_mm(get_float(p + 8), name, i, "z");
    const double r = get_float(p + 12);
    if (!std::isfinite(r))
      throw scan_error(name + ": point " + std::to_string(i) + ": intensity is not finite", false);
    q.intensity = static_cast<std::int32_t>(std::lround(std::fmin(std::fmax(r, 0.0), 1.0) * 127.0));
  }
  return out;
}

std::vector<point> read_scan(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw scan_error("cannot read '" + path + "'", true);
  std::vector<std::uint8_t> bytes;
  try {
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::exception&) {
    // libstdc++ throws from the stream buffer on a read error (a directory, for one).
    throw scan_error("cannot read '" + path + "'", true);
  }
  if (in.bad()) throw scan_error("cannot read '" + path + "'", true);
  return parse_scan(bytes, path);
}

}  // namespace det
