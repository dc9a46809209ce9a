/* workload_image: the firmware side of the workload image (fw_workload) on a tiny image packed by
 * `nvr-wimg pack --workload selftest` (tests/workloads/image): the CRC-32 check value, the image
 * checks, sections by name (present, absent, too short), one GEMM through the runtime inside the
 * per-layer profile, the result against the golden section, and the closing line. Exit codes as
 * every workload: 0 PASS, 1 FAIL, 2 image unusable, 3 NPU error. nvr-vp only. */
#include <stdio.h>
#include <string.h>

#include "workload.h"

#define RING 64u
#define N 16u

static uint32_t ring_slots[RING * NPU_INSN_WORDS] __attribute__((aligned(32)));
static int8_t result[N * N] __attribute__((aligned(64)));

int main(void) {
  /* The standard check value of CRC-32/ISO-HDLC. */
  const uint32_t check = wl_crc32("123456789", 9);
  printf("crc32(\"123456789\") = 0x%08lx\n", (unsigned long)check);
  if (check != 0xcbf43926u) wl_fail(NULL, WL_EXIT_FAIL, "wl_crc32 is wrong");

  struct wl_image img;
  if (!wl_image_open(&img, WIMG_ADDR, "selftest")) wl_fail(&img, WL_EXIT_IMAGE, "no usable image");
  printf("image: variant '%.16s', %lu bytes, %lu sections\n", img.header->variant,
         (unsigned long)img.header->image_bytes, (unsigned long)img.header->section_count);
  if (wl_find(&img, "absent", 0, NULL) != NULL)
    wl_fail(&img, WL_EXIT_FAIL, "found a section that is not there");
  if (wl_find(&img, "a", N * N + 1, NULL) != NULL) wl_fail(&img, WL_EXIT_FAIL, "a short section passed");

  struct nrt rt;
  if (!nrt_init(&rt, ring_slots, RING)) wl_fail(&img, WL_EXIT_NPU, "NPU unusable");
  struct wl_profile prof;
  wl_profile_init(&prof);
  const struct nrt_gemm g = {.m = N,
                             .k = N,
                             .n = N,
                             .a = wl_section_addr(&img, "a", N * N),
                             .lda = N,
                             .b = wl_section_addr(&img, "b", N * N),
                             .ldb = N,
                             .c = (uint32_t)(uintptr_t)result,
                             .ldc = N,
                             .q = NRT_REQUANT_IDENTITY};
  wl_layer_begin(&prof, "gemm");
  if (nrt_gemm(&rt, &g) != NRT_OK) wl_fail(&img, WL_EXIT_NPU, "GEMM refused");
  if (wl_layer_end(&prof, &rt) != NPU_ERR_NONE) wl_fail(&img, WL_EXIT_NPU, "the NPU reported an error");
  wl_profile_print(&prof);

  const int8_t* golden = wl_section(&img, "golden", N * N);
  for (uint32_t i = 0; i < N * N; ++i)
    if (result[i] != golden[i]) {
      printf("selftest: C[%lu][%lu] = %d, golden %d\n", (unsigned long)(i / N), (unsigned long)(i % N),
             result[i], golden[i]);
      wl_finish(&img, false);
    }
  wl_finish(&img, true);
}
