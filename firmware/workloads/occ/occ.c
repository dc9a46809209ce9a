/* occ: the FlashOcc-style occupancy workload (issue #8) on the NPU, from the data image of
 * nvr-occ-image (occ_image.h): BEV pooling, two 3x3 BEV convs, the channel-to-height head and
 * argmax to (X, Y, Z) labels; built as occ_panoptic (OCC_WORKLOAD) it adds the centre heatmap,
 * top-K centres and the nearest-centre instance of every occupied voxel. Every stage is checked
 * bit for bit against the host reference's golden sections.
 *
 * On the NPU: the depth gather, the pooling (a CSR SpMM whose rows are the BEV cells' intervals),
 * the requantisations, the convs, the head GEMM, argmax, the centre heatmap and the centre
 * distances (a GEMM) with their argmax. On the CPU: the CSR row pointers from the intervals, the
 * top-K peak search (3x3 local maxima, sorted) and the free/occupied test of the instance ids. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npu_rt.h"
#include "occ_image.h"
#include "workload.h"

#ifndef OCC_WORKLOAD
#define OCC_WORKLOAD "occ"
#endif

#define RING 1024u
/* Cells per eltwise call of the per-channel requantisation: the multiplier rows are repeated this
 * often, and a small block stays in the NSB/L2 across calls (256: 53k cycles for both small-grid
 * layers, 2048: 141k). */
#define MULT_ROWS 256u
/* The head's logits buffer in bytes: the head and argmax run over chunks of cells small enough
 * that argmax reads the logits from the L2 (256 KiB), not DRAM (small grid, all 640 KB at once:
 * argmax 298k cycles; 128 KiB chunks: 47k). */
#define LOGITS_BYTES (128u << 10)

static uint32_t ring_slots[RING * NPU_INSN_WORDS] __attribute__((aligned(32)));
static struct wl_image img;
static struct nrt rt;
static struct wl_profile prof;

static uint32_t addr_of(const void* p) { return (uint32_t)(uintptr_t)p; }
static uint32_t min_u(uint32_t a, uint32_t b) { return a < b ? a : b; }

/* DRAM for the NPU's outputs, 64-byte aligned (a line); never freed. */
static void* alloc(uint32_t bytes) {
  uint8_t* p = malloc(bytes + 64u);
  if (!p) wl_fail(&img, WL_EXIT_IMAGE, "out of memory for the working buffers");
  return (void*)(((uintptr_t)p + 63u) & ~(uintptr_t)63u);
}

static void check_call(int result, const char* what) {
  if (result != NRT_OK) {
    printf("%s: error: the runtime refused %s (%d)\n", OCC_WORKLOAD, what, result);
    wl_finish(&img, false);
  }
}

static void npu_check(uint32_t error, const char* layer) {
  if (error == NPU_ERR_NONE) return;
  const struct npu_fault f = npu_fault();
  char what[128];
  snprintf(what, sizeof what, "NPU error %s in layer %s (instruction %" PRIu32 ", info 0x%08" PRIx32 ")",
           npu_error_name(error), layer, f.index, f.info);
  wl_fail(&img, WL_EXIT_NPU, what);
}

static void end_layer(const char* name) { npu_check(wl_layer_end(&prof, &rt), name); }

static struct nrt_mat mat(const void* p, uint32_t rows, uint32_t cols, enum nrt_type type) {
  const struct nrt_mat m = {addr_of(p), rows, cols, cols * (type == NRT_I32 ? 4u : 1u), type};
  return m;
}

/* ---- Checks: element i of an array of `count`, where a cell-major array has `inner` values per
 * cell (channels) and a voxel array `inner` = bev_z. */
struct where {
  const struct occ_params* p;
  uint32_t inner;
  bool voxels;
};

static void locate(const struct where* w, uint32_t i, char* out, size_t size) {
  if (!w) {
    snprintf(out, size, "entry %" PRIu32, i);
    return;
  }
  const uint32_t cell = i / w->inner, x = cell / w->p->bev_y, y = cell % w->p->bev_y;
  snprintf(out, size, "x %" PRIu32 " y %" PRIu32 " %s %" PRIu32, x, y, w->voxels ? "z" : "channel",
           i % w->inner);
}

/* Counts mismatches of got[i] against want[i] and prints the first one; true when all agree. */
static bool report(const char* name, const struct where* w, uint32_t count, uint32_t bad, uint32_t first,
                   int32_t got, int32_t want) {
  if (bad == 0) {
    printf("check %-10s ok (%" PRIu32 " values)\n", name, count);
    return true;
  }
  char at[64];
  locate(w, first, at, sizeof at);
  printf("check %-10s MISMATCH: %" PRIu32 " of %" PRIu32 " differ; first at %" PRIu32 " (%s): got %" PRId32
         ", expected %" PRId32 "\n",
         name, bad, count, first, at, got, want);
  return false;
}

static bool check_i8(const char* name, const struct where* w, const int8_t* got, const int8_t* want,
                     uint32_t count) {
  uint32_t bad = 0, first = 0;
  for (uint32_t i = 0; i < count; ++i)
    if (got[i] != want[i] && bad++ == 0) first = i;
  return report(name, w, count, bad, first, got[first], want[first]);
}

static bool check_i32(const char* name, const struct where* w, const int32_t* got, const int32_t* want,
                      uint32_t count) {
  uint32_t bad = 0, first = 0;
  for (uint32_t i = 0; i < count; ++i)
    if (got[i] != want[i] && bad++ == 0) first = i;
  return report(name, w, count, bad, first, got[first], want[first]);
}

/* ---- CPU parts ---- */

/* CSR row pointers of the pooling: row = BEV cell, its entries = its interval. BEVPoolv2's
 * intervals partition the sorted index arrays in ascending cell order; anything else is refused. */
static void build_row_ptr(const struct occ_params* p, const int32_t* starts, const int32_t* lengths,
                          const int32_t* ranks_bev, int32_t* row_ptr) {
  const uint32_t cells = p->bev_x * p->bev_y;
  uint32_t next = 0, cell = 0;
  char what[96];
  for (uint32_t i = 0; i < p->intervals; ++i) {
    const int32_t s = starts[i], l = lengths[i];
    const int32_t c = l > 0 && (uint32_t)s < p->points ? ranks_bev[s] : -1;
    if ((uint32_t)s != next || l <= 0 || (uint32_t)l > p->points - next || c < 0 || (uint32_t)c >= cells ||
        (i > 0 && (uint32_t)c < cell)) {
      snprintf(what, sizeof what,
               "BEV interval %" PRIu32 " (start %" PRId32 ", length %" PRId32 ") is malformed", i, s, l);
      wl_fail(&img, WL_EXIT_IMAGE, what);
    }
    while (cell <= (uint32_t)c) row_ptr[cell++] = (int32_t)next;
    next += (uint32_t)l;
  }
  if (next != p->points) wl_fail(&img, WL_EXIT_IMAGE, "the BEV intervals do not cover the index arrays");
  while (cell <= cells) row_ptr[cell++] = (int32_t)next;
}

/* Top-K peaks of the heatmap as the reference: > 0 and above every 3x3 neighbour (an equal
 * neighbour only when it has a higher index), by value descending then index ascending. */
static uint32_t top_k_peaks(const struct occ_params* p, const int32_t* heat, int32_t* out) {
  const int32_t bx = (int32_t)p->bev_x, by = (int32_t)p->bev_y;
  uint32_t n = 0;
  for (int32_t x = 0; x < bx; ++x)
    for (int32_t y = 0; y < by; ++y) {
      const int32_t i = x * by + y, v = heat[i];
      bool peak = v > 0;
      for (int32_t dx = -1; dx <= 1 && peak; ++dx)
        for (int32_t dy = -1; dy <= 1 && peak; ++dy) {
          const int32_t nx = x + dx, ny = y + dy, j = nx * by + ny;
          if ((dx == 0 && dy == 0) || nx < 0 || ny < 0 || nx >= bx || ny >= by) continue;
          peak = v > heat[j] || (v == heat[j] && i < j);
        }
      if (!peak) continue;
      /* Insert after every kept peak of at least this value (scan order breaks ties). */
      uint32_t at = n;
      while (at > 0 && heat[out[at - 1]] < v) --at;
      if (at >= p->top_k) continue;
      for (uint32_t k = min_u(n, p->top_k - 1); k > at; --k) out[k] = out[k - 1];
      out[at] = i;
      if (n < p->top_k) ++n;
    }
  return n;
}

static uint32_t padded(uint32_t n) { return n <= 16 ? n : (n + 15u) / 16u * 16u; }

int main(void) {
  printf(
      "%s: synthetic weights and inputs (seeded, no trained model): the labels show the data flow, "
      "not a scene\n",
      OCC_WORKLOAD);
  if (!wl_image_open(&img, WIMG_ADDR, OCC_WORKLOAD)) wl_finish(&img, false);
  const struct occ_params* p = wl_section(&img, "params", sizeof(struct occ_params));
  const bool panoptic = (img.header->flags & OCC_FLAG_PANOPTIC) != 0;
  const bool pool_gemm = (img.header->flags & OCC_FLAG_POOL_GEMM) != 0;
  /* Bounds that keep every size below in 32 bits, the cells' coordinates in int8 and the rows of
   * the argmaxes within the runtime's limits. */
  if (p->channels == 0 || p->channels > 64 || p->bev_x == 0 || p->bev_x > 256 || p->bev_y == 0 ||
      p->bev_y > 256 || p->bev_z == 0 || p->bev_z > 64 || p->classes == 0 || p->classes > 256 ||
      p->class_stride != padded(p->classes) || p->cameras == 0 || p->cameras > 16 || p->feat_h == 0 ||
      p->feat_h > 256 || p->feat_w == 0 || p->feat_w > 256 || p->depth_bins == 0 || p->depth_bins > 256 ||
      p->encoder_layers == 0 || p->encoder_layers > 8 || p->points == 0 || p->points > (1u << 24) ||
      p->points > p->cameras * p->feat_h * p->feat_w * p->depth_bins || p->intervals == 0 ||
      p->intervals > p->bev_x * p->bev_y || (p->panoptic != 0) != panoptic || p->top_k > 256 ||
      p->centres > p->top_k || p->pool_clip_min != -128 || p->pool_clip_max != 127 || p->pool_shift > 62 ||
      p->enc_shift > 62)
    wl_fail(&img, WL_EXIT_IMAGE, "image parameters out of range");

  const uint32_t ch = p->channels, cells = p->bev_x * p->bev_y, voxels = cells * p->bev_z;
  const uint32_t pixels = p->cameras * p->feat_h * p->feat_w, depth_rows = pixels * p->depth_bins;
  const uint32_t zc = p->bev_z * p->class_stride;
  printf("%s: grid %.16s: BEV %" PRIu32 "x%" PRIu32 "x%" PRIu32 ", %" PRIu32 " classes, C %" PRIu32
         ", %" PRIu32 " cameras, features %" PRIu32 "x%" PRIu32 ", %" PRIu32 " depth bins, seed %" PRIu32
         "\n",
         OCC_WORKLOAD, img.header->variant, p->bev_x, p->bev_y, p->bev_z, p->classes, ch, p->cameras,
         p->feat_w, p->feat_h, p->depth_bins, img.header->seed);
  printf("%s: %" PRIu32 " index entries in %" PRIu32 " intervals (occupied cells of %" PRIu32 ")\n",
         OCC_WORKLOAD, p->points, p->intervals, cells);

  /* The image's sections. */
  const uint32_t feat = wl_section_addr(&img, "feat", pixels * ch);
  const uint32_t depth = wl_section_addr(&img, "depth", depth_rows);
  const uint32_t ranks_depth = wl_section_addr(&img, "ranks_depth", p->points * 4);
  const uint32_t ranks_feat = wl_section_addr(&img, "ranks_feat", p->points * 4);
  const int32_t* ranks_bev = wl_section(&img, "ranks_bev", p->points * 4);
  const int32_t* starts = wl_section(&img, "interval_starts", p->intervals * 4);
  const int32_t* lengths = wl_section(&img, "interval_lengths", p->intervals * 4);
  const uint32_t head_w = wl_section_addr(&img, "head.w", ch * zc);
  const uint32_t head_bias = wl_section_addr(&img, "head.bias", zc * 4);

  /* Working buffers. */
  int32_t* row_ptr = alloc((cells + 1) * 4);
  int8_t* values = alloc(p->points);
  int8_t* rows = pool_gemm ? alloc(p->points * ch) : NULL;
  int32_t* pooled = alloc(cells * ch * 4);
  int8_t* bev = alloc(cells * ch);
  int32_t* raw = alloc(cells * ch * 4);
  int8_t* scaled = alloc(cells * ch);
  int8_t* encoded[8];
  int32_t* mult_rows[8];
  const uint32_t mult_cells = min_u(cells, MULT_ROWS);
  for (uint32_t l = 0; l < p->encoder_layers; ++l) {
    encoded[l] = alloc(cells * ch);
    mult_rows[l] = alloc(mult_cells * ch * 4);
  }
  const uint32_t chunk_cells = min_u(cells, LOGITS_BYTES / (zc * 4));
  int32_t* logits = alloc(chunk_cells * zc * 4);
  int32_t* labels = alloc(voxels * 4);

  /* CPU set-up: CSR row pointers and the per-channel multipliers repeated over MULT_ROWS cells. */
  build_row_ptr(p, starts, lengths, ranks_bev, row_ptr);
  for (uint32_t l = 0; l < p->encoder_layers; ++l) {
    char name[16];
    snprintf(name, sizeof name, "enc%" PRIu32 ".mult", l);
    const int32_t* mult = wl_section(&img, name, ch * 4);
    for (uint32_t r = 0; r < mult_cells; ++r) memcpy(&mult_rows[l][r * ch], mult, ch * 4);
  }

  if (!nrt_init(&rt, ring_slots, RING)) wl_fail(&img, WL_EXIT_NPU, "the NPU cannot be initialised");
  wl_profile_init(&prof);

  /* BEV pooling: the depth probability of every index entry (gather), then per cell the sum over
   * its interval of depth * feature row, int32; then the per-tensor requantisation. */
  wl_layer_begin(&prof, "pool");
  check_call(nrt_gather(&rt, ranks_depth, p->points, depth, depth_rows, 1, 1, addr_of(values), 1),
             "the depth gather");
  if (!pool_gemm) {
    /* All intervals in one CSR SpMM: row = cell, col_idx = ranks_feat, values = the depths. */
    const struct nrt_spmm pool = {.rows = cells,
                                  .k = pixels,
                                  .n = ch,
                                  .row_ptr = addr_of(row_ptr),
                                  .col_idx = ranks_feat,
                                  .values = addr_of(values),
                                  .b = feat,
                                  .ldb = ch,
                                  .c = addr_of(pooled),
                                  .ldc = ch * 4,
                                  .out_raw = true};
    check_call(nrt_spmm(&rt, &pool), "the pooling SpMM");
  } else {
    /* The reference's formulation, for comparison: the feature rows gathered in index order, then
     * per interval a 1 x L by L x C GEMM into its cell's row. The GEMMs write disjoint rows and
     * read only what the gathers wrote, so after the first one they need no fence. Empty cells
     * are zeroed by the CPU first. */
    memset(pooled, 0, cells * ch * 4);
    check_call(nrt_gather(&rt, ranks_feat, p->points, feat, pixels, ch, ch, addr_of(rows), ch),
               "the feature gather");
    for (uint32_t i = 0; i < p->intervals; ++i) {
      const uint32_t s = (uint32_t)starts[i], l = (uint32_t)lengths[i], cell = (uint32_t)ranks_bev[s];
      const struct nrt_gemm g = {.m = 1,
                                 .k = l,
                                 .n = ch,
                                 .a = addr_of(values + s),
                                 .lda = l,
                                 .b = addr_of(rows + s * ch),
                                 .ldb = ch,
                                 .c = addr_of(pooled + cell * ch),
                                 .ldc = ch * 4,
                                 .out_raw = true};
      if (i > 0) rt.dram_dirty = false;
      check_call(nrt_gemm(&rt, &g), "an interval's GEMM");
    }
    rt.dram_dirty = true;
  }
  const struct nrt_mat pooled_m = mat(pooled, cells, ch, NRT_I32), bev_m = mat(bev, cells, ch, NRT_I8);
  check_call(
      nrt_requant(&rt, &pooled_m, &bev_m, p->pool_multiplier, p->pool_shift, p->pool_zero_point, false),
      "the pooling requantisation");
  end_layer("pool");

  /* The encoder: 3x3 conv C -> C with bias to int32, then per channel round_shift(x * m_c, shift)
   * (vector mul against the repeated multipliers, saturated to int8) and ReLU (requant by 1). */
  static const char* const conv_names[8] = {"conv1", "conv2", "conv3", "conv4",
                                            "conv5", "conv6", "conv7", "conv8"};
  const int8_t* x = bev;
  for (uint32_t l = 0; l < p->encoder_layers; ++l) {
    char name[16];
    wl_layer_begin(&prof, conv_names[l]);
    snprintf(name, sizeof name, "enc%" PRIu32 ".w", l);
    const uint32_t w = wl_section_addr(&img, name, 9 * ch * ch);
    snprintf(name, sizeof name, "enc%" PRIu32 ".bias", l);
    const uint32_t bias = wl_section_addr(&img, name, ch * 4);
    const struct nrt_conv2d conv = {.h = p->bev_x,
                                    .w = p->bev_y,
                                    .c = ch,
                                    .oc = ch,
                                    .kh = 3,
                                    .kw = 3,
                                    .stride = 1,
                                    .pad = 1,
                                    .in = addr_of(x),
                                    .weights = w,
                                    .bias = bias,
                                    .out = addr_of(raw),
                                    .out_raw = true};
    check_call(nrt_conv2d(&rt, &conv), "a conv");
    for (uint32_t c0 = 0; c0 < cells; c0 += mult_cells) {
      const uint32_t n = min_u(mult_cells, cells - c0);
      const struct nrt_mat a = mat(raw + c0 * ch, n, ch, NRT_I32), b = mat(mult_rows[l], n, ch, NRT_I32);
      const struct nrt_mat o = mat(scaled + c0 * ch, n, ch, NRT_I8);
      check_call(nrt_eltwise(&rt, NPU_FN_MUL, &a, &b, &o, (int32_t)p->enc_shift, 0, 0, 0),
                 "a per-channel scale");
    }
    const struct nrt_mat s = mat(scaled, cells, ch, NRT_I8), e = mat(encoded[l], cells, ch, NRT_I8);
    check_call(nrt_requant(&rt, &s, &e, 1, 0, 0, true), "a ReLU");
    end_layer(conv_names[l]);
    x = encoded[l];
  }

  /* The head: 1x1 conv C -> Z * class_stride with bias, int32; its reshape to (X, Y, Z, classes)
   * is the same data as voxel rows of class_stride, whose argmax is the label. */
  for (uint32_t c0 = 0; c0 < cells; c0 += chunk_cells) {
    const uint32_t n = min_u(chunk_cells, cells - c0);
    wl_layer_begin(&prof, "head");
    const struct nrt_gemm head = {.m = n,
                                  .k = ch,
                                  .n = zc,
                                  .a = addr_of(x + c0 * ch),
                                  .lda = ch,
                                  .b = head_w,
                                  .ldb = zc,
                                  .c = addr_of(logits),
                                  .ldc = zc * 4,
                                  .bias = head_bias,
                                  .out_raw = true};
    check_call(nrt_gemm(&rt, &head), "the head GEMM");
    end_layer("head");
    wl_layer_begin(&prof, "argmax");
    const struct nrt_mat lv = mat(logits, n * p->bev_z, p->class_stride, NRT_I32);
    check_call(nrt_argmax(&rt, &lv, addr_of(labels + c0 * p->bev_z)), "the argmax");
    end_layer("argmax");
  }

  /* Panoptic: the centre heatmap (1x1 conv C -> 1), top-K peaks on the CPU, then the nearest
   * centre of every cell as the argmax of 2 p.c - |c|^2 (= |p|^2 - |p - c|^2; first maximum =
   * lowest centre on a tie, as the reference) by a GEMM of the cells' coordinates, centred to fit
   * int8, with the centres; occupied voxels take their cell's centre. */
  int32_t* heat = NULL;
  int32_t* centres = NULL;
  uint16_t* instances = NULL;
  uint32_t found = 0;
  if (panoptic) {
    heat = alloc(cells * 4);
    centres = alloc(p->top_k * 4 + 4);
    instances = alloc(voxels * 2);
    int8_t* coords = alloc(cells * 4);
    const int32_t hx = (int32_t)p->bev_x / 2, hy = (int32_t)p->bev_y / 2;
    for (uint32_t c = 0; c < cells; ++c) {
      const int8_t cx = (int8_t)((int32_t)(c / p->bev_y) - hx), cy = (int8_t)((int32_t)(c % p->bev_y) - hy);
      coords[4 * c] = coords[4 * c + 2] = cx;
      coords[4 * c + 1] = coords[4 * c + 3] = cy;
    }
    const uint32_t kp = padded(p->top_k);
    int8_t* cb = alloc(4 * kp);
    int32_t* cbias = alloc(kp * 4);
    int32_t* scores = alloc(cells * kp * 4);
    int32_t* nearest = alloc(cells * 4);

    wl_layer_begin(&prof, "panoptic");
    const struct nrt_gemm hm = {.m = cells,
                                .k = ch,
                                .n = 1,
                                .a = addr_of(x),
                                .lda = ch,
                                .b = wl_section_addr(&img, "centre.w", ch),
                                .ldb = 1,
                                .c = addr_of(heat),
                                .ldc = 4,
                                .out_raw = true};
    check_call(nrt_gemm(&rt, &hm), "the heatmap GEMM");
    npu_check(nrt_wait(&rt), "panoptic");
    found = top_k_peaks(p, heat, centres);
    if (found > 0) {
      const uint32_t np = padded(found);
      for (uint32_t k = 0; k < np; ++k) {
        const bool real = k < found;
        const int32_t cx = real ? centres[k] / (int32_t)p->bev_y - hx : 0;
        const int32_t cy = real ? centres[k] % (int32_t)p->bev_y - hy : 0;
        cb[k] = cb[2 * np + k] = (int8_t)cx;
        cb[np + k] = cb[3 * np + k] = (int8_t)cy;
        cbias[k] = real ? -(cx * cx + cy * cy) : INT32_MIN;
      }
      const struct nrt_gemm dist = {.m = cells,
                                    .k = 4,
                                    .n = np,
                                    .a = addr_of(coords),
                                    .lda = 4,
                                    .b = addr_of(cb),
                                    .ldb = np,
                                    .c = addr_of(scores),
                                    .ldc = np * 4,
                                    .bias = addr_of(cbias),
                                    .out_raw = true};
      check_call(nrt_gemm(&rt, &dist), "the centre distance GEMM");
      const struct nrt_mat sm = mat(scores, cells, np, NRT_I32);
      check_call(nrt_argmax(&rt, &sm, addr_of(nearest)), "the nearest-centre argmax");
      npu_check(nrt_wait(&rt), "panoptic");
    }
    for (uint32_t v = 0; v < voxels; ++v)
      instances[v] =
          found > 0 && labels[v] != (int32_t)(p->classes - 1) ? (uint16_t)(nearest[v / p->bev_z] + 1) : 0;
    end_layer("panoptic");
  }
  wl_profile_print(&prof);

  /* Every stage against the reference, in pipeline order. */
  const struct where per_channel = {p, ch, false}, per_voxel = {p, p->bev_z, true}, per_cell = {p, 1, false};
  bool pass =
      check_i32("pooled", &per_channel, pooled, wl_section(&img, "gold.pooled", cells * ch * 4), cells * ch);
  pass &= check_i8("bev", &per_channel, bev, wl_section(&img, "gold.bev", cells * ch), cells * ch);
  for (uint32_t l = 0; l < p->encoder_layers; ++l) {
    char name[16];
    snprintf(name, sizeof name, "gold.enc%" PRIu32, l);
    pass &= check_i8(name + 5, &per_channel, encoded[l], wl_section(&img, name, cells * ch), cells * ch);
  }
  const uint8_t* gold_labels = wl_section(&img, "gold.labels", voxels);
  uint32_t bad = 0, first = 0, hist[256] = {0};
  for (uint32_t v = 0; v < voxels; ++v) {
    if (labels[v] != gold_labels[v] && bad++ == 0) first = v;
    hist[gold_labels[v]]++;
  }
  pass &= report("labels", &per_voxel, voxels, bad, first, labels[first], gold_labels[first]);
  if (panoptic) {
    pass &= check_i32("heatmap", &per_cell, heat, wl_section(&img, "gold.heatmap", cells * 4), cells);
    if (found == 0 && p->centres == 0) {
      printf("check %-10s ok (0 values)\n", "centres");
    } else if (found != p->centres) {
      printf("check %-10s MISMATCH: %" PRIu32 " centres, expected %" PRIu32 "\n", "centres", found,
             p->centres);
      pass = false;
    } else {
      pass &= check_i32("centres", NULL, centres, wl_section(&img, "gold.centres", found * 4), found);
    }
    const uint16_t* gold_inst = wl_section(&img, "gold.instances", voxels * 2);
    uint32_t assigned = 0;
    bad = first = 0;
    for (uint32_t v = 0; v < voxels; ++v) {
      if (instances[v] != gold_inst[v] && bad++ == 0) first = v;
      assigned += instances[v] != 0;
    }
    pass &= report("instances", &per_voxel, voxels, bad, first, instances[first], gold_inst[first]);
    printf("panoptic: %" PRIu32 " centres (top %" PRIu32 "), %" PRIu32 " occupied voxels assigned\n", found,
           p->top_k, assigned);
  }
  printf("class histogram:");
  for (uint32_t k = 0; k < p->classes; ++k) printf(" %" PRIu32 ":%" PRIu32, k, hist[k]);
  printf(" (free = %" PRIu32 ")\n", p->classes - 1);
  wl_finish(&img, pass);
}
