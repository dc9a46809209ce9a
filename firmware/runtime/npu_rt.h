/* NPU runtime (C99): whole operations on matrices in DRAM, tiled onto the NPU's scratchpad and
 * accumulator and queued into the driver's ring (firmware/drivers/npu). A workload is a short
 * sequence of calls; see README.md in this folder.
 *
 *   static uint32_t slots[256 * NPU_INSN_WORDS] __attribute__((aligned(32)));
 *   struct nrt rt;
 *   nrt_init(&rt, slots, 256);
 *   struct nrt_gemm g = {.m = 37, .k = 50, .n = 29, .a = A, .lda = 50, .b = B, .ldb = 29,
 *                        .c = C, .ldc = 29, .q = NRT_REQUANT_IDENTITY};
 *   nrt_gemm(&rt, &g);
 *   uint32_t error = nrt_wait(&rt);   // NPU_ERR_NONE when everything ran
 *
 * Addresses are DRAM bus addresses (uint32_t); strides are in bytes. Every call returns NRT_OK
 * or NRT_EINVAL (shape not supported: nothing queued); with rt->wait_each set it also waits and
 * returns the NPU's error code (> 0) if one occurred. The local memories belong to the runtime
 * between calls: a call may overwrite any scratchpad or accumulator row. */
#ifndef NVR_FW_NPU_RT_H
#define NVR_FW_NPU_RT_H

#include <stdbool.h>
#include <stdint.h>

#include "npu.h"

#define NRT_OK 0
#define NRT_EINVAL (-1)

struct nrt {
  struct npu_ring ring;
  uint32_t tag;    /* tag of the last `irq` queued by nrt_wait */
  bool dram_dirty; /* the NPU may still write DRAM that a later call reads: fence first */
  bool wait_each;  /* every call waits for completion */
  bool interrupts; /* nrt_wait sleeps until the NPU's interrupt instead of polling */
};

/* Requantisation int32 -> int8 (ISA config.store): clamp(round_shift(x * multiplier, shift) +
 * zero_point, clip_min, clip_max). */
struct nrt_requant {
  int32_t multiplier;
  uint32_t shift;
  int32_t zero_point;
  int32_t clip_min;
  int32_t clip_max;
};
#define NRT_REQUANT_IDENTITY \
  { 1, 0, 0, -128, 127 }

/* npu_init plus the runtime state; false when the NPU or the ring is unusable. */
bool nrt_init(struct nrt* rt, uint32_t* slots, uint32_t ring_size);
/* Queues `irq`, rings the doorbell and polls until the NPU is idle (or, after
 * nrt_use_interrupts, sleeps until that irq's interrupt); the NPU error code. */
uint32_t nrt_wait(struct nrt* rt);
/* Completion by interrupt from now on (npu_use_interrupts: PLIC source NVR_IRQ_NPU). The
 * driver's error flag is sticky, so after an NPU error go back to polling (interrupts = false). */
void nrt_use_interrupts(struct nrt* rt);
/* NPU cycles since reset (CYCLES_HI:LO). */
uint64_t nrt_cycles(void);

/* ---- Dense GEMM ----
 * C[m x n] = A[m x k] * B[k x n] (+ bias[n]), int32 accumulation, then requantised to int8
 * (q) or, with out_raw, stored as int32. Row-major, any m, k, n >= 1.
 * int4: A rows are ceil(k/2) bytes of packed nibbles (element 2j in the low nibble of byte j),
 * B is ceil(k/2) rows of n bytes, byte c of row j holding B[2j][c] (low) and B[2j+1][c] (high);
 * an odd k is padded with zero nibbles. lda/ldb/ldc are in bytes. */
struct nrt_gemm {
  uint32_t m, k, n;
  uint32_t a, lda;
  uint32_t b, ldb;
  uint32_t c, ldc;
  uint32_t bias; /* DRAM address of n int32, or 0 */
  bool int4;
  bool out_raw;
  struct nrt_requant q;
};
int nrt_gemm(struct nrt* rt, const struct nrt_gemm* g);

/* ---- conv2d, NHWC int8, one image ----
 * in[h][w][c], weights HWIO w[kh][kw][c][oc], out[oh][ow][oc] with oh = (h + 2 pad - kh) /
 * stride + 1 (likewise ow); zero padding. No im2col: every (kh, kw, 16-channel) slice is one
 * strided DMA per output row into the scratchpad, accumulated by matmul. Dense tensors. */
struct nrt_conv2d {
  uint32_t h, w, c, oc;
  uint32_t kh, kw, stride, pad;
  uint32_t in, weights, bias, out; /* bias: oc int32 or 0 */
  bool out_raw;
  struct nrt_requant q;
};
int nrt_conv2d(struct nrt* rt, const struct nrt_conv2d* p);

/* ---- Sparse ----
 * C[rows x n] = A (CSR: row_ptr[rows + 1], col_idx, values int8) * B[k x n] int8 (row stride
 * ldb), over column blocks of 16; out int32 (out_raw) or requantised int8, row stride ldc. */
struct nrt_spmm {
  uint32_t rows, k, n;
  uint32_t row_ptr, col_idx, values;
  uint32_t b, ldb;
  uint32_t c, ldc;
  bool out_raw;
  struct nrt_requant q;
};
int nrt_spmm(struct nrt* rt, const struct nrt_spmm* s);
/* y[rows] int32 = A (CSR) * x[k] int8. */
int nrt_spmv(struct nrt* rt, uint32_t rows, uint32_t k, uint32_t row_ptr, uint32_t col_idx, uint32_t values,
             uint32_t x, uint32_t y);

/* Embedding gather: out[i] = table[index[i]] (int8 rows of `cols`, row strides in bytes). */
int nrt_gather(struct nrt* rt, uint32_t index, uint32_t count, uint32_t table, uint32_t table_rows,
               uint32_t table_stride, uint32_t cols, uint32_t out, uint32_t out_stride);
/* table[index[i]] = src[i] (int8 rows), or with add: table[index[i]] += src[i] (int32 rows,
 * wrapping; duplicates all add up). Rows are written in index order (last one wins). */
int nrt_scatter(struct nrt* rt, uint32_t index, uint32_t count, uint32_t table, uint32_t table_rows,
                uint32_t table_stride, uint32_t cols, uint32_t src, uint32_t src_stride, bool add);

/* ---- Element-wise and row operations on matrices of any size ----
 * A matrix in DRAM: int8 (staged in the scratchpad) or int32 (staged in the accumulator). The
 * destination's type decides saturation (int8 / int32), as the vector unit does. */
enum nrt_type { NRT_I8 = 0, NRT_I32 = 1 };
struct nrt_mat {
  uint32_t addr;
  uint32_t rows, cols;
  uint32_t stride; /* bytes between rows */
  enum nrt_type type;
};
/* Element-wise vector funct (NPU_FN_ADD .. NPU_FN_SILU) of a (and b for add, max, mul) into
 * out; same shapes; flags NPU_FLAG_RELU where the funct takes it. */
int nrt_eltwise(struct nrt* rt, uint32_t funct, const struct nrt_mat* a, const struct nrt_mat* b,
                const struct nrt_mat* out, int32_t imm0, int32_t imm1, int32_t imm2, uint32_t flags);
/* out = clamp(round_shift(a * multiplier, shift) + zero_point) (relu: at least zero_point). */
int nrt_requant(struct nrt* rt, const struct nrt_mat* a, const struct nrt_mat* out, int32_t multiplier,
                uint32_t shift, int32_t zero_point, bool relu);
/* out = isilu(a) in Q.f. */
int nrt_silu(struct nrt* rt, const struct nrt_mat* a, const struct nrt_mat* out, uint32_t f);
/* Row softmax (Q.f in, Q0.15 out, differences clipped at -clip) and RMSNorm (Q.q out). Rows of
 * at most 4096 elements. */
int nrt_softmax(struct nrt* rt, const struct nrt_mat* a, const struct nrt_mat* out, uint32_t f,
                uint32_t clip);
int nrt_rmsnorm(struct nrt* rt, const struct nrt_mat* a, const struct nrt_mat* out, uint32_t q);
/* Per-row dynamic quantisation: out int8 (-127..127), amax[rows] int32. */
int nrt_quant(struct nrt* rt, const struct nrt_mat* a, const struct nrt_mat* out, uint32_t amax);
/* index[rows] int32 of the first maximum of each row. */
int nrt_argmax(struct nrt* rt, const struct nrt_mat* a, uint32_t index);

#endif /* NVR_FW_NPU_RT_H */
