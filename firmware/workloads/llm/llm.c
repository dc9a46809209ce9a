/* llm: the integer-only llama2.c model (stories260K, workloads/llm) generating a story on the NPU.
 * Reads its workload image (llm_image.h, made by nvr-llm-image), feeds the prompt, then generates
 * greedily with a KV cache in DRAM, every operator through the NPU runtime in the order of the
 * host reference (workloads/llm/int_model.cpp), so that every logit is bit-exact. Checks the
 * logits and the next token of every position against the golden ones, prints the story and a
 * per-layer cycle profile. The same program runs the dense image (`llm`, GEMM on the systolic
 * array) and the CSR one (`llm_sparse`, SpMV on the sparse unit); the image's config says which.
 *
 * The CPU only reads scalars the NPU produced and puts them into the next instructions'
 * immediates (the per-token amax of a quantisation, the embedding row's multiplier): the ISA has
 * no broadcast of a DRAM scalar. It also decodes and prints the text and compares the outputs. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "llm_image.h"
#include "npu_rt.h"
#include "workload.h"

#ifndef LLM_WORKLOAD
#define LLM_WORKLOAD "llm"
#endif

#define RING 512u

static uint32_t ring_slots[RING * NPU_INSN_WORDS] __attribute__((aligned(32)));

/* KV cache: layer x position x kv_dim int8, and the amax of each (layer, position, KV head). */
static int8_t g_k[LLM_MAX_LAYERS * LLM_MAX_SEQ * LLM_MAX_DIM] __attribute__((aligned(64)));
static int8_t g_v[LLM_MAX_LAYERS * LLM_MAX_SEQ * LLM_MAX_DIM] __attribute__((aligned(64)));
static int32_t g_k_amax[LLM_MAX_LAYERS * LLM_MAX_SEQ * LLM_MAX_HEADS] __attribute__((aligned(64)));
static int32_t g_v_amax[LLM_MAX_LAYERS * LLM_MAX_SEQ * LLM_MAX_HEADS] __attribute__((aligned(64)));

/* Activations (int32 Q.12 unless int8). */
static int32_t g_h[LLM_MAX_DIM] __attribute__((aligned(64)));     /* residual */
static int32_t g_xn[LLM_MAX_HIDDEN] __attribute__((aligned(64))); /* rmsnorm out, attention out */
static int8_t g_x8[LLM_MAX_HIDDEN] __attribute__((aligned(64)));  /* quantised matmul input */
/* Matmul accumulators (the classifier's logits, or gate and up), and GSQ's partial sums. */
static int32_t g_acc[LLM_MAX_VOCAB + 2 * LLM_MAX_HIDDEN] __attribute__((aligned(64)));
static int32_t g_part[LLM_MAX_VOCAB + 2 * LLM_MAX_HIDDEN] __attribute__((aligned(64)));
static int32_t g_qkv[3 * LLM_MAX_DIM] __attribute__((aligned(64))); /* q, k, v of the new token */
static int32_t g_q_rot[LLM_MAX_DIM] __attribute__((aligned(64)));
static int32_t g_k_rot[LLM_MAX_DIM] __attribute__((aligned(64)));
static int32_t g_t1[LLM_MAX_DIM] __attribute__((aligned(64)));
static int32_t g_t2[LLM_MAX_DIM] __attribute__((aligned(64)));
static int8_t g_q8[LLM_MAX_DIM] __attribute__((aligned(64)));
static int32_t g_scores[LLM_MAX_HEADS * LLM_MAX_SEQ] __attribute__((aligned(64)));
static int8_t g_p8[LLM_MAX_HEADS * LLM_MAX_SEQ] __attribute__((aligned(64)));
static int32_t g_w13[2 * LLM_MAX_HIDDEN] __attribute__((aligned(64))); /* gate, up */
static int32_t g_logits[LLM_MAX_VOCAB] __attribute__((aligned(64)));
static int32_t g_amax[LLM_MAX_HEADS] __attribute__((aligned(64)));
static int32_t g_qamax[LLM_MAX_HEADS] __attribute__((aligned(64)));
static int32_t g_wamax[LLM_MAX_HEADS] __attribute__((aligned(64)));
static int32_t g_next[16] __attribute__((aligned(64))); /* argmax: the next token, the gather's index */

struct linear {
  uint32_t rows, cols; /* outputs, inputs */
  uint32_t w;          /* dense: W (rows x cols int8) */
  uint32_t rp, ci, v;  /* CSR */
  uint32_t m;          /* multipliers */
  uint32_t d;          /* GSQ: groups x rows factors 2^d */
  /* Stacked matrices of one input (q k v, gate up): rows and requant shift of each. */
  uint32_t parts;
  uint32_t part_rows[3];
  int32_t part_shift[3];
};

static struct wl_image g_img;
static struct nrt g_rt;
static struct wl_profile g_prof;
static const struct llm_config* g_cfg;
enum { LIN_QKV, LIN_WO, LIN_W13, LIN_W2, LINS };
static struct linear g_lin[LLM_MAX_LAYERS][LINS];
static struct linear g_cls;
static uint32_t g_rope_cos, g_rope_sin, g_rope_nsin;

static uint32_t addr(const void* p) { return (uint32_t)(uintptr_t)p; }

static struct nrt_mat mat(const void* p, uint32_t rows, uint32_t cols, uint32_t stride, enum nrt_type type) {
  const struct nrt_mat m = {addr(p), rows, cols, stride, type};
  return m;
}
/* A contiguous vector of n int32 / int8 as one row. */
static struct nrt_mat v32(const void* p, uint32_t n) { return mat(p, 1, n, n * 4, NRT_I32); }
static struct nrt_mat v8(const void* p, uint32_t n) { return mat(p, 1, n, n, NRT_I8); }

/* A runtime call that the shapes of a valid image always satisfy. */
static void check(int r, const char* what) {
  if (r != NRT_OK) wl_fail(&g_img, WL_EXIT_NPU, what);
}

static void wait_npu(void) {
  const uint32_t error = nrt_wait(&g_rt);
  if (error != NPU_ERR_NONE) {
    printf("%s: NPU error %" PRIu32 "\n", LLM_WORKLOAD, error);
    wl_fail(&g_img, WL_EXIT_NPU, "the NPU reported an error");
  }
}

static void begin(const char* name) { wl_layer_begin(&g_prof, name); }
static void end(void) {
  if (wl_layer_end(&g_prof, &g_rt) != NPU_ERR_NONE) wl_fail(&g_img, WL_EXIT_NPU, "the NPU reported an error");
}

static void load_linear(struct linear* l, const char* prefix, uint32_t rows, uint32_t cols, bool sparse,
                        uint32_t gsq_group, int32_t shift) {
  char name[WIMG_SECTION_NAME_BYTES];
  l->rows = rows;
  l->cols = cols;
  l->parts = 1;
  l->part_rows[0] = rows;
  l->part_shift[0] = shift;
  snprintf(name, sizeof name, "%s.m", prefix);
  l->m = wl_section_addr(&g_img, name, rows * 4);
  if (!sparse) {
    snprintf(name, sizeof name, "%s.w", prefix);
    l->w = wl_section_addr(&g_img, name, rows * cols);
    if (gsq_group) {
      snprintf(name, sizeof name, "%s.d", prefix);
      l->d = wl_section_addr(&g_img, name, (cols + gsq_group - 1) / gsq_group * rows * 4);
    }
    return;
  }
  snprintf(name, sizeof name, "%s.rp", prefix);
  l->rp = wl_section_addr(&g_img, name, (rows + 1) * 4);
  const int32_t* rp = (const int32_t*)(uintptr_t)l->rp;
  const uint32_t nnz = (uint32_t)rp[rows];
  if (rp[0] != 0 || rp[rows] < 0 || nnz > rows * cols)
    wl_fail(&g_img, WL_EXIT_IMAGE, "a CSR row_ptr is malformed");
  snprintf(name, sizeof name, "%s.ci", prefix);
  l->ci = wl_section_addr(&g_img, name, nnz * 4);
  snprintf(name, sizeof name, "%s.v", prefix);
  l->v = wl_section_addr(&g_img, name, nnz);
}

/* y = mul(mul(W x8, m_j, shift), amax, amax_shift): the accumulator of a GEMM (dense) or an SpMV
 * (CSR), the per-channel multipliers element-wise, the token's amax as an immediate. */
static void linear(const struct linear* l, const int8_t* x8, int32_t amax, int32_t* y, bool sparse) {
  const struct nrt_mat acc = v32(g_acc, l->rows), out = v32(y, l->rows);
  if (sparse) {
    check(nrt_spmv(&g_rt, l->rows, l->cols, l->rp, l->ci, l->v, addr(x8), addr(g_acc)), "spmv");
  } else if (l->d) {
    /* GSQ: per group of columns, the mantissas' partial sums times 2^d, added up (saturating). */
    const uint32_t group = g_cfg->gsq_group;
    for (uint32_t k0 = 0, gi = 0; k0 < l->cols; k0 += group, gi++) {
      const uint32_t k = l->cols - k0 < group ? l->cols - k0 : group;
      const struct nrt_gemm g = {.m = l->rows,
                                 .k = k,
                                 .n = 1,
                                 .a = l->w + k0,
                                 .lda = l->cols,
                                 .b = addr(x8 + k0),
                                 .ldb = 1,
                                 .c = addr(g_part),
                                 .ldc = 4,
                                 .out_raw = true,
                                 .q = NRT_REQUANT_IDENTITY};
      check(nrt_gemm(&g_rt, &g), "gemm");
      const struct nrt_mat part = v32(g_part, l->rows),
                           d = {l->d + gi * l->rows * 4, 1, l->rows, l->rows * 4, NRT_I32};
      check(nrt_eltwise(&g_rt, NPU_FN_MUL, &part, &d, k0 == 0 ? &acc : &part, 0, 0, 0, 0), "gsq");
      if (k0 != 0) check(nrt_eltwise(&g_rt, NPU_FN_ADD, &acc, &part, &acc, 0, 0, 0, 0), "gsq");
    }
  } else {
    /* W (rows x cols) x the token as one column: the weights stream through the array, the token
     * stays in it (16 x 1 per K slice), and the result is the column of the outputs. */
    const struct nrt_gemm g = {.m = l->rows,
                               .k = l->cols,
                               .n = 1,
                               .a = l->w,
                               .lda = l->cols,
                               .b = addr(x8),
                               .ldb = 1,
                               .c = addr(g_acc),
                               .ldc = 4,
                               .out_raw = true,
                               .q = NRT_REQUANT_IDENTITY};
    check(nrt_gemm(&g_rt, &g), "gemm");
  }
  for (uint32_t i = 0, r0 = 0; i < l->parts; r0 += l->part_rows[i++]) {
    const uint32_t n = l->part_rows[i];
    const struct nrt_mat pa = v32(g_acc + r0, n), pm = {l->m + r0 * 4, 1, n, n * 4, NRT_I32},
                         po = v32(y + r0, n);
    check(nrt_eltwise(&g_rt, NPU_FN_MUL, &pa, &pm, &po, l->part_shift[i], 0, 0, 0), "mul");
  }
  check(nrt_requant(&g_rt, &out, &out, amax, g_cfg->amax_shift, 0, false), "requant");
}

/* x8, amax = quant(rmsnorm(h)); waits for amax. */
static int32_t norm_quant(uint32_t n) {
  const struct nrt_mat h = v32(g_h, n), xn = v32(g_xn, n), x8 = v8(g_x8, n);
  check(nrt_rmsnorm(&g_rt, &h, &xn, g_cfg->norm_bits), "rmsnorm");
  check(nrt_quant(&g_rt, &xn, &x8, addr(g_amax)), "quant");
  wait_npu();
  return g_amax[0];
}

static int32_t quant_wait(const int32_t* x, uint32_t n) {
  const struct nrt_mat a = v32(x, n), q = v8(g_x8, n);
  check(nrt_quant(&g_rt, &a, &q, addr(g_amax)), "quant");
  wait_npu();
  return g_amax[0];
}

/* RoPE of n int32 (pairs 2i, 2i+1) at `pos` into out: the even and odd elements as strided
 * columns, a' = mul(a, cos) + mul(b, -sin), b' = mul(a, sin) + mul(b, cos). */
static void rope(const int32_t* in, int32_t* out, uint32_t n, uint32_t pos) {
  const uint32_t half = n / 2, row = pos * (g_cfg->dim / 2) * 4, s = g_cfg->rope_bits;
  const struct nrt_mat a = mat(in, half, 1, 8, NRT_I32), b = mat(in + 1, half, 1, 8, NRT_I32);
  const struct nrt_mat oa = mat(out, half, 1, 8, NRT_I32), ob = mat(out + 1, half, 1, 8, NRT_I32);
  const struct nrt_mat t1 = mat(g_t1, half, 1, 4, NRT_I32), t2 = mat(g_t2, half, 1, 4, NRT_I32);
  const struct nrt_mat c = {g_rope_cos + row, half, 1, 4, NRT_I32},
                       sn = {g_rope_sin + row, half, 1, 4, NRT_I32},
                       ns = {g_rope_nsin + row, half, 1, 4, NRT_I32};
  check(nrt_eltwise(&g_rt, NPU_FN_MUL, &a, &c, &t1, (int32_t)s, 0, 0, 0), "rope");
  check(nrt_eltwise(&g_rt, NPU_FN_MUL, &b, &ns, &t2, (int32_t)s, 0, 0, 0), "rope");
  check(nrt_eltwise(&g_rt, NPU_FN_ADD, &t1, &t2, &oa, 0, 0, 0, 0), "rope");
  check(nrt_eltwise(&g_rt, NPU_FN_MUL, &a, &sn, &t1, (int32_t)s, 0, 0, 0), "rope");
  check(nrt_eltwise(&g_rt, NPU_FN_MUL, &b, &c, &t2, (int32_t)s, 0, 0, 0), "rope");
  check(nrt_eltwise(&g_rt, NPU_FN_ADD, &t1, &t2, &ob, 0, 0, 0, 0), "rope");
}

/* One forward pass: the token whose id is the int32 at `index` (DRAM, for the gather) and equals
 * `token`, at `pos`; the logits to g_logits and their argmax to g_next[0]. */
static void forward(uint32_t index, uint32_t token, uint32_t pos) {
  const struct llm_config* c = g_cfg;
  const uint32_t dim = c->dim, hs = c->head_size, nkv = c->n_kv_heads, kv_dim = hs * nkv, hid = c->hidden_dim;
  const uint32_t group = c->n_heads / nkv, t_end = pos + 1;
  const bool sparse = c->sparse != 0;

  begin("embedding");
  const uint32_t table = wl_section_addr(&g_img, "embed", c->vocab_size * dim);
  const int32_t* embed_m = wl_section(&g_img, "embed.m", c->vocab_size * 4);
  check(nrt_gather(&g_rt, index, 1, table, c->vocab_size, dim, dim, addr(g_x8), dim), "gather");
  const struct nrt_mat e8 = v8(g_x8, dim), h = v32(g_h, dim);
  check(nrt_requant(&g_rt, &e8, &h, embed_m[token], (uint32_t)c->embed_shift, 0, false), "embedding");
  end();

  for (uint32_t l = 0; l < c->n_layers; l++) {
    const struct linear* w = g_lin[l];
    int8_t* kc = g_k + l * LLM_MAX_SEQ * kv_dim;
    int8_t* vc = g_v + l * LLM_MAX_SEQ * kv_dim;
    int32_t* ka = g_k_amax + l * LLM_MAX_SEQ * nkv;
    int32_t* va = g_v_amax + l * LLM_MAX_SEQ * nkv;

    begin("rmsnorm");
    int32_t amax = norm_quant(dim);
    end();

    begin("qkv");
    linear(&w[LIN_QKV], g_x8, amax, g_qkv, sparse);
    end();

    begin("rope+kv");
    const int32_t *q = g_qkv, *k = g_qkv + dim, *v = g_qkv + dim + kv_dim;
    rope(q, g_q_rot, dim, pos);
    rope(k, g_k_rot, kv_dim, pos);
    /* Into the cache: int8 per KV head with its amax; q per head for the scores. */
    const struct nrt_mat kr = mat(g_k_rot, nkv, hs, hs * 4, NRT_I32), vn = mat(v, nkv, hs, hs * 4, NRT_I32);
    const struct nrt_mat kq = mat(kc + pos * kv_dim, nkv, hs, hs, NRT_I8),
                         vq = mat(vc + pos * kv_dim, nkv, hs, hs, NRT_I8);
    check(nrt_quant(&g_rt, &kr, &kq, addr(ka + pos * nkv)), "quant k");
    check(nrt_quant(&g_rt, &vn, &vq, addr(va + pos * nkv)), "quant v");
    const struct nrt_mat qr = mat(g_q_rot, c->n_heads, hs, hs * 4, NRT_I32),
                         q8 = mat(g_q8, c->n_heads, hs, hs, NRT_I8);
    check(nrt_quant(&g_rt, &qr, &q8, addr(g_qamax)), "quant q");
    end(); /* waits: g_qamax is read below */

    begin("attention");
    /* Scores of all heads as one n_heads x t_end matrix: the per-head steps (matmul, the keys' and
     * values' amax, q's amax as an immediate) run per head, the rest on all heads at once. */
    const uint32_t nh = c->n_heads;
    const struct nrt_mat all = mat(g_scores, nh, t_end, t_end * 4, NRT_I32);
    for (uint32_t hd = 0; hd < nh; hd++) {
      const uint32_t kvh = hd / group;
      int32_t* s = g_scores + hd * t_end;
      /* scores (t_end x 1) = K (t_end x hs) q_h (hs x 1) */
      const struct nrt_gemm g = {.m = t_end,
                                 .k = hs,
                                 .n = 1,
                                 .a = addr(kc + kvh * hs),
                                 .lda = kv_dim,
                                 .b = addr(g_q8 + hd * hs),
                                 .ldb = 1,
                                 .c = addr(s),
                                 .ldc = 4,
                                 .out_raw = true,
                                 .q = NRT_REQUANT_IDENTITY};
      check(nrt_gemm(&g_rt, &g), "scores");
      const struct nrt_mat sc = mat(s, t_end, 1, 4, NRT_I32), kam = mat(ka + kvh, t_end, 1, nkv * 4, NRT_I32);
      check(nrt_eltwise(&g_rt, NPU_FN_MUL, &sc, &kam, &sc, (int32_t)c->act_bits, 0, 0, 0), "scores");
      check(nrt_requant(&g_rt, &sc, &sc, g_qamax[hd], c->act_bits, 0, false), "scores");
    }
    check(nrt_requant(&g_rt, &all, &all, c->att_m, (uint32_t)c->att_shift, 0, false), "scores");
    check(nrt_softmax(&g_rt, &all, &all, c->softmax_bits, c->softmax_clip), "softmax");
    for (uint32_t hd = 0; hd < nh; hd++) {
      const struct nrt_mat sc = mat(g_scores + hd * t_end, t_end, 1, 4, NRT_I32),
                           vam = mat(va + hd / group, t_end, 1, nkv * 4, NRT_I32);
      check(nrt_eltwise(&g_rt, NPU_FN_MUL, &sc, &vam, &sc, (int32_t)c->prob_bits, 0, 0, 0), "weights");
    }
    const struct nrt_mat p8 = mat(g_p8, nh, t_end, t_end, NRT_I8);
    check(nrt_quant(&g_rt, &all, &p8, addr(g_wamax)), "quant p");
    wait_npu();
    for (uint32_t hd = 0; hd < nh; hd++) {
      const uint32_t kvh = hd / group;
      /* out_h (1 x hs) = p8 (1 x t_end) V (t_end x hs) */
      const struct nrt_gemm g = {.m = 1,
                                 .k = t_end,
                                 .n = hs,
                                 .a = addr(g_p8 + hd * t_end),
                                 .lda = t_end,
                                 .b = addr(vc + kvh * hs),
                                 .ldb = kv_dim,
                                 .c = addr(g_acc + hd * hs),
                                 .ldc = hs * 4,
                                 .out_raw = true,
                                 .q = NRT_REQUANT_IDENTITY};
      check(nrt_gemm(&g_rt, &g), "pv");
    }
    const struct nrt_mat acc = v32(g_acc, dim), att = v32(g_xn, dim);
    check(nrt_requant(&g_rt, &acc, &att, c->pv_m, (uint32_t)c->pv_shift, 0, false), "pv");
    for (uint32_t hd = 0; hd < nh; hd++) {
      const struct nrt_mat out = v32(g_xn + hd * hs, hs);
      check(nrt_requant(&g_rt, &out, &out, g_wamax[hd], c->amax_shift, 0, false), "pv");
    }
    amax = quant_wait(g_xn, dim);
    end();

    begin("wo");
    linear(&w[LIN_WO], g_x8, amax, g_t1, sparse);
    const struct nrt_mat hm = v32(g_h, dim), o = v32(g_t1, dim);
    check(nrt_eltwise(&g_rt, NPU_FN_ADD, &hm, &o, &hm, 0, 0, 0, 0), "residual");
    end();

    begin("rmsnorm");
    amax = norm_quant(dim);
    end();

    begin("ffn");
    linear(&w[LIN_W13], g_x8, amax, g_w13, sparse);
    const struct nrt_mat gt = v32(g_w13, hid), up = v32(g_w13 + hid, hid);
    check(nrt_silu(&g_rt, &gt, &gt, c->act_bits), "silu");
    check(nrt_eltwise(&g_rt, NPU_FN_MUL, &gt, &up, &gt, (int32_t)c->act_bits, 0, 0, 0), "swiglu");
    amax = quant_wait(g_w13, hid);
    linear(&w[LIN_W2], g_x8, amax, g_t1, sparse);
    check(nrt_eltwise(&g_rt, NPU_FN_ADD, &hm, &o, &hm, 0, 0, 0, 0), "residual");
    end();
  }

  begin("rmsnorm");
  const int32_t amax = norm_quant(dim);
  end();
  begin("logits");
  linear(&g_cls, g_x8, amax, g_logits, false);
  const struct nrt_mat lg = v32(g_logits, c->vocab_size);
  check(nrt_argmax(&g_rt, &lg, addr(g_next)), "argmax");
  end();
}

/* Token pieces as tokenizer::decode prints them (no leading space right after BOS); bytes that
 * are neither printable nor whitespace are left out, as nvr-llm-ref does. */
static void print_piece(uint32_t previous, uint32_t token) {
  const uint32_t* off = wl_section(&g_img, "vocab.off", (g_cfg->vocab_size + 1) * 4);
  const char* str = wl_section(&g_img, "vocab.str", off[g_cfg->vocab_size]);
  uint32_t i = off[token];
  if (previous == g_cfg->bos && i < off[token + 1] && str[i] == ' ') i++;
  for (; i < off[token + 1]; i++) {
    const unsigned char ch = (unsigned char)str[i];
    if (ch >= 0x20 || ch == '\n' || ch == '\t') putchar(ch);
  }
}

int main(void) {
  if (!wl_image_open(&g_img, WIMG_ADDR, LLM_WORKLOAD))
    wl_fail(&g_img, WL_EXIT_IMAGE, "the workload image is unusable");
  g_cfg = wl_section(&g_img, "config", sizeof(struct llm_config));
  const struct llm_config* c = g_cfg;
  if (c->dim == 0 || c->dim > LLM_MAX_DIM || c->hidden_dim == 0 || c->hidden_dim > LLM_MAX_HIDDEN ||
      c->n_layers == 0 || c->n_layers > LLM_MAX_LAYERS || c->n_heads == 0 || c->n_heads > LLM_MAX_HEADS ||
      c->n_kv_heads == 0 || c->n_heads % c->n_kv_heads != 0 || c->head_size * c->n_heads != c->dim ||
      c->head_size % 2 != 0 || c->vocab_size == 0 || c->vocab_size > LLM_MAX_VOCAB ||
      c->seq_len > LLM_MAX_SEQ || c->n_prompt == 0 || c->n_steps == 0 || c->n_steps > c->seq_len ||
      c->n_prompt + c->n_generated > c->seq_len || c->n_steps < c->n_prompt ||
      (c->gsq_group != 0 && (c->sparse != 0 || c->gsq_group > 4096)))
    wl_fail(&g_img, WL_EXIT_IMAGE, "the model configuration is outside the firmware's limits");
  const bool sparse = c->sparse != 0;
  char format[48];
  if (sparse)
    snprintf(format, sizeof format, "CSR (SpMV)");
  else if (c->gsq_group)
    snprintf(format, sizeof format, "GSQ %" PRIu32 ":%" PRIu32 ":%" PRIu32 " (GEMM per group)", c->gsq_group,
             c->gsq_exp_bits, c->gsq_mant_bits);
  else
    snprintf(format, sizeof format, "dense int8 (GEMM)");
  printf("%s: stories260K, dim %" PRIu32 ", %" PRIu32 " layers, %" PRIu32 " heads (%" PRIu32
         " KV), vocab %" PRIu32 "; %s weights (%" PRIu32 "/%" PRIu32 " kept)\n",
         LLM_WORKLOAD, c->dim, c->n_layers, c->n_heads, c->n_kv_heads, c->vocab_size, format, c->nonzeros,
         c->weights);

  const int32_t* shifts = wl_section(&g_img, "shifts", (c->n_layers * LLM_LINEARS_PER_LAYER + 1) * 4);
  const uint32_t kv_dim = c->head_size * c->n_kv_heads;
  for (uint32_t l = 0; l < c->n_layers; l++) {
    /* The image stacks q, k, v and gate, up; "shifts" has wq wk wv wo w1 w2 w3. */
    static const char* const names[] = {"qkv", "wo", "w13", "w2"};
    const int32_t* sh = shifts + l * LLM_LINEARS_PER_LAYER;
    const uint32_t rows[] = {c->dim + 2 * kv_dim, c->dim, 2 * c->hidden_dim, c->dim};
    const uint32_t cols[] = {c->dim, c->dim, c->dim, c->hidden_dim};
    const int32_t first_shift[] = {sh[0], sh[3], sh[4], sh[5]};
    for (uint32_t i = 0; i < LINS; i++) {
      char prefix[16];
      snprintf(prefix, sizeof prefix, "l%" PRIu32 ".%s", l, names[i]);
      load_linear(&g_lin[l][i], prefix, rows[i], cols[i], sparse, c->gsq_group, first_shift[i]);
    }
    struct linear* qkv = &g_lin[l][LIN_QKV];
    qkv->parts = 3;
    qkv->part_rows[0] = c->dim;
    qkv->part_rows[1] = qkv->part_rows[2] = kv_dim;
    qkv->part_shift[1] = sh[1];
    qkv->part_shift[2] = sh[2];
    struct linear* w13 = &g_lin[l][LIN_W13];
    w13->parts = 2;
    w13->part_rows[0] = w13->part_rows[1] = c->hidden_dim;
    w13->part_shift[1] = sh[6];
  }
  load_linear(&g_cls, "cls", c->vocab_size, c->dim, false, 0, shifts[c->n_layers * LLM_LINEARS_PER_LAYER]);
  const uint32_t rope_bytes = c->n_steps * (c->dim / 2) * 4;
  g_rope_cos = wl_section_addr(&g_img, "rope.cos", rope_bytes);
  g_rope_sin = wl_section_addr(&g_img, "rope.sin", rope_bytes);
  g_rope_nsin = wl_section_addr(&g_img, "rope.nsin", rope_bytes);
  const int32_t* prompt = wl_section(&g_img, "prompt", c->n_prompt * 4);
  const int32_t* gold_next = wl_section(&g_img, "gold.next", c->n_steps * 4);
  const int32_t* gold_logits = wl_section(&g_img, "gold.logits", c->n_steps * c->vocab_size * 4);
  const int32_t* gold_tokens = wl_section(&g_img, "gold.tokens", (c->n_prompt + c->n_generated) * 4);
  for (uint32_t i = 0; i < c->n_prompt; i++)
    if (prompt[i] < 0 || (uint32_t)prompt[i] >= c->vocab_size)
      wl_fail(&g_img, WL_EXIT_IMAGE, "a prompt token is out of range");
  /* The token pieces: offsets ascending and inside "vocab.str". */
  const uint32_t* off = wl_section(&g_img, "vocab.off", (c->vocab_size + 1) * 4);
  uint32_t str_bytes = 0;
  if (!wl_find(&g_img, "vocab.str", 0, &str_bytes))
    wl_fail(&g_img, WL_EXIT_IMAGE, "the token pieces are missing");
  for (uint32_t i = 0; i < c->vocab_size; i++)
    if (off[0] != 0 || off[i + 1] < off[i] || off[i + 1] > str_bytes)
      wl_fail(&g_img, WL_EXIT_IMAGE, "the token piece offsets are malformed");

  if (!nrt_init(&g_rt, ring_slots, RING)) wl_fail(&g_img, WL_EXIT_NPU, "the NPU is not usable");
  nrt_use_interrupts(&g_rt);
  wl_profile_init(&g_prof);

  /* Greedy generation as nvr::llm::generate: the prompt, then up to n_tokens, stopping at BOS or
   * EOS. Every position's logits are checked; a mismatch ends the run (the story would diverge). */
  static uint32_t tokens[LLM_MAX_SEQ];
  uint32_t count = c->n_prompt, generated = 0;
  bool pass = true;
  for (uint32_t i = 0; i < count; i++) tokens[i] = (uint32_t)prompt[i];
  printf("----- generated text -----\n");
  for (uint32_t i = 1; i < count; i++) print_piece(tokens[i - 1], tokens[i]);
  uint32_t pos = 0;
  for (; pos < count && pos + 1 < c->seq_len; pos++) {
    const uint32_t index = pos < c->n_prompt ? addr(&prompt[pos]) : addr(g_next);
    forward(index, tokens[pos], pos);
    const uint32_t next = (uint32_t)g_next[0];
    if (pos >= c->n_steps) {
      printf("\n%s: position %" PRIu32 " is past the %" PRIu32 " golden positions\n", LLM_WORKLOAD, pos,
             c->n_steps);
      pass = false;
      break;
    }
    const int32_t* want = gold_logits + pos * c->vocab_size;
    if (memcmp(g_logits, want, c->vocab_size * 4) != 0 || next != (uint32_t)gold_next[pos]) {
      uint32_t i = 0;
      while (i < c->vocab_size && g_logits[i] == want[i]) i++;
      printf("\n%s: first mismatch at position %" PRIu32 " (token %" PRIu32 "): ", LLM_WORKLOAD, pos,
             tokens[pos]);
      if (i < c->vocab_size)
        printf("logit %" PRIu32 " is %" PRId32 ", the reference has %" PRId32 "\n", i, g_logits[i], want[i]);
      else
        printf("next token %" PRIu32 ", the reference has %" PRId32 "\n", next, gold_next[pos]);
      pass = false;
      break;
    }
    if (pos + 1 < count) continue;
    if (generated == c->n_tokens || next == c->bos || next == c->eos) break;
    print_piece(tokens[pos], next);
    tokens[count++] = next;
    generated++;
  }
  printf("\n----- end -----\n");
  if (pass && (pos + 1 != c->n_steps || generated != c->n_generated)) {
    printf("%s: %" PRIu32 " positions and %" PRIu32 " tokens, the reference has %" PRIu32 " and %" PRIu32
           "\n",
           LLM_WORKLOAD, pos + 1, generated, c->n_steps, c->n_generated);
    pass = false;
  }
  for (uint32_t i = 0; pass && i < count; i++)
    if (tokens[i] != (uint32_t)gold_tokens[i]) {
      printf("%s: token %" PRIu32 " is %" PRIu32 ", the reference has %" PRId32 "\n", LLM_WORKLOAD, i,
             tokens[i], gold_tokens[i]);
      pass = false;
    }
  printf("%s: %" PRIu32 " prompt + %" PRIu32 " generated tokens, %" PRIu32
         " positions checked bit-exact (logits and "
         "next token)\n",
         LLM_WORKLOAD, c->n_prompt, generated, pass ? pos + 1 : pos);
  printf("%s: top-1 agreement of the reference with float32 (host, teacher-forced): %" PRIu32 "/%" PRIu32,
         LLM_WORKLOAD, c->float_agree, c->n_steps);
  if (sparse) printf(", with the unpruned float32 %" PRIu32 "/%" PRIu32, c->float_dense_agree, c->n_steps);
  printf("\n");
  wl_profile_print(&g_prof);
  wl_finish(&g_img, pass);
}
