// The integer operators as NPU programs on nvr_npu_ref's machine (the ISA's sequential
// meaning): the same bits as the host reference. This is the mapping the firmware of #8 uses,
// token rows as in the row functs: y (1 x N) = x (1 x K) W^T.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "workloads/llm/int_ops.h"
#include "workloads/ref/machine.h"

using namespace nvr::llm;
using namespace npu_ref;

namespace {

constexpr std::uint64_t base = 0x80000000;

std::vector<std::int32_t> read_i32(machine& m, std::uint64_t addr, std::size_t n) {
  std::vector<std::int32_t> v(n);
  std::memcpy(v.data(), m.dram_ptr(addr, 4 * n), 4 * n);
  return v;
}

void expect_ok(machine& m, const std::vector<instruction>& p) {
  const run_result r = m.run(p);
  ASSERT_FALSE(r.error) << to_string(r.error) << " at " << r.fault_index;
}

}  // namespace

TEST(LlmNpu, QuantAndLinearAsAnNpuProgram) {
  constexpr std::uint32_t K = 64, N = 48;  // multiples of 16
  std::mt19937 rng(21);
  std::normal_distribution<float> nd(0.0f, 0.2f);
  std::vector<float> wf(N * K);
  for (auto& x : wf) x = nd(rng);
  const qlinear l = quantise_linear(wf, N, K, false);
  std::vector<std::int32_t> x(K);
  for (auto& v : x) v = static_cast<std::int32_t>(rng() % 40001) - 20000;
  const std::vector<std::int32_t> expected = linear(l, quantise(x));

  // DRAM: x (int32), W^T in 16 x 16 blocks (block (nb, ch): row k = W[16nb + n][16ch + k] over
  // n), the multipliers m_j (int32), the amax broadcast area, y (int32).
  const std::uint64_t x_at = base, wt_at = base + 0x1000, m_at = base + 0x4000, amax_at = base + 0x5000,
                      y_at = base + 0x6000;
  machine m(base, 1 << 16);
  m.write_dram(x_at, x.data(), 4 * K);
  std::vector<std::int8_t> wt;
  for (std::uint32_t nb = 0; nb < N / 16; ++nb)
    for (std::uint32_t ch = 0; ch < K / 16; ++ch)
      for (std::uint32_t k = 0; k < 16; ++k)
        for (std::uint32_t n = 0; n < 16; ++n) wt.push_back(l.w(16 * nb + n, 16 * ch + k));
  m.write_dram(wt_at, wt.data(), wt.size());
  m.write_dram(m_at, l.requant.m.data(), 4 * N);

  // Local layout: acc 0.. x (K/16 rows), acc 8 amax, acc 16.. the products, acc 32.. m_j,
  // acc 48.. requantised, acc 64 amax broadcast, acc 80.. y; spad 0.. q, spad 64.. W^T blocks.
  std::vector<instruction> p = {
      mvin(x_at, acc(0), K / 16, 16, 64),
      vector(fn::quant, acc(0), acc(8), spad(0), 1, K),
      mvin(wt_at, spad(64), static_cast<std::uint32_t>(wt.size() / 16), 16, 16),
      mvin(m_at, acc(32), N / 16, 16, 64),
  };
  for (std::uint32_t nb = 0; nb < N / 16; ++nb)
    for (std::uint32_t ch = 0; ch < K / 16; ++ch)
      p.push_back(matmul(spad(ch), spad(64 + (nb * (K / 16) + ch) * 16), acc(16 + nb, ch > 0), 1));
  // Per-channel requant: an element-wise mul by the multipliers' rows, rounding by the shift.
  p.push_back(vector(fn::mul, acc(16), acc(32), acc(48), N / 16, 0, l.requant.shift));
  p.push_back(mvout(amax_at, acc(8), 1, 1, 4, flag::raw));
  expect_ok(m, p);

  // The ISA has no broadcast: the CPU copies the token's amax to one lane per local row.
  const std::int32_t amax = read_i32(m, amax_at, 1)[0];
  EXPECT_EQ(amax, quantise(x).amax);
  const std::vector<std::int32_t> copies(N / 16, amax);
  m.write_dram(amax_at, copies.data(), 4 * copies.size());
  expect_ok(m, {mvin(amax_at, acc(64), 1, N / 16, 64),
                vector(fn::mul, acc(48), acc(64), acc(80), N / 16, 0, amax_shift, 0, 0, flag::row_scalar),
                mvout(y_at, acc(80), N / 16, 16, 64, flag::raw)});
  EXPECT_EQ(read_i32(m, y_at, N), expected);
}

TEST(LlmNpu, AttentionSoftmaxAndSwigluAsVectorFuncts) {
  // Softmax over 40 logits (Q.12) and SiLU(gate) * up, on the machine and on the host.
  std::mt19937 rng(22);
  std::vector<std::int32_t> logits(40), gate(32), up(32);
  for (auto& v : logits) v = static_cast<std::int32_t>(rng() % 60001) - 30000;
  for (auto& v : gate) v = static_cast<std::int32_t>(rng() % 50001) - 25000;
  for (auto& v : up) v = static_cast<std::int32_t>(rng() % 50001) - 25000;
  machine m(base, 1 << 16);
  m.write_dram(base, logits.data(), 4 * logits.size());
  m.write_dram(base + 0x400, gate.data(), 4 * gate.size());
  m.write_dram(base + 0x800, up.data(), 4 * up.size());
  expect_ok(m, {mvin(base, acc(0), 3, 16, 64),  // 48 lanes: 40 used
                vector(fn::softmax, acc(0), 0, acc(4), 1, 40, softmax_bits, softmax_clip),
                mvout(base + 0x1000, acc(4), 3, 16, 64, flag::raw), mvin(base + 0x400, acc(10), 2, 16, 64),
                mvin(base + 0x800, acc(12), 2, 16, 64), vector(fn::silu, acc(10), 0, acc(14), 2, 0, act_bits),
                vector(fn::mul, acc(14), acc(12), acc(16), 2, 0, act_bits),
                mvout(base + 0x1400, acc(16), 2, 16, 64, flag::raw)});
  const auto p = npu_ref::isoftmax(logits, softmax_bits, softmax_clip);
  const auto got = read_i32(m, base + 0x1000, 40);
  for (std::size_t i = 0; i < 40; ++i) EXPECT_EQ(got[i], p[i]) << i;
  const auto h = read_i32(m, base + 0x1400, 32);
  for (std::size_t i = 0; i < 32; ++i)
    EXPECT_EQ(h[i], mul(npu_ref::sat32(npu_ref::isilu(gate[i], act_bits)), up[i], act_bits)) << i;
}
