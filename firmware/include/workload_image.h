/* The workload data image (issue #8): written by a host generator (workloads/<name>), checked by
 * `nvr-vp --workload NAME` before the run, loaded into DRAM at WIMG_ADDR and read by the
 * workload's firmware (firmware/workloads/<name>). One header for both sides (C99 and C++17); all
 * fields little-endian, offsets relative to the image's first byte, every section 64-byte aligned.
 *
 *   header (64 B) | section table (section_count x 48 B) | sections
 *
 * `crc32` (IEEE 802.3, the zlib/PNG one) covers every byte after the header, so a truncated or
 * corrupted image is refused by the platform and by the firmware with a message that says which. */
#ifndef NVR_WORKLOAD_IMAGE_H
#define NVR_WORKLOAD_IMAGE_H

#include <stdint.h>

/* DRAM + 128 MiB: above everything a firmware program links (firmware/platform/link.ld), inside
 * the default 256 MiB DRAM (the same place as the kernel-test image). */
#define WIMG_ADDR 0x88000000u
#define WIMG_MAX_BYTES (96u << 20)
#define WIMG_MAGIC 0x57525643u /* "CVRW" in memory order: 'C','V','R','W' */
#define WIMG_VERSION 1u
#define WIMG_ALIGN 64u
#define WIMG_NAME_BYTES 16u
#define WIMG_SECTION_NAME_BYTES 32u

struct wimg_header {
  uint32_t magic;
  uint32_t version;
  uint32_t image_bytes;   /* the whole file, header included */
  uint32_t section_count; /* entries of the table that follows the header */
  uint32_t crc32;         /* of bytes [sizeof(struct wimg_header), image_bytes) */
  uint32_t seed;          /* of the generator's synthetic data (0: none) */
  uint32_t flags;         /* workload-specific (e.g. the variant built) */
  uint32_t reserved;
  char workload[WIMG_NAME_BYTES]; /* "llm", "occ", "det": NUL-terminated */
  char variant[WIMG_NAME_BYTES];  /* free text, e.g. "small", "csr80": NUL-terminated */
};

struct wimg_section {
  char name[WIMG_SECTION_NAME_BYTES]; /* NUL-terminated, unique within the image */
  uint32_t offset;                    /* from the image's first byte, WIMG_ALIGN-aligned */
  uint32_t bytes;
  uint32_t reserved[2];
};

#ifdef __cplusplus
static_assert(sizeof(wimg_header) == 64, "wimg_header layout");
static_assert(sizeof(wimg_section) == 48, "wimg_section layout");
#else
_Static_assert(sizeof(struct wimg_header) == 64, "wimg_header layout");
_Static_assert(sizeof(struct wimg_section) == 48, "wimg_section layout");
#endif

#endif /* NVR_WORKLOAD_IMAGE_H */
