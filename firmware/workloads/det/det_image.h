/* The det workload's image contents (issue #8): the "params" section and the section names, shared
 * by the generator (workloads/det, nvr-det-image) and the firmware (firmware/workloads/det). C99
 * and C++17; every field little-endian 32-bit.
 *
 * Sections (row-major, int8 unless said):
 *   params                struct det_params
 *   points                int32 x 4 per point: x, y, z in mm, intensity 0..127 (the scan reader's
 *                         fixed point; scan order)
 *   linear.w              130 x 64; linear.mult int32 x 64 (multipliers at the layer's one shift)
 *   conv<i>.fine          (9 * cin) x cout (HWIO, tap-major); conv<i>.coarse cin x cout;
 *   conv<i>.pow2          int32 x cout (2^k of the CFWS split); conv<i>.mult int32 x cout
 *   head.w                cin x 1
 *   gold.ids              int32 x pillars (canvas row of each pillar, in pillar order)
 *   gold.features         pillars x 130; gold.pillar_feat pillars x 64
 *   gold.conv<i>          oh * ow x cout (each backbone output, HWC)
 *   gold.heat             int32 x heat_h * heat_w
 *   gold.peaks            struct det_peak x peaks
 *
 * Per-channel requant as the NPU does it: the reference's per-channel (multiplier m_c, shift s_c)
 * become multipliers m_c << (shift - s_c) at one shift per layer, which is the same function
 * (round_shift(x * m * 2^d, s + d) = round_shift(x * m, s)), so one vector `mul` per tile of 16
 * channels requantises every channel. */
#ifndef NVR_DET_IMAGE_H
#define NVR_DET_IMAGE_H

#include <stdint.h>

#define DET_FEATURES 130u
#define DET_BINS 64u
#define DET_CHANNELS 64u
#define DET_LAYERS 3u
#define DET_MAX_TOP_K 1000u

/* Points per pillar at most, and the mean intensity of a bin as the NPU computes it:
 * round_div(sum, count) = round_shift(sum * det_recip(count), DET_MEAN_SHIFT) for counts 1..32 and
 * sums 0..127 * count (the error of the reciprocal, below sum / 2^20, stays under the 1 / (2 count)
 * that separates a quotient from the next rounding boundary; checked exhaustively by
 * tests/workloads/det); det_recip(0) = 0 makes an empty bin's mean 0. */
#define DET_MAX_POINTS 32u
#define DET_MEAN_SHIFT 20u
static inline int32_t det_recip(uint32_t count) {
  return count ? (int32_t)(((1u << DET_MEAN_SHIFT) + count - 1u) / count) : 0;
}

/* Variant flags in the image header's `flags`. */
#define DET_FLAG_FULL 1u /* the 432 x 496 canvas at 0.16 m (else 216 x 248 at 0.32 m) */

struct det_layer {
  uint32_t cin, cout, stride;
  uint32_t h, w;   /* input map */
  uint32_t oh, ow; /* output map */
  uint32_t shift;  /* the requant shift shared by the layer's channels */
  int32_t clip_min;
  uint32_t reserved[3];
};

struct det_params {
  uint32_t points; /* records in `points` */
  int32_t cell, x_min, y_min, z_min, z_max;
  uint32_t nx, ny;
  uint32_t max_pillars, max_points_per_pillar;
  uint32_t pillars;     /* golden: pillars made from the scan */
  uint32_t points_kept; /* golden: points inside the grid and under both caps */
  uint32_t linear_shift;
  int32_t linear_clip_min;
  uint32_t head_cin;
  uint32_t heat_h, heat_w;
  uint32_t top_k;
  uint32_t peaks; /* golden peaks (at most top_k) */
  uint32_t reserved[5];
  struct det_layer layer[DET_LAYERS];
};

struct det_peak {
  uint32_t y, x;
  int32_t score;
};

#ifdef __cplusplus
static_assert(sizeof(det_layer) == 48, "det_layer layout");
static_assert(sizeof(det_params) == 96 + 3 * 48, "det_params layout");
#else
_Static_assert(sizeof(struct det_layer) == 48, "det_layer layout");
_Static_assert(sizeof(struct det_params) == 96 + 3 * 48, "det_params layout");
#endif

#endif /* NVR_DET_IMAGE_H */
