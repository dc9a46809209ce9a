/* The llm workload's data image (issue #8): the sections nvr-llm-image (workloads/llm) writes into
 * the workload image (firmware/include/workload_image.h) and the llm firmware reads. One header
 * for both sides (C99 and C++17). All values little-endian int32 unless said otherwise.
 *
 * Sections:
 *   "config"        struct llm_config
 *   "prompt"        n_prompt token ids (BOS first): the gather's index array while in the prompt
 *   "embed"         vocab x dim int8 embedding rows; "embed.m" vocab dyadic multipliers (shift in
 *                   config.embed_shift)
 *   "shifts"        the requant shift of every linear layer: layer-major wq wk wv wo w1 w2 w3, then
 *                   the classifier (LLM_LINEARS_PER_LAYER * n_layers + 1 entries)
 *   "<p>.m"         per-output-channel multipliers of linear <p>: "lN.qkv" (wq, wk, wv stacked: one
 *                   matmul), "lN.wo", "lN.w13" (w1, w3 stacked), "lN.w2", "cls"
 *   "<p>.w"         dense: the weights transposed, K x N int8 (the GEMM's B operand)
 *   "<p>.rp/.ci/.v" CSR (config.sparse, not the classifier): row_ptr (N + 1), col_idx, int8 values
 *   "<p>.d"         GSQ (config.gsq_group > 0, not the classifier): "<p>.w" holds the mantissas and
 *                   this groups x N int32 the factors 2^d of each (group, output channel)
 *   "rope.cos", "rope.sin", "rope.nsin"  n_steps x dim/2 Q.14 tables (cos, sin, -sin) of each
 *                   position, for the even/odd halves of the rotated pairs
 *   "vocab.off"     vocab + 1 byte offsets into "vocab.str" (token pieces, byte tokens as the byte)
 *   "gold.next"     n_steps ids: the argmax of the logits at every position (the host reference)
 *   "gold.logits"   n_steps x vocab Q.12 logits of the host reference
 *   "gold.tokens"   n_prompt + n_generated ids: the prompt and the generated story */
#ifndef NVR_LLM_IMAGE_H
#define NVR_LLM_IMAGE_H

#include <stdint.h>

#define LLM_LINEARS_PER_LAYER 7u
/* Limits of the firmware's static buffers (KV cache, activations). */
#define LLM_MAX_DIM 256u
#define LLM_MAX_HIDDEN 1024u
#define LLM_MAX_LAYERS 8u
#define LLM_MAX_HEADS 16u
#define LLM_MAX_SEQ 512u
#define LLM_MAX_VOCAB 1024u

struct llm_config {
  uint32_t dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len, head_size;
  uint32_t n_prompt;    /* prompt tokens, BOS included */
  uint32_t n_tokens;    /* tokens asked for (--tokens) */
  uint32_t n_generated; /* tokens the reference generated (fewer when it stopped at BOS/EOS) */
  uint32_t n_steps;     /* forward passes = positions fed */
  uint32_t sparse;      /* 1: wq..w3 are CSR (SpMV on the sparse unit) */
  uint32_t nonzeros;    /* int8 weights of wq..w3 kept (all of them when dense) */
  uint32_t weights;     /* int8 weights of wq..w3 */
  uint32_t act_bits, norm_bits, amax_shift, rope_bits, softmax_bits, softmax_clip, prob_bits;
  int32_t embed_shift;
  int32_t att_m, att_shift; /* attention logits: mul(., att_m, att_shift) */
  int32_t pv_m, pv_shift;   /* P V: mul(acc, pv_m, pv_shift) */
  uint32_t bos, eos;
  uint32_t sparsity_permille;
  uint32_t gsq_group; /* > 0: wq..w3 in GSQ (group-shared exponents), groups of this many weights */
  uint32_t gsq_exp_bits, gsq_mant_bits;
  /* Positions where the float32 model (host, teacher-forced on this story) has the same top-1:
   * with the same (pruned) weights, and with the unpruned checkpoint. */
  uint32_t float_agree, float_dense_agree;
};

#endif /* NVR_LLM_IMAGE_H */
