// The instruction loop: threaded dispatch (computed goto) over predecoded entries. Per
// instruction it does the operation, adds the entry's ticks (cycles and one instruction) to the
// accumulator, steps the entry pointer by a constant (each operation has a handler per
// instruction length) and compares the accumulator with the limit. The pc is not carried: an
// entry's address gives it (pc_of). Everything unusual (bus accesses without DMI, CSRs, traps,
// atomics, decoding) leaves the loop's registers through NVR_SAVE and calls an out-of-line slow
// path in rv32.cpp.
//
// execute<true> is the debug/trace variant (GDB stub, instruction trace): it calls debug_step()
// before each instruction and debug_access() before each data access (watchpoints), and leaves
// the loop with the pc of the instruction when either asks to halt. execute<false>, the one that
// runs without a debugger or trace, has no trace of it (every hook is `if constexpr`).
#include <algorithm>
#include <cstring>

#include "ip/cpu/rv32.h"
#include "ip/cpu/rv32_isa.h"
#include "ip/cpu/rv32_page.h"
#include "ip/cpu/timing.h"

namespace nvr::cpu {

using namespace detail;

namespace {

template <unsigned Size>
inline std::uint32_t host_load(const std::uint8_t* p) {
  if constexpr (Size == 1) {
    return *p;
  } else if constexpr (Size == 2) {
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
  } else {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
}

template <unsigned Size>
inline void host_store(std::uint8_t* p, std::uint32_t value) {
  if constexpr (Size == 1) {
    *p = static_cast<std::uint8_t>(value);
  } else if constexpr (Size == 2) {
    const auto v = static_cast<std::uint16_t>(value);
    std::memcpy(p, &v, 2);
  } else {
    std::memcpy(p, &value, 4);
  }
}

inline std::uint32_t div_s(std::uint32_t a, std::uint32_t b) {
  if (b == 0) return ~0u;
  if (a == 0x80000000u && b == ~0u) return a;  // overflow: INT_MIN / -1 = INT_MIN
  return static_cast<std::uint32_t>(static_cast<std::int32_t>(a) / static_cast<std::int32_t>(b));
}
inline std::uint32_t rem_s(std::uint32_t a, std::uint32_t b) {
  if (b == 0) return a;
  if (a == 0x80000000u && b == ~0u) return 0;
  return static_cast<std::uint32_t>(static_cast<std::int32_t>(a) % static_cast<std::int32_t>(b));
}
inline std::uint32_t div_u(std::uint32_t a, std::uint32_t b) { return b == 0 ? ~0u : a / b; }
inline std::uint32_t rem_u(std::uint32_t a, std::uint32_t b) { return b == 0 ? a : a % b; }

inline std::uint32_t mulh(std::uint32_t a, std::uint32_t b) {
  const std::int64_t p =
      static_cast<std::int64_t>(static_cast<std::int32_t>(a)) * static_cast<std::int32_t>(b);
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(p) >> 32);
}
inline std::uint32_t mulhsu(std::uint32_t a, std::uint32_t b) {
  const std::int64_t p =
      static_cast<std::int64_t>(static_cast<std::int32_t>(a)) * static_cast<std::int64_t>(b);
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(p) >> 32);
}
inline std::uint32_t mulhu(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::uint32_t>((static_cast<std::uint64_t>(a) * b) >> 32);
}

}  // namespace

#define NVR_LIKELY(c) __builtin_expect(!!(c), 1)
#define NVR_UNLIKELY(c) __builtin_expect(!!(c), 0)

// Loop registers <-> members, around slow paths. acc counts cycles and instructions since
// base_cycles and base_instret (cycles << tick_shift | instructions); a slow path may change
// m_cycles (latencies, traps) and m_limit, so the accumulator starts afresh after one.
#define NVR_SAVE()                                                 \
  (m_pc = pc_of(ip), m_cycles = base_cycles + (acc >> tick_shift), \
   m_instret = base_instret + (acc & ((std::uint64_t{1} << tick_shift) - 1)))
#define NVR_RESTORE() (base_cycles = m_cycles, base_instret = m_instret, acc = 0, acc_limit = budget())

#define NVR_REDISPATCH() goto* dispatch[ip->op]
#define NVR_DISPATCH()                       \
  do {                                       \
    if constexpr (Debug) {                   \
      NVR_SAVE();                            \
      if (debug_step(pc_of(ip))) goto leave; \
    }                                        \
    NVR_REDISPATCH();                        \
  } while (0)
#define NVR_CHECK_DISPATCH()                        \
  do {                                              \
    if (NVR_UNLIKELY(acc >= acc_limit)) goto leave; \
    NVR_DISPATCH();                                 \
  } while (0)
// Debug variant only: a data access about to happen (before the instruction changes anything).
#define NVR_WATCH(address, size, access)                         \
  do {                                                           \
    if constexpr (Debug) {                                       \
      NVR_SAVE();                                                \
      if (debug_access((address), (size), (access))) goto leave; \
    }                                                            \
  } while (0)
#define NVR_RETIRE(extra) (acc += ip->tick + ticks(extra))
// Sequential successor of an instruction of len bytes: len / 2 entries further.
#define NVR_NEXT(len)     \
  do {                    \
    NVR_RETIRE(0);        \
    ip += (len) / 2;      \
    NVR_CHECK_DISPATCH(); \
  } while (0)
// Continue at the pc in m_pc (trap handler, mret target).
#define NVR_CONTINUE_AT_M_PC() \
  do {                         \
    ip = entry_for(m_pc);      \
    NVR_CHECK_DISPATCH();      \
  } while (0)
// After a slow path took a trap.
#define NVR_TRAPPED()       \
  do {                      \
    NVR_RESTORE();          \
    NVR_CONTINUE_AT_M_PC(); \
  } while (0)

#define NVR_RS1 x[ip->rs1]
#define NVR_RS2 x[ip->rs2]
#define NVR_UIMM static_cast<std::uint32_t>(ip->imm)
#define NVR_SRS1 static_cast<std::int32_t>(x[ip->rs1])
#define NVR_SRS2 static_cast<std::int32_t>(x[ip->rs2])

// Each handler exists twice: l_<op> for 4-byte and l_<op>_c for 2-byte instructions.
#define NVR_BOTH(handler, name, ...) handler(name, 4, __VA_ARGS__) handler(name##_c, 2, __VA_ARGS__)

#define NVR_ALU_(label, len, expr) \
  l_##label : {                    \
    x[ip->rd] = (expr);            \
    NVR_NEXT(len);                 \
  }
#define NVR_ALU(name, expr) NVR_BOTH(NVR_ALU_, name, expr)
#define NVR_NOP_(label, len, unused) \
  l_##label : { NVR_NEXT(len); }

#define NVR_LOAD_(label, len, size, convert)                                                          \
  l_##label : {                                                                                       \
    const std::uint32_t a = NVR_RS1 + NVR_UIMM;                                                       \
    NVR_WATCH(a, size, 1);                                                                            \
    const std::uint32_t off = a - m_rd_start;                                                         \
    std::uint32_t v;                                                                                  \
    if (NVR_LIKELY(static_cast<std::uint64_t>(off) + (size) <= m_rd_size && (a & ((size)-1)) == 0)) { \
      v = host_load<size>(m_rd_ptr + off);                                                            \
      acc += m_rd_ticks;                                                                              \
    } else {                                                                                          \
      std::uint32_t slow_v = 0;                                                                       \
      NVR_SAVE();                                                                                     \
      if (!load_slow(a, size, slow_v)) NVR_TRAPPED();                                                 \
      NVR_RESTORE();                                                                                  \
      v = slow_v;                                                                                     \
    }                                                                                                 \
    x[ip->rd] = convert(v);                                                                           \
    NVR_NEXT(len);                                                                                    \
  }
#define NVR_LOAD(name, size, convert) NVR_BOTH(NVR_LOAD_, name, size, convert)

#define NVR_STORE_(label, len, size)                                                                 \
  l_##label : {                                                                                      \
    const std::uint32_t a = NVR_RS1 + NVR_UIMM;                                                      \
    NVR_WATCH(a, size, 2);                                                                           \
    const std::uint32_t off = a - m_wr_start;                                                        \
    if (NVR_LIKELY(static_cast<std::uint64_t>(off) + (size) <= m_wr_size && (a & ((size)-1)) == 0 && \
                   m_code_map[a >> granule_shift] == 0)) {                                           \
      host_store<size>(m_wr_ptr + off, NVR_RS2);                                                     \
      acc += m_wr_ticks;                                                                             \
    } else {                                                                                         \
      NVR_SAVE();                                                                                    \
      if (!store_slow(a, size, NVR_RS2)) NVR_TRAPPED();                                              \
      NVR_RESTORE();                                                                                 \
    }                                                                                                \
    NVR_NEXT(len);                                                                                   \
  }
#define NVR_STORE(name, size) NVR_BOTH(NVR_STORE_, name, size)

// Far form: the target through the page table; "_l" form: aux entries away in the same page.
#define NVR_BRANCH_(label, len, cond, target) \
  l_##label : {                               \
    if (cond) {                               \
      NVR_RETIRE(timing::taken_penalty);      \
      ip = (target);                          \
      NVR_CHECK_DISPATCH();                   \
    }                                         \
    NVR_NEXT(len);                            \
  }
#define NVR_BRANCH(name, cond)                           \
  NVR_BOTH(NVR_BRANCH_, name, cond, entry_for(NVR_UIMM)) \
  NVR_BOTH(NVR_BRANCH_, name##_l, cond, ip + ip->aux)

#define NVR_JAL_(label, len, target) \
  l_##label : {                      \
    x[ip->rd] = pc_of(ip) + (len);   \
    NVR_RETIRE(0);                   \
    ip = (target);                   \
    NVR_CHECK_DISPATCH();            \
  }
#define NVR_JALR_(label, len, unused)                        \
  l_##label : {                                              \
    const std::uint32_t target = (NVR_RS1 + NVR_UIMM) & ~1u; \
    x[ip->rd] = pc_of(ip) + (len);                           \
    NVR_RETIRE(0);                                           \
    ip = entry_for(target);                                  \
    NVR_CHECK_DISPATCH();                                    \
  }

#define NVR_SLOW_(label, len, call) \
  l_##label : {                     \
    NVR_SAVE();                     \
    if (!(call)) NVR_TRAPPED();     \
    NVR_RESTORE();                  \
    NVR_NEXT(len);                  \
  }
#define NVR_SLOW(name, call) NVR_BOTH(NVR_SLOW_, name, call)
// LR, SC and AMOs: one 4-byte access at rs1 (access: 1 read, 2 write, 3 both).
#define NVR_ATOMIC_(label, len, call, access) \
  l_##label : {                               \
    NVR_WATCH(NVR_RS1, 4, access);            \
    NVR_SAVE();                               \
    if (!(call)) NVR_TRAPPED();               \
    NVR_RESTORE();                            \
    NVR_NEXT(len);                            \
  }
#define NVR_ATOMIC(name, call, access) NVR_BOTH(NVR_ATOMIC_, name, call, access)

#define NVR_EXCEPTION_(label, len, cause, tval) \
  l_##label : {                                 \
    NVR_SAVE();                                 \
    raise(cause, tval);                         \
    NVR_TRAPPED();                              \
  }

#define NVR_MRET_(label, len, unused) \
  l_##label : {                       \
    NVR_SAVE();                       \
    exec_mret();                      \
    NVR_RESTORE();                    \
    NVR_RETIRE(0);                    \
    NVR_CONTINUE_AT_M_PC();           \
  }

#define NVR_WFI_(label, len, unused)                                     \
  l_##label : {                                                          \
    m_wfi = true; /* the run loop waits once this instruction retired */ \
    acc_limit = 0;                                                       \
    NVR_NEXT(len);                                                       \
  }

#define NVR_FENCE_I_(label, len, unused) \
  l_##label : {                          \
    NVR_SAVE();                          \
    exec_fence_i();                      \
    NVR_RESTORE();                       \
    NVR_NEXT(len);                       \
  }

// Not instructions: the same for both lengths.
#define NVR_DECODE_(label, len, unused)          \
  l_##label : {                                  \
    NVR_SAVE();                                  \
    insn* decoded = fetch_and_decode(pc_of(ip)); \
    if (decoded == nullptr) NVR_TRAPPED();       \
    NVR_RESTORE();                               \
    ip = decoded;                                \
    NVR_REDISPATCH();                            \
  }
#define NVR_LOOKUP_(label, len, unused) \
  l_##label : {                         \
    ip = entry_for(pc_of(ip));          \
    NVR_REDISPATCH();                   \
  }

template <bool Debug>
void rv32::execute() {
  // The operations in the order of detail::op, 4-byte handlers, then 2-byte handlers.
#define NVR_LABEL_4(name) &&l_##name,
#define NVR_LABEL_2(name) &&l_##name##_c,
  static void* const dispatch[2 * op_count] = {NVR_RV32_OPS(NVR_LABEL_4) NVR_RV32_OPS(NVR_LABEL_2)};
  static_assert(op_compressed == op_count, "2-byte handlers follow the 4-byte ones");
#undef NVR_LABEL_4
#undef NVR_LABEL_2

  // Fewer than 2^tick_shift cycles per accumulator epoch, so the instruction count (>= 1 cycle
  // each) never carries into the cycles.
  const auto budget = [this]() -> std::uint64_t {
    constexpr std::uint64_t max_budget = (std::uint64_t{1} << tick_shift) - 1;
    return m_limit > m_cycles ? std::min(m_limit - m_cycles, max_budget) << tick_shift : 0;
  };
  std::uint32_t* const x = m_x;
  std::uint64_t base_cycles = m_cycles, base_instret = m_instret;
  std::uint64_t acc = 0;
  std::uint64_t acc_limit = budget();
  insn* ip = entry_for(m_pc);
  NVR_DISPATCH();

  NVR_BOTH(NVR_DECODE_, decode, 0)
  NVR_BOTH(NVR_LOOKUP_, lookup, 0)
  NVR_BOTH(NVR_EXCEPTION_, illegal, cause_illegal_instruction, NVR_UIMM)
  NVR_BOTH(NVR_NOP_, nop, 0)
  NVR_ALU(li, NVR_UIMM)
  NVR_ALU(addi, NVR_RS1 + NVR_UIMM)
  NVR_ALU(slti, NVR_SRS1 < ip->imm ? 1u : 0u)
  NVR_ALU(sltiu, NVR_RS1 < NVR_UIMM ? 1u : 0u)
  NVR_ALU(xori, NVR_RS1 ^ NVR_UIMM)
  NVR_ALU(ori, NVR_RS1 | NVR_UIMM)
  NVR_ALU(andi, NVR_RS1 & NVR_UIMM)
  NVR_ALU(slli, NVR_RS1 << ip->imm)
  NVR_ALU(srli, NVR_RS1 >> ip->imm)
  NVR_ALU(srai, static_cast<std::uint32_t>(NVR_SRS1 >> ip->imm))
  NVR_ALU(add, NVR_RS1 + NVR_RS2)
  NVR_ALU(sub, NVR_RS1 - NVR_RS2)
  NVR_ALU(sll, NVR_RS1 << (NVR_RS2 & 31))
  NVR_ALU(slt, NVR_SRS1 < NVR_SRS2 ? 1u : 0u)
  NVR_ALU(sltu, NVR_RS1 < NVR_RS2 ? 1u : 0u)
  NVR_ALU(xor, NVR_RS1 ^ NVR_RS2)
  NVR_ALU(srl, NVR_RS1 >> (NVR_RS2 & 31))
  NVR_ALU(sra, static_cast<std::uint32_t>(NVR_SRS1 >> (NVR_RS2 & 31)))
  NVR_ALU(or, NVR_RS1 | NVR_RS2)
  NVR_ALU(and, NVR_RS1 & NVR_RS2)
  NVR_ALU(mul, NVR_RS1 * NVR_RS2)
  NVR_ALU(mulh, mulh(NVR_RS1, NVR_RS2))
  NVR_ALU(mulhsu, mulhsu(NVR_RS1, NVR_RS2))
  NVR_ALU(mulhu, mulhu(NVR_RS1, NVR_RS2))
  NVR_ALU(div, div_s(NVR_RS1, NVR_RS2))
  NVR_ALU(divu, div_u(NVR_RS1, NVR_RS2))
  NVR_ALU(rem, rem_s(NVR_RS1, NVR_RS2))
  NVR_ALU(remu, rem_u(NVR_RS1, NVR_RS2))

#define NVR_SEXT8(v) static_cast<std::uint32_t>(static_cast<std::int8_t>(v))
#define NVR_SEXT16(v) static_cast<std::uint32_t>(static_cast<std::int16_t>(v))
#define NVR_ZEXT(v) (v)
  NVR_LOAD(lb, 1, NVR_SEXT8)
  NVR_LOAD(lh, 2, NVR_SEXT16)
  NVR_LOAD(lw, 4, NVR_ZEXT)
  NVR_LOAD(lbu, 1, NVR_ZEXT)
  NVR_LOAD(lhu, 2, NVR_ZEXT)
  NVR_STORE(sb, 1)
  NVR_STORE(sh, 2)
  NVR_STORE(sw, 4)

  NVR_BRANCH(beq, NVR_RS1 == NVR_RS2)
  NVR_BRANCH(bne, NVR_RS1 != NVR_RS2)
  NVR_BRANCH(blt, NVR_SRS1 < NVR_SRS2)
  NVR_BRANCH(bge, NVR_SRS1 >= NVR_SRS2)
  NVR_BRANCH(bltu, NVR_RS1 < NVR_RS2)
  NVR_BRANCH(bgeu, NVR_RS1 >= NVR_RS2)

  NVR_BOTH(NVR_JAL_, jal, entry_for(NVR_UIMM))
  NVR_BOTH(NVR_JAL_, jal_l, ip + ip->aux)
  NVR_BOTH(NVR_JALR_, jalr, 0)

  NVR_ATOMIC(lr, exec_lr(*ip), 1)
  NVR_ATOMIC(sc, exec_sc(*ip), 2)
  NVR_ATOMIC(amo, exec_amo(*ip), 3)
  NVR_SLOW(csr, exec_csr(*ip))
  NVR_BOTH(NVR_EXCEPTION_, ecall, cause_ecall_m, 0)
  NVR_BOTH(NVR_EXCEPTION_, ebreak, cause_breakpoint, 0)  // mtval = 0, as QEMU 7.2
  NVR_BOTH(NVR_MRET_, mret, 0)
  NVR_BOTH(NVR_WFI_, wfi, 0)
  NVR_BOTH(NVR_FENCE_I_, fence_i, 0)

leave:
  NVR_SAVE();
}

template void rv32::execute<false>();
template void rv32::execute<true>();

}  // namespace nvr::cpu
