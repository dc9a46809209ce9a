/* The occupancy workload's data image (issue #8), shared by its generator (workloads/occ,
 * nvr-occ-image) and its firmware (firmware/workloads/occ). The image (workload_image.h) holds a
 * section "params" with this struct and the sections named below; every array is row-major and
 * little-endian.
 *
 *   params                 struct occ_params
 *   feat                   cameras*feat_h*feat_w rows of `channels` int8 (the feature rows)
 *   depth                  cameras*depth_bins*feat_h*feat_w int8 (depth probabilities)
 *   ranks_depth, ranks_feat, ranks_bev   points int32 each (BEVPoolv2, sorted by ranks_bev)
 *   interval_starts, interval_lengths    intervals int32 each (one per occupied cell)
 *   enc<i>.w               9*channels rows of `channels` int8 (HWIO 3x3), i = 0..encoder_layers-1
 *   enc<i>.bias            channels int32
 *   enc<i>.mult            channels int32: per-channel multipliers (shift enc_shift, ReLU)
 *   head.w                 channels rows of bev_z*class_stride int8 (padding columns 0)
 *   head.bias              bev_z*class_stride int32 (padding columns INT32_MIN: never a maximum)
 *   centre.w               channels int8 (panoptic only)
 *   gold.pooled            cells rows of `channels` int32 (BEV pooling before requantisation)
 *   gold.bev, gold.enc<i>  cells rows of `channels` int8
 *   gold.labels            bev_x*bev_y*bev_z uint8, voxel (x*bev_y + y)*bev_z + z
 *   gold.heatmap           cells int32 (panoptic only)
 *   gold.centres           centres int32 BEV cells (panoptic only; may be empty)
 *   gold.instances         bev_x*bev_y*bev_z uint16 (panoptic only)
 *
 * Weights and inputs are seeded synthetic: no trained model is available offline. */
#ifndef NVR_OCC_IMAGE_H
#define NVR_OCC_IMAGE_H

#include <stdint.h>

/* wimg_header.flags */
#define OCC_FLAG_PANOPTIC 1u
#define OCC_FLAG_POOL_GEMM 2u /* pooling as gather + one GEMM per interval (for comparison) */

struct occ_params {
  uint32_t bev_x, bev_y, bev_z, classes;
  uint32_t class_stride; /* logits columns per voxel: classes, padded to a multiple of 16 past 16 */
  uint32_t channels, cameras, feat_h, feat_w, depth_bins;
  uint32_t points, intervals; /* index entries, occupied cells */
  uint32_t encoder_layers;
  uint32_t panoptic, top_k, centres; /* centres: entries of gold.centres */
  int32_t pool_multiplier;           /* per-tensor requantisation of the pooled grid */
  uint32_t pool_shift;
  int32_t pool_zero_point, pool_clip_min, pool_clip_max;
  uint32_t enc_shift; /* the shift of every encoder channel's requantisation */
  uint32_t reserved[10];
};

#ifdef __cplusplus
static_assert(sizeof(occ_params) == 128, "occ_params layout");
#else
_Static_assert(sizeof(struct occ_params) == 128, "occ_params layout");
#endif

#endif /* NVR_OCC_IMAGE_H */
