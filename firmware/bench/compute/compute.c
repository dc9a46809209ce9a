/* compute: a CPU benchmark of about 200 million instructions, three integer kernels:
 * - matmul: C = A x B on 96 x 96 int32 matrices, repeated with B changing each round;
 * - crc32: table-driven CRC-32 (IEEE, reflected) over a 64 KiB buffer, repeated;
 * - chase: pointer chase through a 64 Ki-node linked list shuffled with an LCG (Fisher-Yates),
 *   so consecutive hops land far apart in memory.
 * Everything is generated from fixed seeds: the printed checksums are the same on every correct
 * implementation. Built with -DNVR_BENCH_REPORT_INSTRET the program also prints minstret and
 * mcycle at the end (for measuring the instruction count, e.g. on QEMU with -icount shift=0);
 * the default build prints nothing that depends on the implementation. Exits 0 when the CRC-32
 * check value is right. */
#include <stdint.h>
#include <stdio.h>

#include "csr.h"

#define MATRIX_N 96
#define MATMUL_ROUNDS 9
#define CRC_BYTES (64 * 1024)
#define CRC_ROUNDS 90
#define CHASE_NODES (64 * 1024)
#define CHASE_HOPS (12 * 1024 * 1024)

/* 32-bit LCG (Numerical Recipes constants). */
static uint32_t lcg_state;
static uint32_t lcg_next(void) {
  lcg_state = lcg_state * 1664525u + 1013904223u;
  return lcg_state;
}

/* ---- matmul ---- */
static int32_t mat_a[MATRIX_N][MATRIX_N];
static int32_t mat_b[MATRIX_N][MATRIX_N];
static int32_t mat_c[MATRIX_N][MATRIX_N];

static void matmul(void) {
  for (int i = 0; i < MATRIX_N; i++) {
    for (int j = 0; j < MATRIX_N; j++) {
      int32_t sum = 0;
      for (int k = 0; k < MATRIX_N; k++) sum += mat_a[i][k] * mat_b[k][j];
      mat_c[i][j] = sum;
    }
  }
}

static uint32_t bench_matmul(void) {
  lcg_state = 1;
  for (int i = 0; i < MATRIX_N; i++) {
    for (int j = 0; j < MATRIX_N; j++) {
      mat_a[i][j] = (int32_t)(lcg_next() >> 20) - 2048;
      mat_b[i][j] = (int32_t)(lcg_next() >> 20) - 2048;
    }
  }
  uint32_t checksum = 0;
  for (int round = 0; round < MATMUL_ROUNDS; round++) {
    matmul();
    for (int i = 0; i < MATRIX_N; i++) {
      checksum = checksum * 31u + (uint32_t)mat_c[i][(i * 7 + round) % MATRIX_N];
      mat_b[i][round % MATRIX_N] += mat_c[round][i] & 0xff; /* the next round differs */
    }
  }
  return checksum;
}

/* ---- crc32 ---- */
static uint32_t crc_table[256];
static uint8_t crc_buffer[CRC_BYTES];

static void crc_init(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = (c & 1u) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[n] = c;
  }
}

static uint32_t crc32(uint32_t crc, const uint8_t* data, uint32_t length) {
  crc = ~crc;
  for (uint32_t i = 0; i < length; i++) crc = crc_table[(crc ^ data[i]) & 0xffu] ^ (crc >> 8);
  return ~crc;
}

static uint32_t bench_crc32(void) {
  lcg_state = 2;
  for (uint32_t i = 0; i < CRC_BYTES; i++) crc_buffer[i] = (uint8_t)(lcg_next() >> 24);
  uint32_t crc = 0;
  for (int round = 0; round < CRC_ROUNDS; round++) {
    crc = crc32(crc, crc_buffer, CRC_BYTES);
    crc_buffer[(uint32_t)round * 97u % CRC_BYTES] ^= (uint8_t)crc; /* the next round differs */
  }
  return crc;
}

/* ---- pointer chase ---- */
struct node {
  struct node* next;
  uint32_t value;
};
static struct node nodes[CHASE_NODES];
static uint32_t order[CHASE_NODES];

static uint32_t bench_chase(void) {
  lcg_state = 3;
  for (uint32_t i = 0; i < CHASE_NODES; i++) order[i] = i;
  for (uint32_t i = CHASE_NODES - 1; i > 0; i--) { /* Fisher-Yates */
    uint32_t j = lcg_next() % (i + 1);
    uint32_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (uint32_t i = 0; i < CHASE_NODES; i++) { /* one cycle through every node */
    nodes[order[i]].next = &nodes[order[(i + 1) % CHASE_NODES]];
    nodes[order[i]].value = lcg_next();
  }
  const struct node* p = &nodes[order[0]];
  uint32_t sum = 0;
  for (uint32_t hop = 0; hop < CHASE_HOPS; hop++) {
    sum = (sum ^ p->value) + hop;
    p = p->next;
  }
  return sum ^ (uint32_t)(p - nodes);
}

#ifdef NVR_BENCH_REPORT_INSTRET
static uint64_t instret(void) {
  uint32_t hi, lo;
  do {
    hi = csr_read(minstreth);
    lo = csr_read(minstret);
  } while (hi != csr_read(minstreth));
  return ((uint64_t)hi << 32) | lo;
}
#define REPORT(what, since) \
  printf("  %s: %llu instructions\n", what, (unsigned long long)(instret() - (since)))
#else
static uint64_t instret(void) { return 0; }
#define REPORT(what, since) (void)(since)
#endif

int main(void) {
  uint64_t start = instret();
  printf("compute: matmul %dx%d x%d, crc32 %d KiB x%d, chase %d Ki nodes x%d Mi hops\n", MATRIX_N, MATRIX_N,
         MATMUL_ROUNDS, CRC_BYTES / 1024, CRC_ROUNDS, CHASE_NODES / 1024, CHASE_HOPS / (1024 * 1024));
  crc_init();
  static const uint8_t check_input[] = "123456789";
  uint32_t check_value = crc32(0, check_input, 9);
  int ok = check_value == 0xcbf43926u;
  printf("crc32 check value: 0x%08lx %s\n", (unsigned long)check_value, ok ? "ok" : "WRONG");

  uint64_t t = instret();
  uint32_t matmul_sum = bench_matmul();
  REPORT("matmul", t);
  printf("matmul checksum: 0x%08lx\n", (unsigned long)matmul_sum);
  t = instret();
  uint32_t crc = bench_crc32();
  REPORT("crc32", t);
  printf("crc32 checksum:  0x%08lx\n", (unsigned long)crc);
  t = instret();
  uint32_t chase = bench_chase();
  REPORT("chase", t);
  printf("chase checksum:  0x%08lx\n", (unsigned long)chase);
  printf("total checksum:  0x%08lx\n", (unsigned long)(matmul_sum ^ (crc * 3u) ^ (chase * 5u)));
  REPORT("main", start);
  return ok ? 0 : 1;
}
