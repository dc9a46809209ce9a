/* nvr_switch: firmware turns the runahead prefetcher off and on through CTRL.nvr_enable.
 *
 * One SpMM (a CSR matrix 256 x 2048 with 16 nonzeros a row, times B 2048 x 16 int8, raw int32
 * out) runs twice through the NPU runtime: first with npu_set_nvr(false), then with
 * npu_set_nvr(true), each phase with its own B (so neither finds B in the L2 the other warmed).
 * Each phase's result is checked against the CPU, and its NPU cycles printed.
 * With the word "NOFF" at 0x88000000 (nvr-vp --load FILE@0x88000000) the runahead unit stays off
 * in both phases, so a run with `--prefetcher nvr` shows in its statistics what the off phase
 * alone issued. nvr-vp only (QEMU has no NPU). Exit code: the number of failed checks. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "npu_rt.h"

#define ROWS 256u
#define K 2048u
#define N 16u
#define NNZ_ROW 16u
#define NNZ (ROWS * NNZ_ROW)
#define RING 64u
#define ARG_ADDR 0x88000000u
#define ARG_KEEP_OFF 0x46464F4Eu /* "NOFF" */

static uint32_t ring_slots[RING * NPU_INSN_WORDS] __attribute__((aligned(32)));
static int32_t row_ptr[ROWS + 1] __attribute__((aligned(64)));
static int32_t col_idx[NNZ] __attribute__((aligned(64)));
static int8_t values[NNZ] __attribute__((aligned(64)));
static int8_t b[2][K * N] __attribute__((aligned(64)));
static int32_t c[ROWS * N] __attribute__((aligned(64)));

static uint32_t addr(const void* p) { return (uint32_t)(uintptr_t)p; }

static uint32_t lcg(uint32_t* s) {
  *s = *s * 1664525u + 1013904223u;
  return *s >> 8;
}

static void make_matrix(void) {
  uint32_t s = 6;
  for (uint32_t r = 0; r <= ROWS; r++) row_ptr[r] = (int32_t)(r * NNZ_ROW);
  for (uint32_t j = 0; j < NNZ; j++) {
    col_idx[j] = (int32_t)(lcg(&s) % K);
    values[j] = (int8_t)(lcg(&s) % 255 - 127);
  }
  for (uint32_t i = 0; i < K * N; i++) {
    b[0][i] = (int8_t)(lcg(&s) % 255 - 127);
    b[1][i] = (int8_t)(lcg(&s) % 255 - 127);
  }
}

/* The SpMM on the NPU, checked on the CPU; false when it failed. */
static bool run_phase(struct nrt* rt, const char* name, const int8_t* bm) {
  memset(c, 0xA5, sizeof c);
  const struct nrt_spmm s = {.rows = ROWS,
                             .k = K,
                             .n = N,
                             .row_ptr = addr(row_ptr),
                             .col_idx = addr(col_idx),
                             .values = addr(values),
                             .b = addr(bm),
                             .ldb = N,
                             .c = addr(c),
                             .ldc = N * 4,
                             .out_raw = true};
  const uint64_t start = nrt_cycles();
  const int queued = nrt_spmm(rt, &s);
  const uint32_t error = nrt_wait(rt);
  const uint64_t cycles = nrt_cycles() - start;
  uint32_t wrong = 0;
  for (uint32_t r = 0; r < ROWS; r++)
    for (uint32_t n = 0; n < N; n++) {
      int32_t sum = 0;
      for (int32_t j = row_ptr[r]; j < row_ptr[r + 1]; j++)
        sum += values[j] * bm[(uint32_t)col_idx[j] * N + n];
      wrong += c[r * N + n] != sum;
    }
  const bool ok = queued == NRT_OK && error == NPU_ERR_NONE && wrong == 0;
  printf("  %-8s %s %8" PRIu64 " NPU cycles\n", name, ok ? "PASS" : "FAIL", cycles);
  return ok;
}

int main(void) {
  const bool keep_off = *(volatile const uint32_t*)(uintptr_t)ARG_ADDR == ARG_KEEP_OFF;
  printf("nvr_switch: SpMM %ux%ux%u, %u nonzeros%s\n", ROWS, K, N, NNZ, keep_off ? ", NVR kept off" : "");
  make_matrix();
  struct nrt rt;
  if (!nrt_init(&rt, ring_slots, RING)) { /* turns NVR on */
    printf("NPU not usable\n");
    return 100;
  }
  int failures = 0;
  npu_set_nvr(false);
  failures += !run_phase(&rt, "nvr off", b[0]);
  npu_set_nvr(!keep_off);
  failures += !run_phase(&rt, keep_off ? "nvr off" : "nvr on", b[1]);
  printf("nvr_switch: %d failure(s)\n", failures);
  return failures;
}
