/* What every workload program shares (issue #8): opening and checking its data image
 * (firmware/include/workload_image.h), finding sections by name, a per-layer cycle profile, and
 * the closing lines the platform's demo reads.
 *
 *   struct wl_image img;
 *   if (!wl_image_open(&img, WIMG_ADDR, "llm")) wl_finish(&img, false);   // prints why
 *   const int8_t* w = wl_section(&img, "layer0.wq", 4096);                // exits if absent/short
 *   wl_layer_begin(&prof, "attention");  ...  wl_layer_end(&prof, &rt);   // waits for the NPU
 *   wl_profile_print(&prof);
 *   wl_finish(&img, pass);                                                  // exit code 0 = PASS
 */
#ifndef NVR_FW_WORKLOAD_H
#define NVR_FW_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "npu_rt.h"
#include "workload_image.h"

struct wl_image {
  const uint8_t* base;
  const struct wimg_header* header;
  const struct wimg_section* sections;
  const char* workload; /* the name the program asked for */
};

/* Checks the image at `addr`: magic, version, size bound, workload name, section table inside the
 * image and the CRC-32 of everything after the header. Prints a one-line reason and returns false
 * when any check fails. */
bool wl_image_open(struct wl_image* img, uint32_t addr, const char* workload);
/* The section's first byte, or NULL when the image has no such section or it is shorter than
 * `min_bytes` (then a message is printed). `bytes` (if not NULL) receives its size. */
const void* wl_find(const struct wl_image* img, const char* name, uint32_t min_bytes, uint32_t* bytes);
/* As wl_find, but a missing or short section ends the program (exit code WL_EXIT_IMAGE). */
const void* wl_section(const struct wl_image* img, const char* name, uint32_t min_bytes);
/* The section's DRAM bus address (for the NPU runtime), with wl_section's checks. */
uint32_t wl_section_addr(const struct wl_image* img, const char* name, uint32_t min_bytes);

/* ---- Per-layer profile: NPU cycles (CYCLES_HI:LO) and simulated time (CLINT mtime) per layer
 * name, summed over every begin/end pair with that name, in order of first appearance. */
#define WL_MAX_LAYERS 32
struct wl_layer {
  const char* name;
  uint64_t npu_cycles;
  uint64_t mtime_ticks;
  uint32_t calls;
};
struct wl_profile {
  struct wl_layer layers[WL_MAX_LAYERS];
  uint32_t count;
  int32_t open; /* index of the layer between begin and end, or -1 */
  uint64_t start_npu, start_mtime;
};
void wl_profile_init(struct wl_profile* prof);
void wl_layer_begin(struct wl_profile* prof, const char* name);
/* Waits for the NPU (nrt_wait), then books the time since the matching begin; the NPU's error
 * code (NPU_ERR_NONE when everything ran). */
uint32_t wl_layer_end(struct wl_profile* prof, struct nrt* rt);
/* A table: layer, calls, NPU cycles, share, simulated microseconds; then the totals. */
void wl_profile_print(const struct wl_profile* prof);

/* Exit codes of workload programs. */
#define WL_EXIT_PASS 0
#define WL_EXIT_FAIL 1  /* outputs differ from the golden ones */
#define WL_EXIT_IMAGE 2 /* the data image is missing, corrupted or of another workload */
#define WL_EXIT_NPU 3   /* the NPU reported an error */

/* Prints "<workload>: check PASS" or "... FAIL" as the last line and exits (0 or WL_EXIT_FAIL). */
__attribute__((noreturn)) void wl_finish(const struct wl_image* img, bool pass);
/* Prints "<workload>: error: <what>" and exits with `code`. */
__attribute__((noreturn)) void wl_fail(const struct wl_image* img, int code, const char* what);

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as zlib's crc32(0, data, bytes). */
uint32_t wl_crc32(const void* data, uint32_t bytes);

#endif /* NVR_FW_WORKLOAD_H */
