/* NPU command ISA and register map for firmware (ip/npu/ISA.md is the contract).
 * C99, nothing beyond <stdint.h>. Each encoder writes the eight little-endian words of one
 * 32-byte instruction to `w` (e.g. a ring slot); the encoders do not validate: the NPU does. */
#ifndef NVR_NPU_ISA_H
#define NVR_NPU_ISA_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Registers (offsets from NVR_NPU_BASE) ---- */
#define NPU_REG_ID 0x000u
#define NPU_REG_VERSION 0x004u
#define NPU_REG_CTRL 0x008u
#define NPU_REG_STATUS 0x00Cu
#define NPU_REG_ERROR 0x010u
#define NPU_REG_FAULT_INDEX 0x014u
#define NPU_REG_FAULT_INFO 0x018u
#define NPU_REG_RING_BASE 0x020u
#define NPU_REG_RING_SIZE 0x024u
#define NPU_REG_RING_HEAD 0x028u
#define NPU_REG_RING_TAIL 0x02Cu
#define NPU_REG_IRQ_STATUS 0x030u
#define NPU_REG_IRQ_ENABLE 0x034u
#define NPU_REG_IRQ_TAG 0x038u
#define NPU_REG_CYCLES_LO 0x040u
#define NPU_REG_CYCLES_HI 0x044u
#define NPU_REG_RETIRED 0x048u
#define NPU_REG_LOAD_BUSY 0x04Cu
#define NPU_REG_EXEC_BUSY 0x050u
#define NPU_REG_STORE_BUSY 0x054u
#define NPU_REG_SPARSE_BUSY 0x058u
#define NPU_REG_DMA_READS 0x05Cu
#define NPU_REG_DMA_WRITES 0x060u

#define NPU_ID_VALUE 0x4E505531u /* "NPU1" */
#define NPU_VERSION_VALUE 0x00010000u

#define NPU_CTRL_ENABLE (1u << 0)
#define NPU_CTRL_RESET (1u << 1)
#define NPU_CTRL_NVR_ENABLE (1u << 2)
#define NPU_STATUS_BUSY (1u << 0)
#define NPU_STATUS_ERROR (1u << 1)
#define NPU_IRQ_DONE (1u << 0)
#define NPU_IRQ_ERROR (1u << 1)

#define NPU_RING_SIZE_MIN 2u
#define NPU_RING_SIZE_MAX 65536u
#define NPU_INSN_BYTES 32u
#define NPU_INSN_WORDS 8u

/* ---- Error codes (ERROR register) ---- */
#define NPU_ERR_NONE 0u
#define NPU_ERR_ILLEGAL_OPCODE 1u
#define NPU_ERR_ILLEGAL_FIELD 2u
#define NPU_ERR_LOCAL_RANGE 3u
#define NPU_ERR_DRAM_RANGE 4u
#define NPU_ERR_MISALIGNED 5u
#define NPU_ERR_INDEX_BOUNDS 6u
#define NPU_ERR_RING_OVERFLOW 7u
#define NPU_ERR_BUS_ERROR 8u

/* ---- Opcodes, flags, functs ---- */
#define NPU_OP_NOP 0x00u
#define NPU_OP_CONFIG_STORE 0x01u
#define NPU_OP_MVIN 0x02u
#define NPU_OP_MVOUT 0x03u
#define NPU_OP_MATMUL 0x04u
#define NPU_OP_GATHER 0x05u
#define NPU_OP_SCATTER 0x06u
#define NPU_OP_CONFIG_SPARSE 0x07u
#define NPU_OP_SPMM 0x08u
#define NPU_OP_VECTOR 0x09u
#define NPU_OP_FENCE 0x0Au
#define NPU_OP_IRQ 0x0Bu

#define NPU_FLAG_I8 0x01u         /* mvin, gather: int8 DRAM elements into the accumulator */
#define NPU_FLAG_RAW 0x01u        /* mvout: int32 from the accumulator, no requantisation */
#define NPU_FLAG_INT4 0x01u       /* matmul: packed int4 operands */
#define NPU_FLAG_ADD 0x01u        /* scatter: scatter-add */
#define NPU_FLAG_RELU 0x01u       /* vector requant, copy */
#define NPU_FLAG_ROW_SCALAR 0x02u /* vector add, max, mul, requant: b is one scalar per row */

#define NPU_FN_ADD 0u
#define NPU_FN_MAX 1u
#define NPU_FN_MUL 2u
#define NPU_FN_REQUANT 3u
#define NPU_FN_CLIP 4u
#define NPU_FN_SHIFT 5u
#define NPU_FN_EXP 6u
#define NPU_FN_COPY 7u
#define NPU_FN_SILU 8u
#define NPU_FN_SOFTMAX 16u
#define NPU_FN_RMSNORM 17u
#define NPU_FN_QUANT 18u
#define NPU_FN_ARGMAX 19u

/* ---- Local memories and local addresses ---- */
#define NPU_LANES 16u
#define NPU_SPAD_ROWS 16384u
#define NPU_SPAD_ROW_BYTES 16u
#define NPU_ACC_ROWS 1024u
#define NPU_ACC_ROW_BYTES 64u
#define NPU_LADDR_ACC (1u << 31)
#define NPU_LADDR_ACCUMULATE (1u << 30)
#define NPU_LADDR_ROW_MASK 0x3FFFFFFFu

static inline uint32_t npu_spad(uint32_t row) { return row & NPU_LADDR_ROW_MASK; }
static inline uint32_t npu_acc(uint32_t row) { return NPU_LADDR_ACC | (row & NPU_LADDR_ROW_MASK); }
/* The accumulator row, added to instead of overwritten. */
static inline uint32_t npu_acc_add(uint32_t row) { return npu_acc(row) | NPU_LADDR_ACCUMULATE; }

/* ---- Encoders ---- */
static inline void npu_encode(uint32_t* w, uint32_t opcode, uint32_t flags, uint32_t funct, uint32_t w1,
                              uint32_t w2, uint32_t w3, uint32_t w4, uint32_t w5, uint32_t w6, uint32_t w7) {
  w[0] = (opcode & 0xFFu) | ((flags & 0xFFu) << 8) | ((funct & 0xFFu) << 16);
  w[1] = w1;
  w[2] = w2;
  w[3] = w3;
  w[4] = w4;
  w[5] = w5;
  w[6] = w6;
  w[7] = w7;
}

static inline void npu_nop(uint32_t* w) { npu_encode(w, NPU_OP_NOP, 0, 0, 0, 0, 0, 0, 0, 0, 0); }
static inline void npu_fence(uint32_t* w) { npu_encode(w, NPU_OP_FENCE, 0, 0, 0, 0, 0, 0, 0, 0, 0); }
static inline void npu_irq(uint32_t* w, uint32_t tag) {
  npu_encode(w, NPU_OP_IRQ, 0, 0, tag, 0, 0, 0, 0, 0, 0);
}

/* Requantisation of mvout from the accumulator: clamp(round_shift(x * multiplier, shift) + zero_point). */
static inline void npu_config_store(uint32_t* w, int32_t multiplier, uint32_t shift, int32_t zero_point,
                                    int32_t clip_min, int32_t clip_max) {
  npu_encode(w, NPU_OP_CONFIG_STORE, 0, 0, (uint32_t)multiplier, shift, (uint32_t)zero_point,
             (uint32_t)clip_min, (uint32_t)clip_max, 0, 0);
}

/* rows x cols elements at dram + r * stride <-> local rows laddr + r (flags: NPU_FLAG_I8 / NPU_FLAG_RAW). */
static inline void npu_mvin(uint32_t* w, uint32_t dram, uint32_t laddr, uint32_t rows, uint32_t cols,
                            uint32_t stride, uint32_t flags) {
  npu_encode(w, NPU_OP_MVIN, flags, 0, dram, laddr, rows, cols, stride, 0, 0);
}
static inline void npu_mvout(uint32_t* w, uint32_t dram, uint32_t laddr, uint32_t rows, uint32_t cols,
                             uint32_t stride, uint32_t flags) {
  npu_encode(w, NPU_OP_MVOUT, flags, 0, dram, laddr, rows, cols, stride, 0, 0);
}

/* c[rows x 16] (+)= a[rows x 16] * b[16 x 16] (NPU_FLAG_INT4: K = 32, packed nibbles). */
static inline void npu_matmul(uint32_t* w, uint32_t a, uint32_t b, uint32_t c, uint32_t rows,
                              uint32_t flags) {
  npu_encode(w, NPU_OP_MATMUL, flags, 0, a, b, c, rows, 0, 0, 0);
}

static inline void npu_gather(uint32_t* w, uint32_t index, uint32_t count, uint32_t table,
                              uint32_t table_rows, uint32_t stride, uint32_t laddr, uint32_t cols,
                              uint32_t flags) {
  npu_encode(w, NPU_OP_GATHER, flags, 0, index, count, table, table_rows, stride, laddr, cols);
}
static inline void npu_scatter(uint32_t* w, uint32_t index, uint32_t count, uint32_t table,
                               uint32_t table_rows, uint32_t stride, uint32_t laddr, uint32_t cols,
                               uint32_t flags) {
  npu_encode(w, NPU_OP_SCATTER, flags, 0, index, count, table, table_rows, stride, laddr, cols);
}

static inline void npu_config_sparse(uint32_t* w, uint32_t row_ptr, uint32_t col_idx, uint32_t values,
                                     uint32_t b_rows) {
  npu_encode(w, NPU_OP_CONFIG_SPARSE, 0, 0, row_ptr, col_idx, values, b_rows, 0, 0, 0);
}
static inline void npu_spmm(uint32_t* w, uint32_t b, uint32_t b_stride, uint32_t first, uint32_t count,
                            uint32_t laddr, uint32_t cols) {
  npu_encode(w, NPU_OP_SPMM, 0, 0, b, b_stride, first, count, laddr, cols, 0);
}

/* Vector op: rows (1..65535) and, for the row functs, length (1..65535). */
static inline void npu_vector(uint32_t* w, uint32_t funct, uint32_t a, uint32_t b, uint32_t dst,
                              uint32_t rows, uint32_t length, uint32_t imm0, uint32_t imm1, uint32_t imm2,
                              uint32_t flags) {
  npu_encode(w, NPU_OP_VECTOR, flags, funct, a, b, dst, (rows & 0xFFFFu) | (length << 16), imm0, imm1, imm2);
}

#ifdef __cplusplus
}
#endif

#endif /* NVR_NPU_ISA_H */
