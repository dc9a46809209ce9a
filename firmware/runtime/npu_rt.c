/* NPU runtime: tiling of whole operations onto the local memories (see README.md). Double
 * buffering relies on the NPU's row-hazard tracking (ISA.md, "Execution and dependencies"): a
 * load into one buffer waits only for the earlier instructions that still read it, so the next
 * tile's DMA runs while the current one computes. */
#include "npu_rt.h"

#include <stddef.h>

#include "memory_map.h"

/* Zero rows for padding: an mvin of `rows` rows with stride 0 (int8 or int32). */
static uint8_t g_zero[64] __attribute__((aligned(64)));

/* Local memory plan. Accumulator: two halves of 512 rows (output tiles, double-buffered).
 * GEMM scratchpad: B tiles in two slots of nt_block * 16 rows (at most 2048), A above them.
 * conv2d scratchpad: weights in [0, 8192), A in two slots of 512 rows above.
 * Vector ops: per half h, scratchpad rows h * 8192 (+0 a, +2048 b), accumulator rows h * 512
 * (+0 a, +256 b / aux), at most VEC_CAP rows per operand. */
#define ACC_HALF 512u
#define GEMM_B_SLOT 2048u
#define CONV_W_ROWS 8192u
#define CONV_A_BASE 8192u
#define VEC_CAP 256u
#define VEC_SPAD_HALF 8192u
#define VEC_SPAD_B 2048u
#define VEC_ACC_B 256u
#define GATHER_CAP 4096u

static uint32_t min_u(uint32_t a, uint32_t b) { return a < b ? a : b; }
static uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }
static uint32_t zero_addr(void) { return (uint32_t)(uintptr_t)g_zero; }
static uint32_t* slot(struct nrt* rt) { return npu_slot(&rt->ring); }

bool nrt_init(struct nrt* rt, uint32_t* slots, uint32_t ring_size) {
  rt->tag = 0;
  rt->dram_dirty = false;
  rt->wait_each = false;
  rt->interrupts = false;
  return npu_init(&rt->ring, slots, ring_size);
}

uint32_t nrt_wait(struct nrt* rt) {
  npu_irq(slot(rt), ++rt->tag);
  const uint32_t error = rt->interrupts ? npu_wait_irq(&rt->ring, rt->tag) : npu_wait(&rt->ring);
  rt->dram_dirty = false;
  return error;
}

void nrt_use_interrupts(struct nrt* rt) {
  npu_use_interrupts();
  rt->interrupts = true;
}

uint64_t nrt_cycles(void) {
  uint32_t hi, lo;
  do {
    hi = npu_read(NPU_REG_CYCLES_HI);
    lo = npu_read(NPU_REG_CYCLES_LO);
  } while (npu_read(NPU_REG_CYCLES_HI) != hi);
  return ((uint64_t)hi << 32) | lo;
}

/* DRAM is not tracked by the NPU: a call that reads what an earlier call may still be writing
 * starts with a fence. */
static void begin(struct nrt* rt) {
  if (rt->dram_dirty) npu_fence(slot(rt));
}

static int end(struct nrt* rt) {
  rt->dram_dirty = true;
  if (!rt->wait_each) return NRT_OK;
  return (int)nrt_wait(rt);
}

static void config_store(struct nrt* rt, const struct nrt_requant* q) {
  npu_config_store(slot(rt), q->multiplier, q->shift, q->zero_point, q->clip_min, q->clip_max);
}

/* Zero-fills spad rows [row, row + count) (lanes 0..15). */
static void zero_spad(struct nrt* rt, uint32_t row, uint32_t count) {
  if (count != 0) npu_mvin(slot(rt), zero_addr(), npu_spad(row), count, 16, 0, 0);
}

/* ---- GEMM ---- */

int nrt_gemm(struct nrt* rt, const struct nrt_gemm* g) {
  if (g->m == 0 || g->k == 0 || g->n == 0) return NRT_EINVAL;
  /* K in scratchpad bytes: int4 packs two values per byte, 32 per row. */
  const uint32_t kb = g->int4 ? ceil_div(g->k, 2) : g->k;
  const uint32_t kt_count = ceil_div(kb, 16), nt_count = ceil_div(g->n, 16);
  const uint32_t mm_flags = g->int4 ? NPU_FLAG_INT4 : 0;
  const uint32_t out_size = g->out_raw ? 4 : 1;
  /* Output tile: tm rows x nt_block column tiles in one accumulator half; B's two slots of
   * nt_block tiles at the bottom of the scratchpad, A above them: all of a row block's K slices
   * when they fit (resident), else (long K) two slots its slices stream through. */
  const uint32_t tm = min_u(g->m, 256);
  const uint32_t nt_block = min_u(nt_count, min_u(ACC_HALF / tm, GEMM_B_SLOT / 16));
  const uint32_t b_slot = nt_block * 16, a_base = 2 * b_slot;
  const bool a_resident = tm * kt_count <= NPU_SPAD_ROWS - a_base;
  begin(rt);
  if (!g->out_raw) config_store(rt, &g->q);
  uint32_t b_iter = 0, a_iter = 0, out_iter = 0;
  for (uint32_t m0 = 0; m0 < g->m; m0 += tm) {
    const uint32_t mr = min_u(tm, g->m - m0);
    for (uint32_t nt0 = 0; nt0 < nt_count; nt0 += nt_block) {
      const uint32_t nts = min_u(nt_block, nt_count - nt0);
      const uint32_t acc_base = (out_iter++ & 1) * ACC_HALF;
      if (g->bias)
        for (uint32_t j = 0; j < nts; j++) {
          const uint32_t n0 = (nt0 + j) * 16;
          npu_mvin(slot(rt), g->bias + n0 * 4, npu_acc(acc_base + j * mr), mr, min_u(16, g->n - n0), 0, 0);
        }
      for (uint32_t kt = 0; kt < kt_count; kt++) {
        const uint32_t kr = min_u(16, kb - kt * 16);
        uint32_t a_row;
        if (a_resident) {
          a_row = a_base + kt * tm;
          if (nt0 == 0) npu_mvin(slot(rt), g->a + m0 * g->lda + kt * 16, npu_spad(a_row), mr, kr, g->lda, 0);
        } else {
          a_row = a_base + (a_iter++ & 1) * tm;
          npu_mvin(slot(rt), g->a + m0 * g->lda + kt * 16, npu_spad(a_row), mr, kr, g->lda, 0);
        }
        /* B tiles of this K slice; rows past K are zero so that stale A lanes add nothing. */
        const uint32_t b_row = (b_iter++ & 1) * b_slot;
        for (uint32_t j = 0; j < nts; j++) {
          const uint32_t n0 = (nt0 + j) * 16;
          npu_mvin(slot(rt), g->b + kt * 16 * g->ldb + n0, npu_spad(b_row + j * 16), kr, min_u(16, g->n - n0),
                   g->ldb, 0);
          zero_spad(rt, b_row + j * 16 + kr, 16 - kr);
        }
        for (uint32_t j = 0; j < nts; j++) {
          const uint32_t c_row = acc_base + j * mr;
          const bool accumulate = kt > 0 || g->bias != 0;
          npu_matmul(slot(rt), npu_spad(a_row), npu_spad(b_row + j * 16),
                     accumulate ? npu_acc_add(c_row) : npu_acc(c_row), mr, mm_flags);
        }
      }
      for (uint32_t j = 0; j < nts; j++) {
        const uint32_t n0 = (nt0 + j) * 16;
        npu_mvout(slot(rt), g->c + m0 * g->ldc + n0 * out_size, npu_acc(acc_base + j * mr), mr,
                  min_u(16, g->n - n0), g->ldc, g->out_raw ? NPU_FLAG_RAW : 0);
      }
    }
  }
  return end(rt);
}

/* ---- conv2d ---- */

/* The A tile of one (kh, kw, channel slice): output pixels [p0, p0 + mr) into spad rows from
 * `row`; pixels whose input lies in the padding get zero rows. */
static void conv_load_a(struct nrt* rt, const struct nrt_conv2d* p, uint32_t ow_count, uint32_t p0,
                        uint32_t mr, uint32_t kh, uint32_t kw, uint32_t c0, uint32_t cr, uint32_t row) {
  /* Valid output columns for this kw: 0 <= ow * stride + kw - pad < w. */
  const int32_t s = (int32_t)p->stride, pad = (int32_t)p->pad;
  int32_t lo = pad - (int32_t)kw <= 0 ? 0 : (pad - (int32_t)kw + s - 1) / s;
  int32_t hi = ((int32_t)p->w - 1 + pad - (int32_t)kw) < 0 ? -1 : ((int32_t)p->w - 1 + pad - (int32_t)kw) / s;
  if (hi > (int32_t)ow_count - 1) hi = (int32_t)ow_count - 1;
  for (uint32_t q = p0; q < p0 + mr;) {
    const uint32_t oh = q / ow_count, ow_first = q % ow_count;
    const uint32_t ow_end = min_u(ow_count, ow_first + (p0 + mr - q));
    const uint32_t dst = row + (q - p0);
    const int32_t ih = (int32_t)(oh * p->stride + kh) - pad;
    if (ih < 0 || ih >= (int32_t)p->h || lo > hi) {
      zero_spad(rt, dst, ow_end - ow_first);
    } else {
      const uint32_t v_lo = (uint32_t)lo > ow_first ? (uint32_t)lo : ow_first;
      const uint32_t v_end = (uint32_t)hi + 1 < ow_end ? (uint32_t)hi + 1 : ow_end;
      if (v_lo >= v_end) {
        zero_spad(rt, dst, ow_end - ow_first);
      } else {
        zero_spad(rt, dst, v_lo - ow_first);
        const uint32_t iw = v_lo * p->stride + kw - p->pad;
        npu_mvin(slot(rt), p->in + ((uint32_t)ih * p->w + iw) * p->c + c0, npu_spad(dst + (v_lo - ow_first)),
                 v_end - v_lo, cr, p->stride * p->c, 0);
        zero_spad(rt, dst + (v_end - ow_first), ow_end - v_end);
      }
    }
    q += ow_end - ow_first;
  }
}

int nrt_conv2d(struct nrt* rt, const struct nrt_conv2d* p) {
  if (p->h == 0 || p->w == 0 || p->c == 0 || p->oc == 0 || p->kh == 0 || p->kw == 0 || p->stride == 0 ||
      p->h + 2 * p->pad < p->kh || p->w + 2 * p->pad < p->kw)
    return NRT_EINVAL;
  const uint32_t oh = (p->h + 2 * p->pad - p->kh) / p->stride + 1;
  const uint32_t ow = (p->w + 2 * p->pad - p->kw) / p->stride + 1;
  const uint32_t pixels = oh * ow;
  const uint32_t ct_count = ceil_div(p->c, 16), nt_count = ceil_div(p->oc, 16);
  const uint32_t taps = p->kh * p->kw * ct_count;
  /* Weights of nt_block output-channel tiles stay in the scratchpad; tm pixels per tile. */
  uint32_t nt_block = min_u(nt_count, min_u(32, CONV_W_ROWS / (taps * 16)));
  if (nt_block == 0) return NRT_EINVAL;
  const uint32_t tm = min_u(pixels, ACC_HALF / nt_block);
  const uint32_t out_size = p->out_raw ? 4 : 1;
  begin(rt);
  if (!p->out_raw) config_store(rt, &p->q);
  uint32_t a_iter = 0, out_iter = 0;
  for (uint32_t nt0 = 0; nt0 < nt_count; nt0 += nt_block) {
    const uint32_t nts = min_u(nt_block, nt_count - nt0);
    /* Weight tile (tap, j) at spad row (tap * nts + j) * 16; rows past C are zero. */
    for (uint32_t kh = 0; kh < p->kh; kh++)
      for (uint32_t kw = 0; kw < p->kw; kw++)
        for (uint32_t ct = 0; ct < ct_count; ct++) {
          const uint32_t tap = (kh * p->kw + kw) * ct_count + ct, cr = min_u(16, p->c - ct * 16);
          for (uint32_t j = 0; j < nts; j++) {
            const uint32_t n0 = (nt0 + j) * 16, row = (tap * nts + j) * 16;
            npu_mvin(slot(rt), p->weights + ((kh * p->kw + kw) * p->c + ct * 16) * p->oc + n0, npu_spad(row),
                     cr, min_u(16, p->oc - n0), p->oc, 0);
            zero_spad(rt, row + cr, 16 - cr);
          }
        }
    for (uint32_t p0 = 0; p0 < pixels; p0 += tm) {
      const uint32_t mr = min_u(tm, pixels - p0);
      const uint32_t acc_base = (out_iter++ & 1) * ACC_HALF;
      if (p->bias)
        for (uint32_t j = 0; j < nts; j++) {
          const uint32_t n0 = (nt0 + j) * 16;
          npu_mvin(slot(rt), p->bias + n0 * 4, npu_acc(acc_base + j * mr), mr, min_u(16, p->oc - n0), 0, 0);
        }
      for (uint32_t kh = 0; kh < p->kh; kh++)
        for (uint32_t kw = 0; kw < p->kw; kw++)
          for (uint32_t ct = 0; ct < ct_count; ct++) {
            const uint32_t tap = (kh * p->kw + kw) * ct_count + ct, cr = min_u(16, p->c - ct * 16);
            const uint32_t a_row = CONV_A_BASE + (a_iter++ & 1) * ACC_HALF;
            conv_load_a(rt, p, ow, p0, mr, kh, kw, ct * 16, cr, a_row);
            for (uint32_t j = 0; j < nts; j++) {
              const uint32_t c_row = acc_base + j * mr;
              const bool accumulate = tap > 0 || p->bias != 0;
              npu_matmul(slot(rt), npu_spad(a_row), npu_spad((tap * nts + j) * 16),
                         accumulate ? npu_acc_add(c_row) : npu_acc(c_row), mr, 0);
            }
          }
      for (uint32_t j = 0; j < nts; j++) {
        const uint32_t n0 = (nt0 + j) * 16;
        npu_mvout(slot(rt), p->out + (p0 * p->oc + n0) * out_size, npu_acc(acc_base + j * mr), mr,
                  min_u(16, p->oc - n0), p->oc * out_size, p->out_raw ? NPU_FLAG_RAW : 0);
      }
    }
  }
  return end(rt);
}

/* ---- Sparse ---- */

int nrt_spmm(struct nrt* rt, const struct nrt_spmm* s) {
  if (s->rows == 0 || s->k == 0 || s->n == 0) return NRT_EINVAL;
  const uint32_t out_size = s->out_raw ? 4 : 1;
  begin(rt);
  if (!s->out_raw) config_store(rt, &s->q);
  npu_config_sparse(slot(rt), s->row_ptr, s->col_idx, s->values, s->k);
  uint32_t iter = 0;
  for (uint32_t r0 = 0; r0 < s->rows; r0 += ACC_HALF) {
    const uint32_t rr = min_u(ACC_HALF, s->rows - r0);
    for (uint32_t n0 = 0; n0 < s->n; n0 += 16) {
      const uint32_t nr = min_u(16, s->n - n0), acc_base = (iter++ & 1) * ACC_HALF;
      npu_spmm(slot(rt), s->b + n0, s->ldb, r0, rr, npu_acc(acc_base), nr);
      npu_mvout(slot(rt), s->c + r0 * s->ldc + n0 * out_size, npu_acc(acc_base), rr, nr, s->ldc,
                s->out_raw ? NPU_FLAG_RAW : 0);
    }
  }
  return end(rt);
}

int nrt_spmv(struct nrt* rt, uint32_t rows, uint32_t k, uint32_t row_ptr, uint32_t col_idx, uint32_t values,
             uint32_t x, uint32_t y) {
  const struct nrt_spmm s = {.rows = rows,
                             .k = k,
                             .n = 1,
                             .row_ptr = row_ptr,
                             .col_idx = col_idx,
                             .values = values,
                             .b = x,
                             .ldb = 1,
                             .c = y,
                             .ldc = 4,
                             .out_raw = true};
  return nrt_spmm(rt, &s);
}

int nrt_gather(struct nrt* rt, uint32_t index, uint32_t count, uint32_t table, uint32_t table_rows,
               uint32_t table_stride, uint32_t cols, uint32_t out, uint32_t out_stride) {
  if (count == 0 || cols == 0 || table_rows == 0) return NRT_EINVAL;
  begin(rt);
  uint32_t iter = 0;
  for (uint32_t i0 = 0; i0 < count; i0 += GATHER_CAP) {
    const uint32_t cnt = min_u(GATHER_CAP, count - i0);
    for (uint32_t c0 = 0; c0 < cols; c0 += 16) {
      const uint32_t cr = min_u(16, cols - c0), row = (iter++ & 1) * GATHER_CAP;
      npu_gather(slot(rt), index + i0 * 4, cnt, table + c0, table_rows, table_stride, npu_spad(row), cr, 0);
      npu_mvout(slot(rt), out + i0 * out_stride + c0, npu_spad(row), cnt, cr, out_stride, 0);
    }
  }
  return end(rt);
}

int nrt_scatter(struct nrt* rt, uint32_t index, uint32_t count, uint32_t table, uint32_t table_rows,
                uint32_t table_stride, uint32_t cols, uint32_t src, uint32_t src_stride, bool add) {
  if (count == 0 || cols == 0 || table_rows == 0) return NRT_EINVAL;
  const uint32_t size = add ? 4 : 1, cap = add ? ACC_HALF : GATHER_CAP;
  begin(rt);
  uint32_t iter = 0;
  for (uint32_t i0 = 0; i0 < count; i0 += cap) {
    /* A later chunk may read (add) or overwrite rows an earlier one wrote. */
    if (i0 != 0) npu_fence(slot(rt));
    const uint32_t cnt = min_u(cap, count - i0);
    for (uint32_t c0 = 0; c0 < cols; c0 += 16) {
      const uint32_t cr = min_u(16, cols - c0), row = (iter++ & 1) * cap;
      const uint32_t local = add ? npu_acc(row) : npu_spad(row);
      npu_mvin(slot(rt), src + i0 * src_stride + c0 * size, local, cnt, cr, src_stride, 0);
      npu_scatter(slot(rt), index + i0 * 4, cnt, table + c0 * size, table_rows, table_stride, local, cr,
                  add ? NPU_FLAG_ADD : 0);
    }
  }
  return end(rt);
}

/* ---- Vector operations ----
 * Matrix row t of a chunk occupies rpv = ceil(cols / 16) consecutive local rows, the layout of
 * the row functs; element-wise functs run over the same rows (lanes past cols are computed and
 * never stored). */

static uint32_t elem_size(const struct nrt_mat* m) { return m->type == NRT_I32 ? 4 : 1; }

static uint32_t local_of(enum nrt_type type, uint32_t half, bool second) {
  if (type == NRT_I32) return npu_acc(half * ACC_HALF + (second ? VEC_ACC_B : 0));
  return npu_spad(half * VEC_SPAD_HALF + (second ? VEC_SPAD_B : 0));
}

/* Moves rows [r0, r0 + count) of m between DRAM and local rows from laddr (rpv rows each). */
static void move_rows(struct nrt* rt, const struct nrt_mat* m, uint32_t r0, uint32_t count, uint32_t laddr,
                      bool out) {
  const uint32_t size = elem_size(m), rpv = ceil_div(m->cols, 16);
  const uint32_t base = m->addr + r0 * m->stride;
  const uint32_t flags = out && m->type == NRT_I32 ? NPU_FLAG_RAW : 0;
  void (*move)(uint32_t*, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t) =
      out ? npu_mvout : npu_mvin;
  if (rpv == 1) {
    move(slot(rt), base, laddr, count, m->cols, m->stride, flags);
  } else if (m->cols % 16 == 0 && m->stride == m->cols * size) {
    move(slot(rt), base, laddr, count * rpv, 16, 16 * size, flags);
  } else {
    const uint32_t full = m->cols / 16, tail = m->cols % 16;
    for (uint32_t t = 0; t < count; t++) {
      const uint32_t row = base + t * m->stride, local = laddr + t * rpv;
      if (full) move(slot(rt), row, local, full, 16, 16 * size, flags);
      if (tail) move(slot(rt), row + full * 16 * size, local + full, 1, tail, 0, flags);
    }
  }
}

/* A per-row result vector (lane t % 16 of row laddr + t / 16) to count int32 at dram. */
static void store_lanes(struct nrt* rt, uint32_t laddr, uint32_t count, uint32_t dram) {
  const uint32_t full = count / 16, tail = count % 16;
  if (full) npu_mvout(slot(rt), dram, laddr, full, 16, 64, NPU_FLAG_RAW);
  if (tail) npu_mvout(slot(rt), dram + full * 64, laddr + full, 1, tail, 0, NPU_FLAG_RAW);
}

static bool same_shape(const struct nrt_mat* a, const struct nrt_mat* b) {
  return a->rows == b->rows && a->cols == b->cols;
}

/* Row layout: at most VEC_CAP local rows (4096 elements) per matrix row. */
static bool valid_mat(const struct nrt_mat* m) {
  return m->rows != 0 && m->cols != 0 && m->cols <= VEC_CAP * 16 &&
         (m->rows == 1 || m->stride >= m->cols * elem_size(m));
}

static bool contiguous(const struct nrt_mat* m) {
  return m->rows != 0 && m->cols != 0 && (m->rows == 1 || m->stride == m->cols * elem_size(m));
}

/* Elements [first, first + rows * cols) of a contiguous matrix as rows of `cols`. */
static struct nrt_mat flat(const struct nrt_mat* m, uint32_t first, uint32_t rows, uint32_t cols) {
  const struct nrt_mat f = {m->addr + first * elem_size(m), rows, cols, cols * elem_size(m), m->type};
  return f;
}

/* One vector op over chunks of rows: load a (and b), vector, store out (and the per-row aux). */
static int vector_op(struct nrt* rt, uint32_t funct, const struct nrt_mat* a, const struct nrt_mat* b,
                     const struct nrt_mat* out, uint32_t aux, int32_t imm0, int32_t imm1, int32_t imm2,
                     uint32_t flags) {
  if (!valid_mat(a) || (b && (!valid_mat(b) || !same_shape(a, b))) ||
      (out && (!valid_mat(out) || !same_shape(a, out))))
    return NRT_EINVAL;
  const bool row_op = funct >= NPU_FN_SOFTMAX;
  const uint32_t rpv = ceil_div(a->cols, 16), chunk = VEC_CAP / rpv;
  begin(rt);
  for (uint32_t r0 = 0, iter = 0; r0 < a->rows; r0 += chunk, iter++) {
    const uint32_t count = min_u(chunk, a->rows - r0), half = iter & 1;
    const uint32_t la = local_of(a->type, half, false);
    move_rows(rt, a, r0, count, la, false);
    uint32_t lb = 0, ld = 0;
    if (b) {
      lb = local_of(b->type, half, true);
      move_rows(rt, b, r0, count, lb, false);
    }
    if (funct == NPU_FN_QUANT) lb = local_of(NRT_I32, half, true);
    /* The destination: in place when it is in a's memory, else that memory's first region;
     * argmax writes its per-row indices to the accumulator's second region. */
    if (funct == NPU_FN_ARGMAX)
      ld = local_of(NRT_I32, half, true);
    else
      ld = local_of(out->type, half, false);
    const uint32_t length = row_op ? a->cols : 0, rows = row_op ? count : count * rpv;
    npu_vector(slot(rt), funct, la, lb, ld, rows, length, (uint32_t)imm0, (uint32_t)imm1, (uint32_t)imm2,
               flags);
    if (out) move_rows(rt, out, r0, count, ld, true);
    if (aux) store_lanes(rt, funct == NPU_FN_QUANT ? lb : ld, count, aux + r0 * 4);
  }
  return end(rt);
}

int nrt_eltwise(struct nrt* rt, uint32_t funct, const struct nrt_mat* a, const struct nrt_mat* b,
                const struct nrt_mat* out, int32_t imm0, int32_t imm1, int32_t imm2, uint32_t flags) {
  const bool binary = funct == NPU_FN_ADD || funct == NPU_FN_MAX || funct == NPU_FN_MUL;
  if (funct > NPU_FN_SILU || binary != (b != NULL) || out == NULL || (flags & NPU_FLAG_ROW_SCALAR) ||
      !same_shape(a, out) || (b && !same_shape(a, b)))
    return NRT_EINVAL;
  /* Strided operands keep the row layout (and its row-length limit, checked by vector_op). */
  if (!(contiguous(a) && contiguous(out) && (b == NULL || contiguous(b))))
    return vector_op(rt, funct, a, b, out, 0, imm0, imm1, imm2, flags);
  /* Dense operands: the same op on the elements as rows of 16 (one DMA per chunk instead of one
   * or two per matrix row), then the last n % 16 elements. The two parts touch disjoint DRAM. */
  const uint32_t n = a->rows * a->cols, full = n / 16, tail = n % 16;
  const bool dirty = rt->dram_dirty;
  int result = NRT_OK;
  for (int part = 0; part < 2 && result == NRT_OK; part++) {
    const uint32_t rows = part == 0 ? full : (tail ? 1 : 0), cols = part == 0 ? 16 : tail;
    if (rows == 0) continue;
    const uint32_t first = part == 0 ? 0 : full * 16;
    const struct nrt_mat fa = flat(a, first, rows, cols), fo = flat(out, first, rows, cols);
    const struct nrt_mat fb = b ? flat(b, first, rows, cols) : fa;
    rt->dram_dirty = dirty;
    result = vector_op(rt, funct, &fa, b ? &fb : NULL, &fo, 0, imm0, imm1, imm2, flags);
  }
  return result;
}

int nrt_requant(struct nrt* rt, const struct nrt_mat* a, const struct nrt_mat* out, int32_t multiplier,
                uint32_t shift, int32_t zero_point, bool relu) {
  return nrt_eltwise(rt, NPU_FN_REQUANT, a, NULL, out, multiplier, (int32_t)shift, zero_point,
                     relu ? NPU_FLAG_RELU : 0);
}

int nrt_silu(struct nrt* rt, const struct nrt_mat* a, const struct nrt_mat* out, uint32_t f) {
  return nrt_eltwise(rt, NPU_FN_SILU, a, NULL, out, (int32_t)f, 0, 0, 0);
}

int nrt_softmax(struct nrt* rt, const struct nrt_mat* a, const struct nrt_mat* out, uint32_t f,
                uint32_t clip) {
  if (out == NULL) return NRT_EINVAL;
  return vector_op(rt, NPU_FN_SOFTMAX, a, NULL, out, 0, (int32_t)f, (int32_t)clip, 0, 0);
}

int nrt_rmsnorm(struct nrt* rt, const struct nrt_mat* a, const struct nrt_mat* out, uint32_t q) {
  if (out == NULL) return NRT_EINVAL;
  return vector_op(rt, NPU_FN_RMSNORM, a, NULL, out, 0, (int32_t)q, 0, 0, 0);
}

int nrt_quant(struct nrt* rt, const struct nrt_mat* a, const struct nrt_mat* out, uint32_t amax) {
  if (out == NULL || out->type != NRT_I8 || amax == 0) return NRT_EINVAL;
  return vector_op(rt, NPU_FN_QUANT, a, NULL, out, amax, 0, 0, 0, 0);
}

int nrt_argmax(struct nrt* rt, const struct nrt_mat* a, uint32_t index) {
  if (index == 0) return NRT_EINVAL;
  return vector_op(rt, NPU_FN_ARGMAX, a, NULL, NULL, index, 0, 0, 0, 0);
}
