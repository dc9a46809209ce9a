// The CPU's timing model in one place: base cycles per instruction class. Memory latencies come
// on top, from the target (DMI latency or the b_transport delay); ip/cpu/README.md has the table.
#pragma once

#include <cstdint>

namespace nvr::cpu::timing {

enum class op_class : std::uint8_t {
  alu,      // integer register and immediate ops, lui, auipc, nop and hints
  branch,   // conditional branch, not taken (taken: + taken_penalty)
  jump,     // jal, jalr (always taken: + taken_penalty)
  load,     // lb, lh, lw, lbu, lhu (+ read latency)
  store,    // sb, sh, sw (+ write latency)
  mul,      // mul, mulh, mulhsu, mulhu
  div,      // div, divu, rem, remu
  csr,      // csrrw, csrrs, csrrc and the immediate forms
  fence,    // fence
  fence_i,  // fence.i (flushes the decode cache)
  system,   // ecall, ebreak, illegal instruction (the trap entry adds trap_entry)
  amo,      // amo*.w (+ read and write latency)
  lr_sc,    // lr.w, sc.w (+ read latency, and write latency for a successful sc)
  mret,     // mret (+ taken_penalty)
  wfi,      // wfi (then the time spent waiting)
  count
};

inline constexpr std::uint8_t base_cycles[static_cast<unsigned>(op_class::count)] = {
    1,   // alu
    1,   // branch
    1,   // jump
    2,   // load
    1,   // store
    3,   // mul
    33,  // div
    2,   // csr
    1,   // fence
    3,   // fence_i
    1,   // system
    3,   // amo
    2,   // lr_sc
    1,   // mret
    1,   // wfi
};

// Extra cycles of a taken branch and of every jump (jal, jalr, mret): the refetch.
inline constexpr unsigned taken_penalty = 2;
// Cycles of entering a trap handler (exception or interrupt), on top of the instruction's own.
inline constexpr unsigned trap_entry = 3;

constexpr std::uint8_t cycles_of(op_class c) { return base_cycles[static_cast<unsigned>(c)]; }

}  // namespace nvr::cpu::timing
