// firmware/include/npu_isa.h (the firmware's encoder) against the reference encoder: the same
// 8 words for every instruction, from C (npu_isa_c.c) and from C++ on random operands.
#include <gtest/gtest.h>

#include <random>

#include "firmware/include/npu_isa.h"
#include "workloads/ref/isa.h"

extern "C" unsigned npu_isa_c_encode_all(uint32_t (*out)[NPU_INSN_WORDS]);

using namespace npu_ref;

namespace {
words as_words(const uint32_t* w) {
  words out;
  for (unsigned k = 0; k < 8; ++k) out[k] = w[k];
  return out;
}
}  // namespace

TEST(NpuIsaHeader, CEncodersMatchTheReference) {
  uint32_t out[16][NPU_INSN_WORDS];
  ASSERT_EQ(npu_isa_c_encode_all(out), 13u);
  const instruction want[] = {
      nop(),
      config_store(-12345, 17, -3, -100, 90),
      mvin(0x80001000u, acc(12, true), 16, 16, 64, flag::i8),
      mvout(0x80002000u, acc(3), 7, 9, 36, flag::raw),
      matmul(spad(0), spad(16), acc(32, true), 48, flag::int4),
      gather(0x80003000u, 5, 0x80004000u, 100, 64, acc(7), 16, flag::i8),
      scatter(0x80003000u, 5, 0x80004000u, 100, 64, acc(7), 16, flag::add),
      config_sparse(0x80005000u, 0x80006000u, 0x80007000u, 2048),
      spmm(0x80008000u, 128, 40, 16, acc(100, true), 1),
      vector(fn::requant, acc(0), acc(900), spad(5), 33, 0, 0, 12, static_cast<uint32_t>(-7),
             flag::relu | flag::row_scalar),
      vector(fn::softmax, acc(0), 0, acc(500), 4, 40, 10, 8),
      fence(),
      irq(0xdeadbeefu),
  };
  for (unsigned i = 0; i < 13; ++i) {
    EXPECT_EQ(as_words(out[i]), want[i].encode()) << i;
    EXPECT_FALSE(check_static(as_words(out[i]))) << i << ": " << to_string(check_static(as_words(out[i])));
  }
}

TEST(NpuIsaHeader, ConstantsMatchTheReference) {
  EXPECT_EQ(NPU_OP_IRQ, op::irq);
  EXPECT_EQ(NPU_OP_CONFIG_SPARSE, op::config_sparse);
  EXPECT_EQ(NPU_FLAG_ROW_SCALAR, flag::row_scalar);
  EXPECT_EQ(NPU_FN_SILU, fn::silu);
  EXPECT_EQ(NPU_FN_ARGMAX, fn::argmax);
  EXPECT_EQ(NPU_ERR_BUS_ERROR, static_cast<uint32_t>(error::bus_error));
  EXPECT_EQ(NPU_ERR_INDEX_BOUNDS, static_cast<uint32_t>(error::index_bounds));
  EXPECT_EQ(NPU_SPAD_ROWS, spad_rows);
  EXPECT_EQ(NPU_ACC_ROWS, acc_rows);
  EXPECT_EQ(npu_acc_add(5), acc(5, true));
  EXPECT_EQ(npu_spad(0x7fffffffu), spad(0x3fffffffu));
}

TEST(NpuIsaHeader, RandomOperandsEncodeIdentically) {
  std::mt19937 rng(11);
  uint32_t w[8];
  for (int t = 0; t < 2000; ++t) {
    uint32_t v[8];
    for (auto& x : v) x = static_cast<uint32_t>(rng());
    const auto f8 = static_cast<uint8_t>(rng() & 3);
    npu_mvin(w, v[0], v[1], v[2], v[3], v[4], f8);
    ASSERT_EQ(as_words(w), mvin(v[0], v[1], v[2], v[3], v[4], f8).encode());
    npu_mvout(w, v[0], v[1], v[2], v[3], v[4], f8);
    ASSERT_EQ(as_words(w), mvout(v[0], v[1], v[2], v[3], v[4], f8).encode());
    npu_matmul(w, v[0], v[1], v[2], v[3], f8);
    ASSERT_EQ(as_words(w), matmul(v[0], v[1], v[2], v[3], f8).encode());
    npu_gather(w, v[0], v[1], v[2], v[3], v[4], v[5], v[6], f8);
    ASSERT_EQ(as_words(w), gather(v[0], v[1], v[2], v[3], v[4], v[5], v[6], f8).encode());
    npu_scatter(w, v[0], v[1], v[2], v[3], v[4], v[5], v[6], f8);
    ASSERT_EQ(as_words(w), scatter(v[0], v[1], v[2], v[3], v[4], v[5], v[6], f8).encode());
    npu_config_sparse(w, v[0], v[1], v[2], v[3]);
    ASSERT_EQ(as_words(w), config_sparse(v[0], v[1], v[2], v[3]).encode());
    npu_spmm(w, v[0], v[1], v[2], v[3], v[4], v[5]);
    ASSERT_EQ(as_words(w), spmm(v[0], v[1], v[2], v[3], v[4], v[5]).encode());
    npu_config_store(w, static_cast<int32_t>(v[0]), v[1], static_cast<int32_t>(v[2]),
                     static_cast<int32_t>(v[3]), static_cast<int32_t>(v[4]));
    ASSERT_EQ(as_words(w), config_store(static_cast<int32_t>(v[0]), v[1], static_cast<int32_t>(v[2]),
                                        static_cast<int32_t>(v[3]), static_cast<int32_t>(v[4]))
                               .encode());
    const auto fnc = static_cast<uint8_t>(v[7]);
    npu_vector(w, fnc, v[0], v[1], v[2], v[3] & 0xffff, v[4] & 0xffff, v[5], v[6], v[7], f8);
    ASSERT_EQ(as_words(w),
              vector(fnc, v[0], v[1], v[2], v[3] & 0xffff, v[4] & 0xffff, v[5], v[6], v[7], f8).encode());
    npu_irq(w, v[0]);
    ASSERT_EQ(as_words(w), irq(v[0]).encode());
  }
}
