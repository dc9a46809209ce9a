#include "workloads/ref/arith.h"

#include <algorithm>

namespace npu_ref {

std::int64_t round_shift(std::int64_t x, unsigned s) {
  if (s == 0) return x;
  // 128 bits so that x near the int64 limits cannot overflow on the rounding addend.
  const __int128 v = static_cast<__int128>(x) + (static_cast<__int128>(1) << (s - 1));
  return static_cast<std::int64_t>(v >> s);
}

std::int64_t round_div(std::int64_t n, std::int64_t d) {
  return n >= 0 ? (n + d / 2) / d : -((-n + d / 2) / d);
}

std::uint64_t isqrt(std::uint64_t v) {
  if (v == 0) return 0;
  unsigned bits = 0;
  while (bits < 64 && (v >> bits) != 0) ++bits;
  // s0 = 2^ceil(bits/2) >= sqrt(v); Newton's iteration decreases monotonically to floor(sqrt(v)).
  std::uint64_t s = std::uint64_t{1} << ((bits + 1) / 2);
  for (;;) {
    const std::uint64_t next = (s + v / s) / 2;
    if (next >= s) return s;
    s = next;
  }
}

std::int64_t iexp(std::int64_t x, unsigned f) {
  x = std::min<std::int64_t>(x, 0);
  const std::int64_t y = x + (x >> 1) - (x >> 4);
  const std::int64_t q = (-y) >> f;
  const std::int64_t r = -y - shl(q, f);
  if (q > 30) return 0;
  return (shl(1, f) - (r >> 1)) >> q;
}

std::int64_t isilu(std::int64_t x, unsigned f) {
  const std::int64_t e = iexp(x >= 0 ? -x : x, f);
  const std::int64_t one = shl(1, f);
  const std::int64_t sig = x >= 0 ? shl(1, 2 * f) / (one + e) : shl(e, f) / (one + e);
  return round_shift(x * sig, f);
}

std::vector<std::int64_t> isoftmax(const std::vector<std::int32_t>& x, unsigned f, std::int64_t c) {
  std::vector<std::int64_t> p(x.size());
  if (x.empty()) return p;
  const std::int64_t m = *std::max_element(x.begin(), x.end());
  std::int64_t s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    p[i] = iexp(std::max<std::int64_t>(x[i] - m, -shl(c, f)), f);
    s += p[i];
  }
  for (auto& e : p) e = shl(e, 15) / s;
  return p;
}

std::vector<std::int64_t> rmsnorm(const std::vector<std::int32_t>& x, unsigned q) {
  std::vector<std::int64_t> y(x.size());
  if (x.empty()) return y;
  unsigned __int128 sum = 0;  // up to 65535 * 2^62: wider than int64
  for (std::int32_t v : x) sum += static_cast<unsigned __int128>(static_cast<std::int64_t>(v) * v);
  const auto ms = static_cast<std::uint64_t>(sum / x.size());
  const auto rms = static_cast<std::int64_t>(std::max<std::uint64_t>(isqrt(ms), 1));
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = round_div(shl(x[i], q), rms);
  return y;
}

quant_result quant(const std::vector<std::int32_t>& x) {
  quant_result r;
  for (std::int32_t v : x) r.amax = std::max<std::int64_t>(r.amax, v < 0 ? -static_cast<std::int64_t>(v) : v);
  r.q.resize(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    r.q[i] = r.amax == 0 ? 0 : static_cast<std::int8_t>(round_div(std::int64_t{x[i]} * 127, r.amax));
  return r;
}

std::size_t argmax(const std::vector<std::int32_t>& x) {
  return static_cast<std::size_t>(std::max_element(x.begin(), x.end()) - x.begin());
}

std::int8_t requant(std::int32_t x, const store_config& c) {
  const std::int64_t v = round_shift(std::int64_t{x} * c.multiplier, c.shift) + c.zero_point;
  return static_cast<std::int8_t>(clamp(v, c.clip_min, c.clip_max));
}

}  // namespace npu_ref
