/* firmware/include/npu_isa.h compiled as C99 (-pedantic): one instruction of every kind, for
 * test_npu_isa_header.cpp to compare with the reference encoder. */
#include "npu_isa.h"

unsigned npu_isa_c_encode_all(uint32_t (*out)[NPU_INSN_WORDS]);

unsigned npu_isa_c_encode_all(uint32_t (*out)[NPU_INSN_WORDS]) {
  unsigned n = 0;
  npu_nop(out[n++]);
  npu_config_store(out[n++], -12345, 17, -3, -100, 90);
  npu_mvin(out[n++], 0x80001000u, npu_acc_add(12), 16, 16, 64, NPU_FLAG_I8);
  npu_mvout(out[n++], 0x80002000u, npu_acc(3), 7, 9, 36, NPU_FLAG_RAW);
  npu_matmul(out[n++], npu_spad(0), npu_spad(16), npu_acc_add(32), 48, NPU_FLAG_INT4);
  npu_gather(out[n++], 0x80003000u, 5, 0x80004000u, 100, 64, npu_acc(7), 16, NPU_FLAG_I8);
  npu_scatter(out[n++], 0x80003000u, 5, 0x80004000u, 100, 64, npu_acc(7), 16, NPU_FLAG_ADD);
  npu_config_sparse(out[n++], 0x80005000u, 0x80006000u, 0x80007000u, 2048);
  npu_spmm(out[n++], 0x80008000u, 128, 40, 16, npu_acc_add(100), 1);
  npu_vector(out[n++], NPU_FN_REQUANT, npu_acc(0), npu_acc(900), npu_spad(5), 33, 0, 0, 12, (uint32_t)-7,
             NPU_FLAG_RELU | NPU_FLAG_ROW_SCALAR);
  npu_vector(out[n++], NPU_FN_SOFTMAX, npu_acc(0), 0, npu_acc(500), 4, 40, 10, 8, 0, 0);
  npu_fence(out[n++]);
  npu_irq(out[n++], 0xdeadbeefu);
  return n;
}
