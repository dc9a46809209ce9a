/* det: the PillarHist detection workload (issue #8) on the NPU, from the KITTI scan's points to the
 * centre-heatmap peaks, checked bit for bit against the host reference's golden outputs in the
 * image (workloads/det, det_image.h). The weights are seeded synthetic.
 *
 * CPU: the points-to-pillars assignment (first-occurrence order and the two caps are sequential
 * control flow), the peak search and the checks. NPU: fills, the histogram (scatter-add), the
 * features (npu_features: counts, means by reciprocal gathers), Linear (GEMM and det_requant), the
 * canvas (scatter), the CFWS backbone (cfws_conv, with per-channel requant), the head (GEMM). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "det_image.h"
#include "workload.h"

#define RING_SLOTS 512u
static uint32_t g_slots[RING_SLOTS * NPU_INSN_WORDS] __attribute__((aligned(32)));
/* The source of the NPU's zero fills: one scratchpad row, replicated by an mvin of stride 0. */
static uint8_t g_zero[16] __attribute__((aligned(64)));
static const uint8_t g_ones[16] __attribute__((aligned(64))) = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static struct wl_image g_img;
static struct nrt g_rt;
static struct wl_profile g_prof;

static uint32_t bus(const void* p) { return (uint32_t)(uintptr_t)p; }
static uint32_t min_u(uint32_t a, uint32_t b) { return a < b ? a : b; }

/* Work buffers: a bump allocator over the heap region of the linker script, 64-byte aligned (DMA
 * rows and int32 data). picolibc's malloc spends ~37 ms of simulated time on a 3 MiB block. */
extern uint8_t __heap_start[], __heap_end[];
static uintptr_t g_heap_next;

static void* alloc(uint32_t bytes) {
  if (g_heap_next == 0) g_heap_next = (uintptr_t)__heap_start;
  const uintptr_t p = (g_heap_next + 63u) & ~(uintptr_t)63u;
  if (p > (uintptr_t)__heap_end || bytes > (uintptr_t)__heap_end - p)
    wl_fail(&g_img, WL_EXIT_FAIL, "out of memory for the work buffers");
  g_heap_next = p + bytes;
  return (void*)p;
}

static void check_call(int result, const char* what) {
  if (result != NRT_OK) {
    printf("det: error: the runtime refused %s (%d)\n", what, result);
    wl_fail(&g_img, WL_EXIT_FAIL, "NPU runtime call refused");
  }
}

static void check_npu(uint32_t error) {
  if (error != NPU_ERR_NONE) {
    const struct npu_fault f = npu_fault();
    printf("det: error: NPU %s (instruction %" PRIu32 ", info 0x%08" PRIx32 ")\n", npu_error_name(error),
           f.index, f.info);
    wl_fail(&g_img, WL_EXIT_NPU, "the NPU reported an error");
  }
}

static void end_layer(void) { check_npu(wl_layer_end(&g_prof, &g_rt)); }

/* As the runtime's calls: DRAM is not tracked, so start after whatever is still writing it. */
static void begin_npu(void) {
  if (g_rt.dram_dirty) npu_fence(npu_slot(&g_rt.ring));
}

/* ---- NPU kernels the runtime does not offer ---- */

#define FILL_ROW 12288u /* scratchpad rows [12288, 16384): the replicated fill row */
#define FILL_ROWS 4096u

/* Every 16 bytes of DRAM [dram, dram + bytes) = `row` (zeros, or all ones for -1): 64 KiB per
 * mvout of the row replicated in the scratchpad. */
static void npu_fill(uint32_t dram, uint32_t bytes, const uint8_t* row) {
  begin_npu();
  const uint32_t rows = bytes / 16u, tail = bytes % 16u;
  npu_mvin(npu_slot(&g_rt.ring), bus(row), npu_spad(FILL_ROW), FILL_ROWS, 16, 0, 0);
  for (uint32_t r0 = 0; r0 < rows; r0 += FILL_ROWS)
    npu_mvout(npu_slot(&g_rt.ring), dram + r0 * 16u, npu_spad(FILL_ROW), min_u(FILL_ROWS, rows - r0), 16, 16,
              0);
  if (tail) npu_mvout(npu_slot(&g_rt.ring), dram + rows * 16u, npu_spad(FILL_ROW), 1, tail, 0, 0);
  g_rt.dram_dirty = true;
}

static void npu_zero(uint32_t dram, uint32_t bytes) { npu_fill(dram, bytes, g_zero); }

/* Per-channel requant of int32 m x n (row-major) to int8 (the runtime's is per tensor):
 *   out[r][c] = clamp(round_shift(a[r][c] * mult[c], shift), clip_min, 127)
 * In the accumulator, per tile of 16 channels: mult replicated over 256 rows (mvin with stride 0,
 * once per tile), a's rows in two alternating buffers of 256, vector `mul` by mult at the shared
 * shift, then mvout through config.store (1, 0, 0, clip_min, 127). */
#define RQ_MULT 0u
#define RQ_BUF 256u
#define RQ_ROWS 256u
static void det_requant(uint32_t a, uint32_t mult, uint32_t m, uint32_t n, uint32_t shift, int32_t clip_min,
                        uint32_t out) {
  begin_npu();
  struct npu_ring* ring = &g_rt.ring;
  npu_config_store(npu_slot(ring), 1, 0, 0, clip_min, 127);
  uint32_t iter = 0;
  for (uint32_t n0 = 0; n0 < n; n0 += 16) {
    const uint32_t nr = min_u(16, n - n0);
    npu_mvin(npu_slot(ring), mult + n0 * 4u, npu_acc(RQ_MULT), RQ_ROWS, nr, 0, 0);
    for (uint32_t r0 = 0; r0 < m; r0 += RQ_ROWS) {
      const uint32_t rr = min_u(RQ_ROWS, m - r0), buf = RQ_BUF + (iter++ & 1u) * RQ_ROWS;
      npu_mvin(npu_slot(ring), a + (r0 * n + n0) * 4u, npu_acc(buf), rr, nr, n * 4u, 0);
      npu_vector(npu_slot(ring), NPU_FN_MUL, npu_acc(buf), npu_acc(RQ_MULT), npu_acc(buf), rr, 0, shift, 0, 0,
                 0);
      npu_mvout(npu_slot(ring), out + r0 * n + n0, npu_acc(buf), rr, nr, n, 0);
    }
  }
  g_rt.dram_dirty = true;
}

/* The CFWS 3x3 convolution in one pass, NHWC int8 in and out (the runtime's conv2d has no
 * per-channel requant, and the coarse part would be a second pass through DRAM in int32):
 *   acc = (conv1x1_s(x, coarse) * pow2) + conv3x3_s(x, fine)   (pad 1, stride s)
 *   out = clamp(round_shift(acc * mult, shift), clip_min, 127)  per output channel
 * Per tile of output pixels, in the accumulator: the coarse matmuls on the centre tap's A tiles
 * (the 1x1 strided conv reads exactly the centre tap), vector `mul` by pow2 in place, then the nine
 * fine taps accumulate (the centre's A tiles are kept, not loaded twice), vector `mul` by mult at
 * the layer's shift, mvout through config.store's clip. pow2 and mult are replicated over a few
 * accumulator rows per 16 channels (mvin with stride 0), and the vector ops go that many rows at
 * a time. One output buffer, not two: the CPU writing the ring bounds the convs, and larger tiles
 * need fewer instructions (conv1, small canvas: 15.7k with double-buffered 192-pixel tiles, 9.2k
 * with 384-pixel tiles of whole rows and the padded input). */
#define CV_W_ROWS 8192u /* scratchpad: weight tiles from row 0 */
#define CV_CENTRE 8192u /* the centre tap's A tiles, one slot of CV_SLOT rows per channel slice */
#define CV_SLOT 512u
#define CV_MAX_SLICES 4u                           /* cin <= 64 */
#define CV_A (CV_CENTRE + CV_MAX_SLICES * CV_SLOT) /* two slots for the other taps */
#define CV_CONST 128u   /* accumulator: pow2 tile j at crow * j, mult tile j at 128 + crow * j */
#define CV_MAX_TILES 4u /* cout <= 64 */
#define CV_OUT 256u     /* output tiles: the 768 rows from 256 (one buffer: fewer, larger tiles) */

/* The padded map layout of the backbone's inputs: h x w cells of c channels, cell (y, x) at
 * ((y + 1) * (w + 1) + x + 1) * c, every other cell zero: one zero row above and below, and one
 * zero cell per row that is both the right neighbour of a row's last cell and the left one of the
 * next row's first (plus one after the bottom row). A 3x3 window with padding 1 then reads the
 * layout without a bounds case: one mvin per output row and tap, no zero-row instructions. */
static uint32_t padded_bytes(uint32_t h, uint32_t w, uint32_t c) { return ((h + 2) * (w + 1) + 2) * c; }
static uint32_t padded_cell(uint32_t y, uint32_t x, uint32_t w) { return (y + 1) * (w + 1) + x + 1; }

struct conv_geom {
  uint32_t w, c, stride, ow;
  uint32_t in; /* padded layout */
  bool flat;   /* stride 1: tile positions are oy * (w + 1) + ox, ox in 0..w (see padded_bytes) */
};

static void zero_rows(uint32_t row, uint32_t n) {
  if (n) npu_mvin(npu_slot(&g_rt.ring), bus(g_zero), npu_spad(row), n, 16, 0, 0);
}

/* The A tile of tap (kh, kw), channels [c0, c0 + cr), positions [p0, p0 + mr), into scratchpad
 * rows from `row`: input cell (oy s + kh - 1, ox s + kw - 1), padded; one strided mvin per
 * output row, or one for the whole tile when flat. */
static void conv_load(const struct conv_geom* g, uint32_t kh, uint32_t kw, uint32_t c0, uint32_t cr,
                      uint32_t p0, uint32_t mr, uint32_t row) {
  if (g->flat) {
    npu_mvin(npu_slot(&g_rt.ring), g->in + (p0 + kh * (g->w + 1) + kw) * g->c + c0, npu_spad(row), mr, cr,
             g->c, 0);
    return;
  }
  uint32_t oy = p0 / g->ow, ox = p0 % g->ow;
  for (uint32_t q = p0; q < p0 + mr; ++oy, ox = 0) {
    const uint32_t n = min_u(g->ow - ox, p0 + mr - q);
    npu_mvin(npu_slot(&g_rt.ring),
             g->in + ((oy * g->stride + kh) * (g->w + 1) + ox * g->stride + kw) * g->c + c0,
             npu_spad(row + (q - p0)), n, cr, g->stride * g->c, 0);
    q += n;
  }
}

static void cfws_conv(const struct det_layer* l, uint32_t in, uint32_t fine, uint32_t coarse, uint32_t pow2,
                      uint32_t mult, uint32_t out, bool out_padded) {
  const uint32_t cts = (l->cin + 15) / 16, nts = (l->cout + 15) / 16;
  if (cts > CV_MAX_SLICES || nts > CV_MAX_TILES || 10u * cts * nts * 16u > CV_W_ROWS)
    wl_fail(&g_img, WL_EXIT_IMAGE, "a backbone layer is larger than the CFWS kernel's plan");
  /* Flat tiles when the output goes to the padded layout too (its positions are then a fixed
   * offset away): the throw-away outputs land on pad cells, zeroed again at the end. */
  const bool flat = l->stride == 1 && out_padded;
  const struct conv_geom g = {l->w, l->cin, l->stride, l->ow, in, flat};
  const uint32_t pixels = l->oh * (flat ? l->ow + 1 : l->ow),
                 cap = min_u(CV_SLOT, (NPU_ACC_ROWS - CV_OUT) / nts);
  /* Else whole output rows per tile when one fits: a row split between two tiles costs a second
   * set of loads for every tap. */
  const uint32_t tm = min_u(pixels, flat || l->ow > cap ? cap : cap / l->ow * l->ow);
  /* pow2 and mult replicated over crow rows each: the vector ops go crow rows at a time. */
  const uint32_t crow = CV_CONST / nts;
  struct npu_ring* ring = &g_rt.ring;
  begin_npu();
  npu_config_store(npu_slot(ring), 1, 0, 0, l->clip_min, 127);
  /* Weight tile (tap, slice, j) at ((tap * cts + slice) * nts + j) * 16; the coarse one as tap 9.
   * Rows past cin are zero, so that stale A lanes add nothing. */
  for (uint32_t t = 0; t < 10; ++t)
    for (uint32_t ct = 0; ct < cts; ++ct)
      for (uint32_t j = 0; j < nts; ++j) {
        const uint32_t cr = min_u(16, l->cin - ct * 16), row = ((t * cts + ct) * nts + j) * 16;
        const uint32_t src = t < 9 ? fine + (t * l->cin + ct * 16) * l->cout : coarse + ct * 16 * l->cout;
        npu_mvin(npu_slot(ring), src + j * 16, npu_spad(row), cr, min_u(16, l->cout - j * 16), l->cout, 0);
        zero_rows(row + cr, 16 - cr);
      }
  for (uint32_t j = 0; j < nts; ++j) {
    const uint32_t nr = min_u(16, l->cout - j * 16);
    npu_mvin(npu_slot(ring), pow2 + j * 64, npu_acc(j * crow), crow, nr, 0, 0);
    npu_mvin(npu_slot(ring), mult + j * 64, npu_acc(CV_CONST + j * crow), crow, nr, 0, 0);
  }
  uint32_t a_iter = 0;
  for (uint32_t p0 = 0; p0 < pixels; p0 += tm) {
    const uint32_t mr = min_u(tm, pixels - p0), base = CV_OUT; /* tile j at base + j * mr */
    /* Coarse: the centre tap's A tiles (kept for the fine centre tap), times 2^k. */
    for (uint32_t ct = 0; ct < cts; ++ct) {
      conv_load(&g, 1, 1, ct * 16, min_u(16, l->cin - ct * 16), p0, mr, CV_CENTRE + ct * CV_SLOT);
      for (uint32_t j = 0; j < nts; ++j)
        npu_matmul(npu_slot(ring), npu_spad(CV_CENTRE + ct * CV_SLOT),
                   npu_spad(((9 * cts + ct) * nts + j) * 16),
                   ct ? npu_acc_add(base + j * mr) : npu_acc(base + j * mr), mr, 0);
    }
    for (uint32_t j = 0; j < nts; ++j)
      for (uint32_t r = 0; r < mr; r += crow)
        npu_vector(npu_slot(ring), NPU_FN_MUL, npu_acc(base + j * mr + r), npu_acc(j * crow),
                   npu_acc(base + j * mr + r), min_u(crow, mr - r), 0, 0, 0, 0, 0);
    /* Fine: the centre tap first (its A tiles are there), then the other eight. */
    for (uint32_t k = 0; k < 9; ++k) {
      const uint32_t t = k == 0 ? 4 : k <= 4 ? k - 1 : k;
      for (uint32_t ct = 0; ct < cts; ++ct) {
        uint32_t a = CV_CENTRE + ct * CV_SLOT;
        if (t != 4) {
          a = CV_A + (a_iter++ & 1) * CV_SLOT;
          conv_load(&g, t / 3, t % 3, ct * 16, min_u(16, l->cin - ct * 16), p0, mr, a);
        }
        for (uint32_t j = 0; j < nts; ++j)
          npu_matmul(npu_slot(ring), npu_spad(a), npu_spad(((t * cts + ct) * nts + j) * 16),
                     npu_acc_add(base + j * mr), mr, 0);
      }
    }
    for (uint32_t j = 0; j < nts; ++j) {
      for (uint32_t r = 0; r < mr; r += crow)
        npu_vector(npu_slot(ring), NPU_FN_MUL, npu_acc(base + j * mr + r), npu_acc(CV_CONST + j * crow),
                   npu_acc(base + j * mr + r), min_u(crow, mr - r), 0, l->shift, 0, 0, 0);
      const uint32_t nr = min_u(16, l->cout - j * 16);
      if (flat) {
        npu_mvout(npu_slot(ring), out + (p0 + l->ow + 2) * l->cout + j * 16, npu_acc(base + j * mr), mr, nr,
                  l->cout, 0);
        continue;
      }
      if (!out_padded) {
        npu_mvout(npu_slot(ring), out + p0 * l->cout + j * 16, npu_acc(base + j * mr), mr, nr, l->cout, 0);
        continue;
      }
      uint32_t oy = p0 / l->ow, ox = p0 % l->ow;
      for (uint32_t q = p0; q < p0 + mr; ++oy, ox = 0) {
        const uint32_t n = min_u(l->ow - ox, p0 + mr - q);
        npu_mvout(npu_slot(ring), out + padded_cell(oy, ox, l->ow) * l->cout + j * 16,
                  npu_acc(base + j * mr + (q - p0)), n, nr, l->cout, 0);
        q += n;
      }
    }
  }
  /* Flat: row oy's throw-away output went to cell (oy + 2) * (ow + 1), the left pad of row oy + 1
   * (or the first cell of the bottom pad row). */
  for (uint32_t y0 = 0; flat && y0 < l->oh; y0 += CV_SLOT) {
    const uint32_t rows = min_u(CV_SLOT, l->oh - y0), pitch = (l->ow + 1) * l->cout;
    zero_rows(CV_A, rows);
    for (uint32_t j = 0; j < nts; ++j)
      npu_mvout(npu_slot(ring), out + (y0 + 2) * pitch + j * 16, npu_spad(CV_A), rows,
                min_u(16, l->cout - j * 16), pitch, 0);
  }
  g_rt.dram_dirty = true;
}

/* The features matrix (np x 130) from the histogram tables, on the NPU:
 * - counts (np * 64 int32, 16 to a row) to int8 by mvout through config.store's identity;
 * - means, only for the bins that hold points (most are empty, and stay 0 from a fill): per kept
 *   point, its bin's count gathered (to an int32 list), the reciprocal gathered by that count,
 *   the sum gathered, round_div(sum, count) = round_shift(sum * det_recip(count), 20) by vector
 *   `mul` into the scratchpad (one point per row: the reciprocal differs), scattered to the bin
 *   (a bin with several points gets the same value several times);
 * - the counts, the means and the CPU's centres copied into the 130-byte rows (strided mvout).
 * Local rows: the accumulator through [0, 512) for the counts, then two halves of (reciprocals
 * 256, sums 256) (the NPU orders the reuse); the scratchpad's means in [0, 512), the copies
 * through two slots of FT_COPY rows from 4096. */
#define FT_CHUNK 256u
#define FT_COPY 2048u
static void npu_features(uint32_t np, uint32_t kept, uint32_t index, uint32_t counts, uint32_t sums,
                         uint32_t recip, uint32_t recip_rows, uint32_t xy, uint32_t point_counts,
                         uint32_t counts8, uint32_t means8, uint32_t f) {
  struct npu_ring* ring = &g_rt.ring;
  const uint32_t bins = np * DET_BINS;
  begin_npu();
  npu_config_store(npu_slot(ring), 1, 0, 0, -128, 127);
  for (uint32_t r0 = 0; r0 < bins / 16u; r0 += 512u) {
    const uint32_t rows = min_u(512u, bins / 16u - r0);
    npu_mvin(npu_slot(ring), counts + r0 * 64u, npu_acc(0), rows, 16, 64, 0);
    npu_mvout(npu_slot(ring), counts8 + r0 * 16u, npu_acc(0), rows, 16, 16, 0);
  }
  for (uint32_t e0 = 0; e0 < kept; e0 += 512u) {
    const uint32_t n = min_u(512u, kept - e0);
    npu_gather(npu_slot(ring), index + e0 * 4u, n, counts, bins, 4, npu_acc(0), 1, 0);
    npu_mvout(npu_slot(ring), point_counts + e0 * 4u, npu_acc(0), n, 1, 4, NPU_FLAG_RAW);
  }
  npu_fence(npu_slot(ring)); /* the count list and the int8 counts are read back from DRAM */
  for (uint32_t e0 = 0, iter = 0; e0 < kept; e0 += FT_CHUNK, ++iter) {
    const uint32_t n = min_u(FT_CHUNK, kept - e0), half = iter & 1u;
    const uint32_t r = half * 2u * FT_CHUNK, sm = r + FT_CHUNK, d = half * FT_CHUNK;
    npu_gather(npu_slot(ring), point_counts + e0 * 4u, n, recip, recip_rows, 4, npu_acc(r), 1, 0);
    npu_gather(npu_slot(ring), index + e0 * 4u, n, sums, bins, 4, npu_acc(sm), 1, 0);
    npu_vector(npu_slot(ring), NPU_FN_MUL, npu_acc(sm), npu_acc(r), npu_spad(d), n, 0, DET_MEAN_SHIFT, 0, 0,
               0);
    npu_scatter(npu_slot(ring), index + e0 * 4u, n, means8, bins, 1, npu_spad(d), 1, 0);
  }
  npu_fence(npu_slot(ring));
  for (uint32_t p0 = 0, iter = 0; p0 < np; p0 += FT_COPY) {
    const uint32_t rows = min_u(FT_COPY, np - p0);
    for (uint32_t part = 0; part < 2u * DET_BINS / 16u + 1u; ++part, ++iter) {
      const uint32_t slot = 4096u + (iter & 1u) * FT_COPY;
      const uint32_t src = part < 4   ? counts8 + p0 * DET_BINS + part * 16u
                           : part < 8 ? means8 + p0 * DET_BINS + (part - 4u) * 16u
                                      : xy + p0 * 2u;
      const uint32_t cols = part < 8 ? 16u : 2u, stride = part < 8 ? DET_BINS : 2u;
      npu_mvin(npu_slot(ring), src, npu_spad(slot), rows, cols, stride, 0);
      npu_mvout(npu_slot(ring), f + p0 * DET_FEATURES + part * 16u, npu_spad(slot), rows, cols, DET_FEATURES,
                0);
    }
  }
  g_rt.dram_dirty = true;
}

/* ---- CPU parts ---- */

/* Division by a constant as a multiply-high (rv32 div takes 33 cycles, mulhu 3): m = ceil(2^32 / d)
 * = (2^32 + e) / d with 0 <= e < d, so v * m / 2^32 = v / d + v * e / (d * 2^32), which floors to
 * floor(v / d) while v * e < 2^32. `limit` is the first v that may be wrong (0: use the division). */
struct divider {
  uint32_t d, m, limit;
};

static struct divider divider_for(uint32_t d) {
  struct divider r = {d, 0, 0};
  if (d < 2) return r;
  const uint64_t m = ((1ull << 32) + d - 1) / d, e = m * d - (1ull << 32);
  r.m = (uint32_t)m;
  r.limit = e == 0 ? UINT32_MAX
                   : (uint32_t)(((1ull << 32) - 1) / e < UINT32_MAX ? ((1ull << 32) - 1) / e : UINT32_MAX);
  return r;
}

static uint32_t divide(const struct divider* q, uint32_t v) {
  return v < q->limit ? (uint32_t)(((uint64_t)v * q->m) >> 32) : v / q->d;
}

/* A pillar centre feature: the centre of grid cell i (min + i * cell + cell / 2, in mm) in 0.64 m
 * units, floor division, minus `offset` (54 for x, which centres the KITTI range; 0 for y). */
static int8_t centre_feature(int32_t min, uint32_t i, int32_t cell, int32_t offset) {
  const int64_t c = (int64_t)min + (int64_t)i * cell + cell / 2;
  const int64_t q = c / 640 - (c % 640 < 0 ? 1 : 0) - offset;
  return (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
}

struct pillar_set {
  uint32_t count, in_range, kept;
  int32_t* ids;   /* canvas row of each pillar */
  int32_t* cells; /* its cell in the padded canvas (padded_cell) */
  int8_t* xy;     /* its centre, features 128 and 129 (centre_feature) */
  int32_t* index; /* per kept point: pillar * 64 + z bin, the histogram row */
  int32_t* src;   /* per kept point: (1, intensity), the scatter-add rows */
};

/* Points to pillars in the reference's order: pillars in order of their first point, at most
 * max_pillars of them and max_points_per_pillar points each (later points dropped). */
static void make_pillars(const struct det_params* p, const int32_t* points, struct pillar_set* s) {
  const uint32_t cells = p->nx * p->ny;
  int32_t* slot = alloc(cells * 4u); /* pillar of each cell, -1: none yet (an NPU fill) */
  npu_fill(bus(slot), cells * 4u, g_ones);
  check_npu(nrt_wait(&g_rt));
  uint32_t* fill = alloc(p->max_pillars * 4u);
  s->ids = alloc(p->max_pillars * 4u);
  s->cells = alloc(p->max_pillars * 4u);
  s->xy = alloc(p->max_pillars * 2u);
  /* The centre features of every grid column and row, looked up per pillar. */
  int8_t* centre_x = alloc(p->nx);
  int8_t* centre_y = alloc(p->ny);
  for (uint32_t i = 0; i < p->nx; ++i) centre_x[i] = centre_feature(p->x_min, i, p->cell, 54);
  for (uint32_t i = 0; i < p->ny; ++i) centre_y[i] = centre_feature(p->y_min, i, p->cell, 0);
  s->index = alloc(p->points * 4u);
  s->src = alloc(p->points * 8u);
  s->count = s->in_range = s->kept = 0;
  /* Division-light and in locals (the stores through the output arrays would otherwise reload
   * every parameter): unsigned range tests first, exact since check_params bounds the origin and
   * spans by 2^30 (a negative offset wraps above 2^31), then multiply-high divisions. */
  const uint32_t x_min = (uint32_t)p->x_min, y_min = (uint32_t)p->y_min, nx = p->nx;
  const uint32_t x_span = p->nx * (uint32_t)p->cell, y_span = p->ny * (uint32_t)p->cell;
  const int32_t z_min = p->z_min, z_max = p->z_max;
  const uint32_t max_pillars = p->max_pillars, max_fill = p->max_points_per_pillar, n = p->points;
  const struct divider by_cell = divider_for((uint32_t)p->cell),
                       by_z = divider_for((uint32_t)(z_max - z_min));
  int32_t *ids = s->ids, *cells_of = s->cells, *index = s->index, *src = s->src;
  uint32_t count = 0, in_range = 0, kept = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const int32_t* q = points + 4u * i;
    /* The scan reader's range, which the NPU's mean (det_recip) relies on. */
    if ((uint32_t)q[3] > 127u) wl_fail(&g_img, WL_EXIT_IMAGE, "a point's intensity lies outside 0..127");
    const uint32_t dx = (uint32_t)q[0] - x_min, dy = (uint32_t)q[1] - y_min;
    if (dx >= x_span || dy >= y_span || q[2] < z_min || q[2] >= z_max) continue;
    ++in_range;
    const uint32_t ix = divide(&by_cell, dx), iy = divide(&by_cell, dy), id = iy * nx + ix;
    int32_t k = slot[id];
    if (k < 0) {
      if (count >= max_pillars) continue;
      k = (int32_t)count++;
      slot[id] = k;
      ids[k] = (int32_t)id;
      cells_of[k] = (int32_t)padded_cell(iy, ix, nx);
      s->xy[2u * k] = centre_x[ix];
      s->xy[2u * k + 1u] = centre_y[iy];
      fill[k] = 0;
    }
    if (fill[k] >= max_fill) continue;
    ++fill[k];
    /* floor((z - z_min) * 64 / span): the span is <= 2^25 (check_params), so the product fits. */
    index[kept] = k * (int32_t)DET_BINS + (int32_t)divide(&by_z, (uint32_t)(q[2] - z_min) * DET_BINS);
    src[2u * kept] = 1;
    src[2u * kept + 1u] = q[3];
    ++kept;
  }
  s->count = count;
  s->in_range = in_range;
  s->kept = kept;
}

/* Local maxima of 3x3 windows (greater than the lower-index neighbours, not less than the
 * higher-index ones), the k best by score, ties to the lower index: the reference's top_k_peaks. */
static uint32_t top_k_peaks(const int32_t* heat, uint32_t h, uint32_t w, uint32_t k, struct det_peak* out) {
  uint32_t n = 0;
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) {
      const int32_t v = heat[y * w + x];
      bool peak = true;
      for (int dy = -1; dy <= 1 && peak; ++dy)
        for (int dx = -1; dx <= 1 && peak; ++dx) {
          const int32_t ny = (int32_t)y + dy, nx = (int32_t)x + dx;
          if ((dy == 0 && dx == 0) || ny < 0 || nx < 0 || ny >= (int32_t)h || nx >= (int32_t)w) continue;
          const int32_t u = heat[(uint32_t)ny * w + (uint32_t)nx];
          const bool lower = dy < 0 || (dy == 0 && dx < 0);
          if (lower ? u >= v : u > v) peak = false;
        }
      if (!peak) continue;
      /* Insert after every kept peak of a score >= v (candidates come in index order). */
      uint32_t at = n;
      while (at > 0 && out[at - 1].score < v) --at;
      if (at >= k) continue;
      for (uint32_t j = (n < k ? n : k - 1); j > at; --j) out[j] = out[j - 1];
      out[at].y = y;
      out[at].x = x;
      out[at].score = v;
      if (n < k) ++n;
    }
  return n;
}

/* ---- Checks ---- */

static bool g_pass = true;

/* Whether `bytes` bytes are equal, a word at a time (the buffers are 4-byte aligned). */
static bool same_bytes(const void* a, const void* b, uint32_t bytes) {
  const uint32_t *wa = a, *wb = b;
  for (uint32_t i = 0; i < bytes / 4u; ++i)
    if (wa[i] != wb[i]) return false;
  return memcmp((const uint8_t*)a + (bytes & ~3u), (const uint8_t*)b + (bytes & ~3u), bytes & 3u) == 0;
}

/* Compares rows x cols elements of `size` bytes (1: int8, 4: int32); prints the first mismatch. */
static void check(const char* what, const void* got, const void* gold, uint32_t rows, uint32_t cols,
                  uint32_t size) {
  const uint32_t n = rows * cols;
  if (same_bytes(got, gold, n * size)) {
    printf("det: %-16s %6" PRIu32 " x %3" PRIu32 "  match\n", what, rows, cols);
    return;
  }
  uint32_t bad = 0, first = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const int32_t g = size == 4 ? ((const int32_t*)got)[i] : ((const int8_t*)got)[i];
    const int32_t e = size == 4 ? ((const int32_t*)gold)[i] : ((const int8_t*)gold)[i];
    if (g != e && bad++ == 0) first = i;
  }
  const int32_t g = size == 4 ? ((const int32_t*)got)[first] : ((const int8_t*)got)[first];
  const int32_t e = size == 4 ? ((const int32_t*)gold)[first] : ((const int8_t*)gold)[first];
  printf("det: %-16s MISMATCH: %" PRIu32 " of %" PRIu32 " values differ; first at row %" PRIu32
         ", column %" PRIu32 ": got %" PRId32 ", expected %" PRId32 "\n",
         what, bad, n, first / cols, first % cols, g, e);
  g_pass = false;
}

/* A map in the padded layout against its dense golden (h * w rows of c). */
static void check_padded(const char* what, const int8_t* got, const int8_t* gold, uint32_t h, uint32_t w,
                         uint32_t c) {
  bool same = true;
  for (uint32_t y = 0; y < h && same; ++y)
    same = same_bytes(got + padded_cell(y, 0, w) * c, gold + y * w * c, w * c);
  int8_t* dense = (int8_t*)gold;
  if (!same) { /* the report of check() on the valid cells */
    dense = alloc(h * w * c);
    for (uint32_t y = 0; y < h; ++y) memcpy(dense + y * w * c, got + padded_cell(y, 0, w) * c, w * c);
  }
  check(what, dense, gold, h * w, c, 1);
}

/* The padded canvas without a golden copy of it: each golden pillar row at its golden cell, and as
 * many nonzero words in the whole buffer as in those rows (so every other cell, padding included,
 * is zero). */
static void check_canvas(const int8_t* canvas, uint32_t bytes, const int32_t* ids, const int8_t* rows,
                         uint32_t pillars, uint32_t nx) {
  uint32_t nonzero = 0, expected = 0, bad_rows = 0, first = 0;
  const uint32_t* w = (const uint32_t*)canvas;
  for (uint32_t c = 0; c < bytes / DET_CHANNELS; ++c, w += DET_CHANNELS / 4u) {
    uint32_t any = 0; /* most cells are empty: one OR per word, a count only for the others */
    for (uint32_t i = 0; i < DET_CHANNELS / 4u; ++i) any |= w[i];
    if (any)
      for (uint32_t i = 0; i < DET_CHANNELS / 4u; ++i) nonzero += w[i] != 0;
  }
  for (uint32_t k = 0; k < pillars; ++k) {
    const uint32_t id = (uint32_t)ids[k];
    const int8_t* row = rows + k * DET_CHANNELS;
    if (!same_bytes(canvas + padded_cell(id / nx, id % nx, nx) * DET_CHANNELS, row, DET_CHANNELS) &&
        bad_rows++ == 0)
      first = k;
    for (uint32_t i = 0; i < DET_CHANNELS / 4u; ++i) expected += ((const uint32_t*)row)[i] != 0;
  }
  if (bad_rows == 0 && nonzero == expected) {
    printf("det: %-16s %6" PRIu32 " cells   match\n", "canvas", bytes / DET_CHANNELS);
    return;
  }
  if (bad_rows)
    printf("det: %-16s MISMATCH: %" PRIu32 " pillar rows differ; first: pillar %" PRIu32 " (cell %" PRId32
           ")\n",
           "canvas", bad_rows, first, ids[first]);
  if (nonzero != expected)
    printf("det: %-16s MISMATCH: %" PRIu32 " nonzero words, the pillar rows have %" PRIu32 "\n", "canvas",
           nonzero, expected);
  g_pass = false;
}

static void check_count(const char* what, uint32_t got, uint32_t gold) {
  if (got == gold) return;
  printf("det: %s MISMATCH: got %" PRIu32 ", expected %" PRIu32 "\n", what, got, gold);
  g_pass = false;
}

/* The parameters must describe the network the firmware runs (the sections' sizes are checked
 * where they are looked up). */
static void check_params(const struct det_params* p) {
  /* Bounds that keep every size product below 2^32 (the buffers are then checked by alloc). */
  bool ok = p->points > 0 && p->points <= WIMG_MAX_BYTES / 16u && p->cell > 0 && p->nx > 0 && p->ny > 0 &&
            p->nx <= 4096 && p->ny <= 4096 && p->max_pillars <= 1000000 && p->max_points_per_pillar > 0 &&
            p->max_points_per_pillar <= DET_MAX_POINTS && p->z_max > p->z_min &&
            (int64_t)p->z_max - p->z_min <= (1 << 25) && p->cell <= (1 << 30) &&
            (uint64_t)p->nx * (uint32_t)p->cell <= (1u << 30) &&
            (uint64_t)p->ny * (uint32_t)p->cell <= (1u << 30) && p->x_min >= -(1 << 30) &&
            p->x_min <= (1 << 30) && p->y_min >= -(1 << 30) && p->y_min <= (1 << 30) && p->max_pillars > 0 &&
            p->pillars > 0 && p->pillars <= p->max_pillars && p->top_k > 0 && p->top_k <= DET_MAX_TOP_K &&
            p->peaks <= p->top_k && p->linear_shift <= 62;
  uint32_t h = p->ny, w = p->nx, c = DET_CHANNELS;
  for (uint32_t i = 0; ok && i < DET_LAYERS; ++i) {
    const struct det_layer* l = &p->layer[i];
    ok = l->cin == c && l->h == h && l->w == w && l->stride > 0 && l->stride <= 2 && l->cout > 0 &&
         l->cout <= DET_CHANNELS && l->shift <= 62 && l->oh == (h + l->stride - 1) / l->stride &&
         l->ow == (w + l->stride - 1) / l->stride;
    h = l->oh;
    w = l->ow;
    c = l->cout;
  }
  if (!ok || p->head_cin != c || p->heat_h != h || p->heat_w != w)
    wl_fail(&g_img, WL_EXIT_IMAGE, "image parameters do not describe the PillarHist network");
}

int main(void) {
  printf("det: PillarHist detection on a KITTI scan; SYNTHETIC weights (seeded, no trained model)\n");
  if (!wl_image_open(&g_img, WIMG_ADDR, "det")) wl_finish(&g_img, false);
  const struct det_params* p = wl_section(&g_img, "params", sizeof(struct det_params));
  check_params(p);
  printf("det: image '%s', seed %" PRIu32 ": canvas %" PRIu32 " x %" PRIu32 " at %" PRId32 " mm, %" PRIu32
         " points, top-%" PRIu32 "\n",
         g_img.header->variant, g_img.header->seed, p->nx, p->ny, p->cell, p->points, p->top_k);
  if (!nrt_init(&g_rt, g_slots, RING_SLOTS)) wl_fail(&g_img, WL_EXIT_NPU, "no NPU");
  wl_profile_init(&g_prof);

  const uint32_t cells = p->nx * p->ny;
  const int32_t* points = wl_section(&g_img, "points", p->points * 16u);

  /* Points -> pillars (CPU). */
  wl_layer_begin(&g_prof, "pillars (cpu)");
  struct pillar_set s;
  make_pillars(p, points, &s);
  end_layer();
  const uint32_t np = s.count;
  if (np == 0) wl_fail(&g_img, WL_EXIT_FAIL, "no point of the scan lies in the grid");

  /* Histogram: scatter-adds of the kept points' (1, intensity) rows, column by column, into a
   * count and a sum table of rows pillar * 64 + bin (separate, so that the counts can index). */
  wl_layer_begin(&g_prof, "histogram");
  const uint32_t bins = np * DET_BINS;
  int32_t* counts = alloc(bins * 8u);
  int32_t* sums = counts + bins;
  npu_zero(bus(counts), bins * 8u);
  if (s.kept) {
    check_call(nrt_scatter(&g_rt, bus(s.index), s.kept, bus(counts), bins, 4, 1, bus(s.src), 8, true),
               "the histogram's count scatter-add");
    check_call(nrt_scatter(&g_rt, bus(s.index), s.kept, bus(sums), bins, 4, 1, bus(s.src) + 4u, 8, true),
               "the histogram's sum scatter-add");
  }
  end_layer();

  /* Features: the centres on the CPU, the rest on the NPU (npu_features). */
  wl_layer_begin(&g_prof, "features");
  int8_t* features = alloc(np * DET_FEATURES);
  int8_t* counts8 = alloc(bins);
  int8_t* means8 = alloc(bins);
  int32_t* recip = alloc((DET_MAX_POINTS + 1u) * 4u);
  int32_t* point_counts = alloc(s.kept * 4u + 4u);
  for (uint32_t c = 0; c <= DET_MAX_POINTS; ++c) recip[c] = det_recip(c);
  npu_zero(bus(means8), bins);
  npu_features(np, s.kept, bus(s.index), bus(counts), bus(sums), bus(recip), p->max_points_per_pillar + 1u,
               bus(s.xy), bus(point_counts), bus(counts8), bus(means8), bus(features));
  end_layer();

  /* Linear 130 -> 64: GEMM to int32, per-channel requant with ReLU. */
  wl_layer_begin(&g_prof, "linear");
  int32_t* lin32 = alloc(np * DET_CHANNELS * 4u);
  int8_t* pillar_feat = alloc(np * DET_CHANNELS);
  const struct nrt_gemm lin = {.m = np,
                               .k = DET_FEATURES,
                               .n = DET_CHANNELS,
                               .a = bus(features),
                               .lda = DET_FEATURES,
                               .b = wl_section_addr(&g_img, "linear.w", DET_FEATURES * DET_CHANNELS),
                               .ldb = DET_CHANNELS,
                               .c = bus(lin32),
                               .ldc = DET_CHANNELS * 4u,
                               .out_raw = true};
  check_call(nrt_gemm(&g_rt, &lin), "the Linear GEMM");
  det_requant(bus(lin32), wl_section_addr(&g_img, "linear.mult", DET_CHANNELS * 4u), np, DET_CHANNELS,
              p->linear_shift, p->linear_clip_min, bus(pillar_feat));
  end_layer();

  /* The BEV canvas, in the padded layout: zero, then one scatter of the pillar rows. */
  wl_layer_begin(&g_prof, "canvas");
  const uint32_t canvas_bytes = padded_bytes(p->ny, p->nx, DET_CHANNELS);
  int8_t* canvas = alloc(canvas_bytes);
  npu_zero(bus(canvas), canvas_bytes);
  check_call(nrt_scatter(&g_rt, bus(s.cells), np, bus(canvas), canvas_bytes / DET_CHANNELS, DET_CHANNELS,
                         DET_CHANNELS, bus(pillar_feat), DET_CHANNELS, false),
             "the canvas scatter");
  end_layer();

  /* CFWS backbone, one fused pass per layer (cfws_conv); the outputs that feed another layer in
   * the padded layout (their pad cells zero-filled first), the last one dense for the head. */
  static const char* const layer_names[DET_LAYERS] = {"conv1", "conv2", "conv3"};
  int8_t* maps[DET_LAYERS];
  const int8_t* x = canvas;
  for (uint32_t i = 0; i < DET_LAYERS; ++i) {
    const struct det_layer* l = &p->layer[i];
    char fine[32], coarse[32], pow2[32], mult[32];
    snprintf(fine, sizeof fine, "conv%" PRIu32 ".fine", i + 1);
    snprintf(coarse, sizeof coarse, "conv%" PRIu32 ".coarse", i + 1);
    snprintf(pow2, sizeof pow2, "conv%" PRIu32 ".pow2", i + 1);
    snprintf(mult, sizeof mult, "conv%" PRIu32 ".mult", i + 1);
    wl_layer_begin(&g_prof, layer_names[i]);
    const bool padded = i + 1 < DET_LAYERS;
    const uint32_t bytes = padded ? padded_bytes(l->oh, l->ow, l->cout) : l->oh * l->ow * l->cout;
    maps[i] = alloc(bytes);
    if (padded) npu_zero(bus(maps[i]), bytes);
    cfws_conv(l, bus(x), wl_section_addr(&g_img, fine, 9u * l->cin * l->cout),
              wl_section_addr(&g_img, coarse, l->cin * l->cout), wl_section_addr(&g_img, pow2, l->cout * 4u),
              wl_section_addr(&g_img, mult, l->cout * 4u), bus(maps[i]), padded);
    end_layer();
    x = maps[i];
  }

  /* Head: 1x1 conv to one int32 heatmap channel. */
  wl_layer_begin(&g_prof, "head");
  const uint32_t cells_out = p->heat_h * p->heat_w;
  int32_t* heat = alloc(cells_out * 4u);
  const struct nrt_gemm head = {.m = cells_out,
                                .k = p->head_cin,
                                .n = 1,
                                .a = bus(x),
                                .lda = p->head_cin,
                                .b = wl_section_addr(&g_img, "head.w", p->head_cin),
                                .ldb = 1,
                                .c = bus(heat),
                                .ldc = 4,
                                .out_raw = true};
  check_call(nrt_gemm(&g_rt, &head), "the head GEMM");
  end_layer();

  wl_layer_begin(&g_prof, "peaks (cpu)");
  struct det_peak* peaks = alloc(p->top_k * sizeof(struct det_peak));
  const uint32_t n_peaks = top_k_peaks(heat, p->heat_h, p->heat_w, p->top_k, peaks);
  end_layer();

  /* Checks against the golden sections, stage by stage (the first mismatch says where). */
  printf("det: %" PRIu32 " points in range, %" PRIu32 " kept, %" PRIu32 " pillars (%" PRIu32 " of %" PRIu32
         " canvas cells)\n",
         s.in_range, s.kept, np, np, cells);
  check_count("pillar count", np, p->pillars);
  check_count("kept points", s.kept, p->points_kept);
  if (np == p->pillars) {
    check("pillar ids", s.ids, wl_section(&g_img, "gold.ids", np * 4u), np, 1, 4);
    check("pillar features", features, wl_section(&g_img, "gold.features", np * DET_FEATURES), np,
          DET_FEATURES, 1);
    const int8_t* gold_feat = wl_section(&g_img, "gold.pillar_feat", np * DET_CHANNELS);
    check("linear 130->64", pillar_feat, gold_feat, np, DET_CHANNELS, 1);
    check_canvas(canvas, canvas_bytes, wl_section(&g_img, "gold.ids", np * 4u), gold_feat, np, p->nx);
  }
  for (uint32_t i = 0; i < DET_LAYERS; ++i) {
    const struct det_layer* l = &p->layer[i];
    char name[32];
    snprintf(name, sizeof name, "gold.conv%" PRIu32, i + 1);
    const int8_t* gold_map = wl_section(&g_img, name, l->oh * l->ow * l->cout);
    if (i + 1 < DET_LAYERS)
      check_padded(layer_names[i], maps[i], gold_map, l->oh, l->ow, l->cout);
    else
      check(layer_names[i], maps[i], gold_map, l->oh * l->ow, l->cout, 1);
  }
  check("heatmap", heat, wl_section(&g_img, "gold.heat", cells_out * 4u), cells_out, 1, 4);
  check_count("peak count", n_peaks, p->peaks);
  const struct det_peak* gold = wl_section(&g_img, "gold.peaks", p->peaks * sizeof(struct det_peak));
  printf("det: top-%" PRIu32 " peaks (y, x on the %" PRIu32 " x %" PRIu32 " heatmap; score):\n", p->top_k,
         p->heat_h, p->heat_w);
  for (uint32_t i = 0; i < n_peaks; ++i) {
    const bool same =
        i < p->peaks && gold[i].y == peaks[i].y && gold[i].x == peaks[i].x && gold[i].score == peaks[i].score;
    printf("det:   (%3" PRIu32 ", %3" PRIu32 ")  %" PRId32 "%s\n", peaks[i].y, peaks[i].x, peaks[i].score,
           same ? "" : "  MISMATCH");
    if (!same) {
      if (i < p->peaks)
        printf("det:   expected (%3" PRIu32 ", %3" PRIu32 ")  %" PRId32 "\n", gold[i].y, gold[i].x,
               gold[i].score);
      g_pass = false;
    }
  }
  wl_profile_print(&g_prof);
  wl_finish(&g_img, g_pass);
}
