/* npu: drives the NPU through its driver and checks every result on the CPU.
 *
 * - a tiled int8 GEMM C (24 x 32) = A (24 x 32) * B (32 x 32): mvin tiles, matmul with
 *   accumulation over K, mvout raw int32; completion by polling;
 * - the same accumulators requantised (config.store) to int8; completion by interrupt;
 * - a sparse gather of rows through an index array, and an SpMV with CSR (config.sparse, spmm);
 * - an illegal instruction: the NPU halts with illegal_opcode at its ring index, CTRL.reset
 *   recovers, and the ring works again; a ring smaller than the program wraps.
 * Runs on nvr-vp only (QEMU has no NPU). Exit code: the number of failed checks. */
#include "npu.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define M 24
#define K 32
#define N 32
#define RING 16u

static int failures;

static void check(const char* what, bool ok) {
  printf("  %-60s %s\n", what, ok ? "ok" : "FAIL");
  if (!ok) failures++;
}

static uint32_t ring_slots[RING * NPU_INSN_WORDS] __attribute__((aligned(32)));
static int8_t a[M * K] __attribute__((aligned(64)));
static int8_t b[K * N] __attribute__((aligned(64)));
static int32_t c[M * N] __attribute__((aligned(64)));
static int8_t cq[M * N] __attribute__((aligned(64)));

static uint32_t addr(const void* p) { return (uint32_t)(uintptr_t)p; }

static int32_t round_shift(int64_t x, unsigned s) {
  return (int32_t)(s == 0 ? x : (x + ((int64_t)1 << (s - 1))) >> s);
}

static void test_gemm(struct npu_ring* r) {
  printf("tiled GEMM %ux%ux%u\n", M, K, N);
  for (int i = 0; i < M * K; i++) a[i] = (int8_t)((i * 37 + 11) % 255 - 127);
  for (int i = 0; i < K * N; i++) b[i] = (int8_t)((i * 53 + 7) % 251 - 125);
  const uint32_t kt_count = K / 16, nt_count = N / 16;
  for (uint32_t kt = 0; kt < kt_count; kt++)
    npu_mvin(npu_slot(r), addr(a) + kt * 16, npu_spad(kt * M), M, 16, K, 0);
  for (uint32_t kt = 0; kt < kt_count; kt++)
    for (uint32_t nt = 0; nt < nt_count; nt++)
      npu_mvin(npu_slot(r), addr(b) + kt * 16 * N + nt * 16, npu_spad(1024 + (kt * nt_count + nt) * 16), 16,
               16, N, 0);
  for (uint32_t nt = 0; nt < nt_count; nt++)
    for (uint32_t kt = 0; kt < kt_count; kt++)
      npu_matmul(npu_slot(r), npu_spad(kt * M), npu_spad(1024 + (kt * nt_count + nt) * 16),
                 kt == 0 ? npu_acc(nt * M) : npu_acc_add(nt * M), M, 0);
  for (uint32_t nt = 0; nt < nt_count; nt++)
    npu_mvout(npu_slot(r), addr(c) + nt * 16 * 4, npu_acc(nt * M), M, 16, N * 4, NPU_FLAG_RAW);
  npu_irq(npu_slot(r), 1);
  const uint32_t error = npu_wait(r);
  check("completes without error (polling)", error == NPU_ERR_NONE);
  int wrong = 0;
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) {
      int32_t sum = 0;
      for (int k = 0; k < K; k++) sum += a[i * K + k] * b[k * N + j];
      if (c[i * N + j] != sum) wrong++;
    }
  check("C = A * B, every element", wrong == 0);
  check("IRQ_TAG = 1", npu_read(NPU_REG_IRQ_TAG) == 1);
  check("busy cycles counted", npu_read(NPU_REG_CYCLES_LO) > 0 && npu_read(NPU_REG_EXEC_BUSY) > 0);
  npu_write(NPU_REG_IRQ_STATUS, NPU_IRQ_DONE);

  printf("requantised output, completion by interrupt\n");
  npu_use_interrupts();
  npu_config_store(npu_slot(r), 3, 9, -5, -100, 120);
  for (uint32_t nt = 0; nt < nt_count; nt++)
    npu_mvout(npu_slot(r), addr(cq) + nt * 16, npu_acc(nt * M), M, 16, N, 0);
  npu_irq(npu_slot(r), 2);
  check("completes without error (interrupt)", npu_wait_irq(r, 2) == NPU_ERR_NONE);
  check("the interrupt handler saw the irq", npu_irq_count() == 1);
  wrong = 0;
  for (int i = 0; i < M * N; i++) {
    int32_t q = round_shift((int64_t)c[i] * 3, 9) - 5;
    q = q < -100 ? -100 : q > 120 ? 120 : q;
    if (cq[i] != q) wrong++;
  }
  check("requant(C), every element", wrong == 0);
}

static int32_t gather_index[5] = {3, 0, 3, 7, 1};
static int8_t table[8 * 16] __attribute__((aligned(64)));
static int32_t gathered[5 * 16];
/* CSR of a 4 x 8 matrix with 6 nonzeros, times a dense vector x (8 x 1). */
static int32_t row_ptr[5] = {0, 2, 2, 5, 6};
static int32_t col_idx[6] = {1, 6, 0, 3, 7, 2};
static int8_t values[6] = {5, -3, 2, 7, -1, 4};
static int8_t x[8] = {1, -2, 3, 4, -5, 6, 7, -8};
static int32_t y[4];

static void test_sparse(struct npu_ring* r) {
  printf("gather and SpMV\n");
  for (int i = 0; i < 8 * 16; i++) table[i] = (int8_t)(i * 3 - 100);
  npu_gather(npu_slot(r), addr(gather_index), 5, addr(table), 8, 16, npu_acc(100), 16, NPU_FLAG_I8);
  npu_mvout(npu_slot(r), addr(gathered), npu_acc(100), 5, 16, 64, NPU_FLAG_RAW);
  npu_config_sparse(npu_slot(r), addr(row_ptr), addr(col_idx), addr(values), 8);
  npu_spmm(npu_slot(r), addr(x), 1, 0, 4, npu_acc(200), 1);
  npu_mvout(npu_slot(r), addr(y), npu_acc(200), 4, 1, 4, NPU_FLAG_RAW);
  npu_irq(npu_slot(r), 3);
  check("completes without error", npu_wait_irq(r, 3) == NPU_ERR_NONE);
  int wrong = 0;
  for (int i = 0; i < 5; i++)
    for (int n = 0; n < 16; n++)
      if (gathered[i * 16 + n] != table[gather_index[i] * 16 + n]) wrong++;
  check("gathered rows", wrong == 0);
  wrong = 0;
  for (int row = 0; row < 4; row++) {
    int32_t sum = 0;
    for (int j = row_ptr[row]; j < row_ptr[row + 1]; j++) sum += values[j] * x[col_idx[j]];
    if (y[row] != sum) wrong++;
  }
  check("y = A x (CSR)", wrong == 0);
}

static void test_error(struct npu_ring* r) {
  printf("error and recovery\n");
  npu_reset(r);
  npu_nop(npu_slot(r));
  npu_nop(npu_slot(r));
  uint32_t* bad = npu_slot(r);
  npu_nop(bad);
  bad[0] = 0x3f; /* an undefined opcode */
  npu_irq(npu_slot(r), 4);
  const uint32_t error = npu_wait_irq(r, 4);
  const struct npu_fault f = npu_fault();
  printf("  reported: %s at %u (info 0x%x)\n", npu_error_name(f.code), (unsigned)f.index, (unsigned)f.info);
  check("illegal_opcode reported", error == NPU_ERR_ILLEGAL_OPCODE && f.code == NPU_ERR_ILLEGAL_OPCODE);
  check("at ring index 2, info = the opcode", f.index == 2 && f.info == 0x3f);
  check("STATUS.error set", (npu_read(NPU_REG_STATUS) & NPU_STATUS_ERROR) != 0);
  npu_reset(r);
  check("CTRL.reset clears the error", npu_read(NPU_REG_ERROR) == 0 && npu_read(NPU_REG_STATUS) == 0);
  /* More instructions than ring slots: the driver waits for room and the ring wraps. */
  for (uint32_t i = 0; i < 3 * RING; i++) npu_nop(npu_slot(r));
  npu_irq(npu_slot(r), 5);
  check("runs again after reset, ring wraps", npu_wait(r) == NPU_ERR_NONE && npu_read(NPU_REG_IRQ_TAG) == 5);
}

int main(void) {
  printf("npu: NPU driver test\n");
  struct npu_ring r;
  const bool ok = npu_init(&r, ring_slots, RING);
  check("ID, VERSION and ring accepted", ok);
  if (!ok) return 1;
  test_gemm(&r);
  test_sparse(&r);
  test_error(&r);
  printf("npu: %d failure(s)\n", failures);
  return failures;
}
