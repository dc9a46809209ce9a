/* The kernel-test data image: written by the host generator (workloads/gen, nvr-kernel-images),
 * loaded into DRAM by `nvr-vp --load FILE@ADDR`, read by the firmware program npu_kernels. One
 * header for both sides (C99 and C++17); all fields little-endian 32-bit, offsets relative to
 * the image's first byte, every blob 64-byte aligned.
 *
 *   header | case table (case_count entries) | blobs (inputs, output areas, golden outputs)
 *
 * For each case the firmware copies `init` (if nonzero) into the output area, runs the kind's
 * runtime call on the inputs, and compares out/out2 with golden/golden2 byte for byte. */
#ifndef NVR_KERNEL_IMAGE_H
#define NVR_KERNEL_IMAGE_H

#include <stdint.h>

/* DRAM + 128 MiB: above everything a firmware program links (firmware/platform/link.ld), inside
 * the default 256 MiB DRAM. */
#define KIMG_ADDR 0x88000000u
#define KIMG_MAX_BYTES (64u << 20)
#define KIMG_MAGIC 0x474D494Bu /* "KIMG" */
#define KIMG_VERSION 1u
#define KIMG_ALIGN 64u

enum kimg_kind {
  KIMG_GEMM = 1, /* dim m, k, n; param raw, multiplier, shift, zero point, clip min, max; in A, B, bias */
  KIMG_GEMM_INT4 = 2,   /* as GEMM; A and B packed int4 (npu_rt.h) */
  KIMG_CONV2D = 3,      /* dim h, w, c, oc, kh, kw, stride, pad; param as GEMM; in input, weights, bias */
  KIMG_SPMM = 4,        /* dim rows, k, n; param as GEMM; in row_ptr, col_idx, values, B */
  KIMG_SPMV = 5,        /* dim rows, k; in row_ptr, col_idx, values, x; out int32 */
  KIMG_GATHER = 6,      /* dim count, table rows, cols; in index, table (int8) */
  KIMG_SCATTER_ADD = 7, /* dim count, table rows, cols; in index, src (int32); init = the table */
  KIMG_SOFTMAX = 8,     /* dim rows, cols; param f, clip; in a (int32); out int32 */
  KIMG_RMSNORM = 9,     /* dim rows, cols; param q; in a (int32); out int32 */
  KIMG_QUANT = 10,      /* dim rows, cols; in a (int32); out int8, out2 amax int32 */
  KIMG_ARGMAX = 11,     /* dim rows, cols; in a (int32); out int32 indices */
  KIMG_SILU = 12,       /* dim rows, cols; param f, a's row stride in elements (0: dense); in a; out int32 */
  KIMG_REQUANT = 13, /* dim rows, cols; param multiplier, shift, zero point, relu; in a (int32); out int8 */
  KIMG_SCATTER = 14, /* dim count, table rows, cols; in index, src (int8); init = the table; last wins */
  KIMG_KIND_LAST = KIMG_SCATTER
};

struct kimg_header {
  uint32_t magic;
  uint32_t version;
  uint32_t case_count;
  uint32_t image_bytes; /* the whole file */
  uint32_t case_table;  /* offset of case_count struct kimg_case */
  uint32_t seed;
  uint32_t reserved[2];
};

struct kimg_case {
  uint32_t kind;
  char name[28]; /* NUL-terminated */
  uint32_t dim[8];
  int32_t param[8];
  uint32_t in[6]; /* offsets; 0 = absent */
  uint32_t init;  /* copied into out before the run; 0 = none */
  uint32_t out, golden, out_bytes;
  uint32_t out2, golden2, out2_bytes;
  uint32_t reserved[3];
};

#ifdef __cplusplus
static_assert(sizeof(kimg_header) == 32, "kimg_header layout");
static_assert(sizeof(kimg_case) == 160, "kimg_case layout");
#else
_Static_assert(sizeof(struct kimg_header) == 32, "kimg_header layout");
_Static_assert(sizeof(struct kimg_case) == 160, "kimg_case layout");
#endif

#endif /* NVR_KERNEL_IMAGE_H */
