/* npu_kernels: runs every case of a kernel data image (kernel_image.h, made by the host generator
 * workloads/gen and loaded with `nvr-vp --load IMAGE@0x88000000`) through the NPU runtime and
 * compares each output with the reference's golden bytes. Prints one line per case with the
 * NPU cycles it took; exit code = the number of failed cases (or 100 + a reason when the image is
 * unusable). nvr-vp only (QEMU has no NPU). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kernel_image.h"
#include "npu_rt.h"

#define RING 256u

static uint32_t ring_slots[RING * NPU_INSN_WORDS] __attribute__((aligned(32)));

static const uint8_t* image(void) { return (const uint8_t*)(uintptr_t)KIMG_ADDR; }
static uint32_t at(uint32_t offset) { return KIMG_ADDR + offset; }

static struct nrt_requant requant_of(const struct kimg_case* c) {
  const struct nrt_requant q = {c->param[1], (uint32_t)c->param[2], c->param[3], c->param[4], c->param[5]};
  return q;
}

static struct nrt_mat mat(uint32_t offset, uint32_t rows, uint32_t cols, enum nrt_type type) {
  const struct nrt_mat m = {at(offset), rows, cols, cols * (type == NRT_I32 ? 4u : 1u), type};
  return m;
}

/* Queues the case's runtime call; NRT_OK or NRT_EINVAL. */
static int run_case(struct nrt* rt, const struct kimg_case* c) {
  const uint32_t* d = c->dim;
  const bool raw = c->param[0] != 0;
  switch (c->kind) {
    case KIMG_GEMM:
    case KIMG_GEMM_INT4: {
      const bool int4 = c->kind == KIMG_GEMM_INT4;
      const uint32_t kb = int4 ? (d[1] + 1) / 2 : d[1];
      const struct nrt_gemm g = {.m = d[0],
                                 .k = d[1],
                                 .n = d[2],
                                 .a = at(c->in[0]),
                                 .lda = kb,
                                 .b = at(c->in[1]),
                                 .ldb = d[2],
                                 .c = at(c->out),
                                 .ldc = d[2] * (raw ? 4 : 1),
                                 .bias = c->in[2] ? at(c->in[2]) : 0,
                                 .int4 = int4,
                                 .out_raw = raw,
                                 .q = requant_of(c)};
      return nrt_gemm(rt, &g);
    }
    case KIMG_CONV2D: {
      const struct nrt_conv2d p = {.h = d[0],
                                   .w = d[1],
                                   .c = d[2],
                                   .oc = d[3],
                                   .kh = d[4],
                                   .kw = d[5],
                                   .stride = d[6],
                                   .pad = d[7],
                                   .in = at(c->in[0]),
                                   .weights = at(c->in[1]),
                                   .bias = c->in[2] ? at(c->in[2]) : 0,
                                   .out = at(c->out),
                                   .out_raw = raw,
                                   .q = requant_of(c)};
      return nrt_conv2d(rt, &p);
    }
    case KIMG_SPMM: {
      const struct nrt_spmm s = {.rows = d[0],
                                 .k = d[1],
                                 .n = d[2],
                                 .row_ptr = at(c->in[0]),
                                 .col_idx = at(c->in[1]),
                                 .values = at(c->in[2]),
                                 .b = at(c->in[3]),
                                 .ldb = d[2],
                                 .c = at(c->out),
                                 .ldc = d[2] * (raw ? 4 : 1),
                                 .out_raw = raw,
                                 .q = requant_of(c)};
      return nrt_spmm(rt, &s);
    }
    case KIMG_SPMV:
      return nrt_spmv(rt, d[0], d[1], at(c->in[0]), at(c->in[1]), at(c->in[2]), at(c->in[3]), at(c->out));
    case KIMG_GATHER:
      return nrt_gather(rt, at(c->in[0]), d[0], at(c->in[1]), d[1], d[2], d[2], at(c->out), d[2]);
    case KIMG_SCATTER_ADD:
      return nrt_scatter(rt, at(c->in[0]), d[0], at(c->out), d[1], d[2] * 4, d[2], at(c->in[1]), d[2] * 4,
                         true);
    case KIMG_SCATTER:
      return nrt_scatter(rt, at(c->in[0]), d[0], at(c->out), d[1], d[2], d[2], at(c->in[1]), d[2], false);
    case KIMG_SOFTMAX: {
      const struct nrt_mat a = mat(c->in[0], d[0], d[1], NRT_I32), o = mat(c->out, d[0], d[1], NRT_I32);
      return nrt_softmax(rt, &a, &o, (uint32_t)c->param[0], (uint32_t)c->param[1]);
    }
    case KIMG_RMSNORM: {
      const struct nrt_mat a = mat(c->in[0], d[0], d[1], NRT_I32), o = mat(c->out, d[0], d[1], NRT_I32);
      return nrt_rmsnorm(rt, &a, &o, (uint32_t)c->param[0]);
    }
    case KIMG_QUANT: {
      const struct nrt_mat a = mat(c->in[0], d[0], d[1], NRT_I32), o = mat(c->out, d[0], d[1], NRT_I8);
      return nrt_quant(rt, &a, &o, at(c->out2));
    }
    case KIMG_ARGMAX: {
      const struct nrt_mat a = mat(c->in[0], d[0], d[1], NRT_I32);
      return nrt_argmax(rt, &a, at(c->out));
    }
    case KIMG_SILU: {
      struct nrt_mat a = mat(c->in[0], d[0], d[1], NRT_I32);
      const struct nrt_mat o = mat(c->out, d[0], d[1], NRT_I32);
      if (c->param[1] != 0) a.stride = (uint32_t)c->param[1] * 4; /* a view into a wider matrix */
      return nrt_silu(rt, &a, &o, (uint32_t)c->param[0]);
    }
    case KIMG_REQUANT: {
      const struct nrt_mat a = mat(c->in[0], d[0], d[1], NRT_I32), o = mat(c->out, d[0], d[1], NRT_I8);
      return nrt_requant(rt, &a, &o, c->param[0], (uint32_t)c->param[1], c->param[2], c->param[3] != 0);
    }
    default:
      return NRT_EINVAL;
  }
}

/* First differing byte of out against golden, or -1. */
static int32_t compare(uint32_t out, uint32_t golden, uint32_t bytes) {
  const uint8_t* o = image() + out;
  const uint8_t* g = image() + golden;
  for (uint32_t i = 0; i < bytes; i++)
    if (o[i] != g[i]) return (int32_t)i;
  return -1;
}

/* Unit busy cycles, to show how much DMA overlapped compute. */
struct busy {
  uint32_t load, exec, store, sparse;
};
static struct busy busy_now(void) {
  const struct busy b = {npu_read(NPU_REG_LOAD_BUSY), npu_read(NPU_REG_EXEC_BUSY),
                         npu_read(NPU_REG_STORE_BUSY), npu_read(NPU_REG_SPARSE_BUSY)};
  return b;
}

/* The runtime refuses shapes it cannot run without queueing anything, and recovers from an NPU
 * error (a gather index past its table) through a reset. */
static int check_errors(struct nrt* rt) {
  int failures = 0;
  const uint32_t tail = rt->ring.tail;
  const struct nrt_gemm empty = {.m = 0, .k = 4, .n = 4};
  const struct nrt_conv2d too_small = {.h = 1, .w = 1, .c = 1, .oc = 1, .kh = 3, .kw = 3, .stride = 1};
  const struct nrt_mat a = {KIMG_ADDR, 2, 8, 32, NRT_I32}, wide = {KIMG_ADDR, 2, 9, 36, NRT_I32};
  const struct nrt_mat long_row = {KIMG_ADDR, 1, 4097, 0, NRT_I32};
  const bool refused = nrt_gemm(rt, &empty) == NRT_EINVAL && nrt_conv2d(rt, &too_small) == NRT_EINVAL &&
                       nrt_eltwise(rt, NPU_FN_ADD, &a, &wide, &a, 0, 0, 0, 0) == NRT_EINVAL &&
                       nrt_eltwise(rt, NPU_FN_ADD, &a, NULL, &a, 0, 0, 0, 0) == NRT_EINVAL &&
                       nrt_softmax(rt, &long_row, &long_row, 8, 8) == NRT_EINVAL &&
                       nrt_quant(rt, &a, &a, KIMG_ADDR) == NRT_EINVAL &&
                       nrt_gather(rt, KIMG_ADDR, 0, KIMG_ADDR, 1, 16, 16, KIMG_ADDR, 16) == NRT_EINVAL;
  printf("  %-28s %s\n", "bad shapes refused", refused && rt->ring.tail == tail ? "PASS" : "FAIL");
  if (!refused || rt->ring.tail != tail) failures++;

  static const int32_t index[3] = {0, 5, 2};
  static int8_t table[4 * 16], out[3 * 16];
  nrt_gather(rt, (uint32_t)(uintptr_t)index, 3, (uint32_t)(uintptr_t)table, 4, 16, 16,
             (uint32_t)(uintptr_t)out, 16);
  const uint32_t error = nrt_wait(rt);
  const struct npu_fault f = npu_fault();
  const bool reported = error == NPU_ERR_INDEX_BOUNDS && f.info == 5;
  npu_reset(&rt->ring);
  const bool recovered = nrt_gather(rt, (uint32_t)(uintptr_t)index, 1, (uint32_t)(uintptr_t)table, 4, 16, 16,
                                    (uint32_t)(uintptr_t)out, 16) == NRT_OK &&
                         nrt_wait(rt) == NPU_ERR_NONE;
  printf("  %-28s %s\n", "NPU error reported, reset", reported && recovered ? "PASS" : "FAIL");
  if (!reported || !recovered) failures++;
  return failures;
}

static bool in_image(uint32_t offset, uint32_t bytes, uint32_t size) {
  return offset <= size && bytes <= size - offset;
}

int main(void) {
  printf("npu_kernels: NPU runtime against the host reference\n");
  const struct kimg_header* h = (const struct kimg_header*)image();
  if (h->magic != KIMG_MAGIC || h->version != KIMG_VERSION) {
    printf("no kernel image at 0x%08" PRIx32 " (magic 0x%08" PRIx32 ", version %" PRIu32
           "); run with --load IMAGE@0x%08" PRIx32 "\n",
           (uint32_t)KIMG_ADDR, h->magic, h->version, (uint32_t)KIMG_ADDR);
    return 101;
  }
  if (h->image_bytes > KIMG_MAX_BYTES ||
      !in_image(h->case_table, h->case_count * (uint32_t)sizeof(struct kimg_case), h->image_bytes)) {
    printf("kernel image: bad size or case table\n");
    return 102;
  }
  struct nrt rt;
  if (!nrt_init(&rt, ring_slots, RING)) {
    printf("NPU not usable\n");
    return 103;
  }
  const struct kimg_case* cases = (const struct kimg_case*)(image() + h->case_table);
  int failures = 0;
  uint64_t total = 0;
  for (uint32_t i = 0; i < h->case_count; i++) {
    const struct kimg_case* c = &cases[i];
    /* The second half of the cases completes by interrupt. */
    if (i == h->case_count / 2) {
      printf("  (completion by interrupt from here)\n");
      nrt_use_interrupts(&rt);
    }
    /* The last quarter waits inside each call (wait_each); nrt_wait then finds nothing left. */
    if (i == h->case_count - h->case_count / 4) {
      printf("  (each call waits from here)\n");
      rt.wait_each = true;
    }
    char name[sizeof c->name + 1];
    memcpy(name, c->name, sizeof c->name);
    name[sizeof c->name] = '\0';
    if (!in_image(c->out, c->out_bytes, h->image_bytes) ||
        !in_image(c->golden, c->out_bytes, h->image_bytes) ||
        !in_image(c->out2, c->out2_bytes, h->image_bytes) ||
        !in_image(c->golden2, c->out2_bytes, h->image_bytes)) {
      printf("  %-28s FAIL (case outside the image)\n", name);
      failures++;
      continue;
    }
    /* A pattern the NPU must overwrite, or the initial contents the operation updates. */
    uint8_t* out = (uint8_t*)(uintptr_t)at(c->out);
    if (c->init)
      memcpy(out, image() + c->init, c->out_bytes);
    else
      memset(out, 0xA5, c->out_bytes);
    memset((uint8_t*)(uintptr_t)at(c->out2), 0xA5, c->out2_bytes);

    const struct busy before = busy_now();
    const uint64_t start = nrt_cycles();
    const int queued = run_case(&rt, c);
    const uint32_t waited = nrt_wait(&rt);
    const uint32_t error = queued > 0 ? (uint32_t)queued : waited; /* wait_each: the call's error */
    const uint64_t cycles = nrt_cycles() - start;
    if (queued < 0 || error != NPU_ERR_NONE) {
      const struct npu_fault f = npu_fault();
      printf("  %-28s FAIL (%s; NPU error %s at %" PRIu32 ", info 0x%" PRIx32 ")\n", name,
             queued < 0 ? "shape refused" : "ran", npu_error_name(error), f.index, f.info);
      failures++;
      npu_reset(&rt.ring);
      continue;
    }
    const int32_t bad = compare(c->out, c->golden, c->out_bytes);
    const int32_t bad2 = compare(c->out2, c->golden2, c->out2_bytes);
    total += cycles;
    if (bad >= 0 || bad2 >= 0) {
      printf("  %-28s FAIL (first wrong byte: out %" PRId32 ", out2 %" PRId32 ") %10" PRIu64 " cycles\n",
             name, bad, bad2, cycles);
      failures++;
    } else {
      const struct busy after = busy_now();
      printf("  %-28s PASS %8" PRIu64 " cycles (busy: load %" PRIu32 " exec %" PRIu32 " store %" PRIu32
             " sparse %" PRIu32 ")\n",
             name, cycles, after.load - before.load, after.exec - before.exec, after.store - before.store,
             after.sparse - before.sparse);
    }
  }
  rt.interrupts = false; /* the error check below leaves the driver's error flag set */
  rt.wait_each = false;
  failures += check_errors(&rt);
  printf("npu_kernels: %" PRIu32 " cases, %" PRIu64 " NPU cycles, %d failure(s)\n", h->case_count, total,
         failures);
  return failures;
}
