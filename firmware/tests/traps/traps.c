/* traps: synchronous exceptions, each taken, checked and returned from.
 *
 * Every case runs one instruction at a known address (label 1:) and checks what the trap handler
 * saw: mcause, mtval, mepc (= the instruction's address), mstatus.MPP (= machine mode), and that
 * the destination register or memory was left alone. The handler advances mepc past the
 * instruction (for a fetch fault it returns to ra instead), so execution continues.
 *
 * What is printed must be the same on every correct implementation (QEMU and nvr-vp), so where
 * the privileged spec leaves a choice the line names the class of outcome, not the number:
 * - a misaligned plain load/store may be performed by the hardware or trap (cause 4/6, mtval =
 *   address); QEMU 7.2 performs them;
 * - a misaligned AMO must trap with an address-misaligned (or access-fault) exception; the spec's
 *   cause is 6 (store/AMO), QEMU 7.2 reports 4, both are accepted;
 * - an AMO to an unmapped address must trap with an access fault; the spec's cause is 7, QEMU 7.2
 *   reports 5, both are accepted;
 * - ebreak may write 0 or its own address to mtval (QEMU 7.2 writes 0).
 * The unmapped address is 0x08000000: unmapped on QEMU virt (0x30000000 is its PCIe ECAM window,
 * which answers without a fault) and on nvr-vp.
 * Exit code: the number of failed checks. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "csr.h"
#include "trap.h"

#define UNMAPPED 0x08000000u

static volatile uint32_t trap_count;
static volatile uint32_t trap_cause;
static volatile uint32_t trap_epc;
static volatile uint32_t trap_tval;
static volatile uint32_t trap_mpp;
static int failures;

static void on_exception(struct trap_frame* frame) {
  trap_count++;
  trap_cause = frame->mcause;
  trap_epc = frame->mepc;
  trap_tval = frame->mtval;
  trap_mpp = (frame->mstatus & MSTATUS_MPP) >> 11;
  if (frame->mcause == CAUSE_FETCH_ACCESS)
    frame->mepc = frame->x[1]; /* the test jumped here with jalr ra: return to ra */
  else
    frame->mepc += insn_length(frame->mepc);
}

static void arm(void) {
  trap_count = 0;
  trap_cause = 0xffffffffu;
  trap_epc = 0;
  trap_tval = 0xdeadbeefu;
  trap_mpp = 0;
}

/* Expected outcome of one case. */
enum tval_rule { TVAL_EXACT, TVAL_ZERO_OR_EPC };
struct expect {
  uint32_t cause_a, cause_b; /* accepted causes (equal when only one is) */
  const char* cause_name;    /* printed instead of the number when two are accepted */
  enum tval_rule rule;
  uint32_t tval;
  const char* tval_name; /* printed instead of the value when not NULL */
  uint32_t epc;
};

/* Prints one line and counts a failure when the trap was not as expected. */
static void report(const char* what, const struct expect* e, bool side_effect_ok, const char* side_effect) {
  bool ok = true;
  char cause[32], tval[32];
  if (trap_count != 1) {
    printf("%-36s %lu traps taken (expected 1): FAIL\n", what, (unsigned long)trap_count);
    failures++;
    return;
  }
  bool cause_ok = trap_cause == e->cause_a || trap_cause == e->cause_b;
  if (cause_ok && e->cause_a != e->cause_b)
    snprintf(cause, sizeof cause, "%s", e->cause_name);
  else
    snprintf(cause, sizeof cause, "%lu", (unsigned long)trap_cause);
  bool tval_ok = e->rule == TVAL_EXACT ? trap_tval == e->tval : (trap_tval == 0 || trap_tval == e->epc);
  if (tval_ok && e->tval_name != NULL)
    snprintf(tval, sizeof tval, "%s", e->tval_name);
  else
    snprintf(tval, sizeof tval, "0x%08lx", (unsigned long)trap_tval);
  bool epc_ok = trap_epc == e->epc;
  bool mpp_ok = trap_mpp == 3;
  ok = cause_ok && tval_ok && epc_ok && mpp_ok && side_effect_ok;
  printf("%-36s cause=%s mtval=%s mepc=%s mpp=%s%s%s: %s\n", what, cause, tval, epc_ok ? "ok" : "WRONG",
         mpp_ok ? "M" : "WRONG", side_effect != NULL ? " " : "", side_effect != NULL ? side_effect : "",
         ok ? "ok" : "FAIL");
  if (!ok) failures++;
}

static struct expect exact(uint32_t cause, uint32_t tval, const char* tval_name, uint32_t epc) {
  struct expect e = {cause, cause, NULL, TVAL_EXACT, tval, tval_name, epc};
  return e;
}

static void illegal_instructions(void) {
  uint32_t pc;
  arm();
  /* unimp = csrrw x0, cycle, x0: a write to a read-only CSR. */
  __asm__ volatile(
      "la %0, 1f\n"
      ".option push\n.option norvc\n"
      "1: .word 0xc0001073\n"
      ".option pop"
      : "=&r"(pc)::"memory");
  struct expect e = exact(CAUSE_ILLEGAL_INSTRUCTION, 0xc0001073u, NULL, pc);
  report("illegal: unimp (csrrw x0,cycle,x0)", &e, true, NULL);

  arm();
  __asm__ volatile("la %0, 1f\n1: .word 0x0000500b" : "=&r"(pc)::"memory"); /* custom-0 opcode */
  e = exact(CAUSE_ILLEGAL_INSTRUCTION, 0x0000500bu, NULL, pc);
  report("illegal: custom-0 opcode", &e, true, NULL);

  arm();
  __asm__ volatile("la %0, 1f\n1: .half 0x0000" : "=&r"(pc)::"memory"); /* c.unimp: all zeros */
  e = exact(CAUSE_ILLEGAL_INSTRUCTION, 0, NULL, pc);
  report("illegal: c.unimp (16-bit 0x0000)", &e, true, NULL);
}

static uint32_t words[4] __attribute__((aligned(16))) = {0x11223344u, 0x55667788u, 0x99aabbccu, 0xddeeff00u};

static void reset_words(void) {
  words[0] = 0x11223344u;
  words[1] = 0x55667788u;
  words[2] = 0x99aabbccu;
  words[3] = 0xddeeff00u;
}

/* A misaligned plain load or store: either performed correctly or trapped correctly. */
static void misaligned_case(const char* what, bool trapped_ok_cause, bool performed_ok, bool untouched_ok,
                            uint32_t pc, uint32_t addr) {
  bool ok;
  if (trap_count == 0) {
    ok = performed_ok;
  } else {
    ok = trap_count == 1 && trapped_ok_cause && trap_tval == addr && trap_epc == pc && untouched_ok;
  }
  printf("%-36s performed, or trapped with cause 4/6 and mtval=address: %s\n", what, ok ? "ok" : "FAIL");
  if (!ok) failures++;
}

static void misaligned_accesses(void) {
  uint32_t pc, addr = (uint32_t)&words[0] + 1, value;

  reset_words();
  arm();
  value = 0x5a5a5a5au;
  __asm__ volatile("la %0, 1f\n1: lw %1, 0(%2)" : "=&r"(pc), "+r"(value) : "r"(addr) : "memory");
  misaligned_case("misaligned lw (address 4n+1)", trap_cause == CAUSE_MISALIGNED_LOAD, value == 0x88112233u,
                  value == 0x5a5a5a5au, pc, addr);

  reset_words();
  arm();
  value = 0x5a5a5a5au;
  addr = (uint32_t)&words[0] + 3;
  __asm__ volatile("la %0, 1f\n1: lh %1, 0(%2)" : "=&r"(pc), "+r"(value) : "r"(addr) : "memory");
  misaligned_case("misaligned lh (address 4n+3)", trap_cause == CAUSE_MISALIGNED_LOAD, value == 0xffff8811u,
                  value == 0x5a5a5a5au, pc, addr);

  reset_words();
  arm();
  addr = (uint32_t)&words[0] + 2;
  __asm__ volatile("la %0, 1f\n1: sw %1, 0(%2)" : "=&r"(pc) : "r"(0xa1b2c3d4u), "r"(addr) : "memory");
  misaligned_case("misaligned sw (address 4n+2)", trap_cause == CAUSE_MISALIGNED_STORE,
                  words[0] == 0xc3d43344u && words[1] == 0x5566a1b2u,
                  words[0] == 0x11223344u && words[1] == 0x55667788u, pc, addr);

  reset_words();
  arm();
  addr = (uint32_t)&words[1] + 1;
  __asm__ volatile("la %0, 1f\n1: sh %1, 0(%2)" : "=&r"(pc) : "r"(0xbeefu), "r"(addr) : "memory");
  misaligned_case("misaligned sh (address 4n+1)", trap_cause == CAUSE_MISALIGNED_STORE,
                  words[1] == 0x55beef88u, words[1] == 0x55667788u, pc, addr);

  /* LR/SC and AMOs require natural alignment: they must trap. */
  reset_words();
  arm();
  value = 0x5a5a5a5au;
  addr = (uint32_t)&words[0] + 1;
  __asm__ volatile("la %0, 1f\n1: lr.w %1, (%2)" : "=&r"(pc), "+r"(value) : "r"(addr) : "memory");
  struct expect e = exact(CAUSE_MISALIGNED_LOAD, addr, "address", pc);
  report("misaligned lr.w", &e, value == 0x5a5a5a5au, "rd=unchanged");

  reset_words();
  arm();
  value = 0x5a5a5a5au;
  addr = (uint32_t)&words[2] + 2;
  __asm__ volatile("la %0, 1f\n1: amoadd.w %1, %1, (%2)" : "=&r"(pc), "+r"(value) : "r"(addr) : "memory");
  e = (struct expect){
      CAUSE_MISALIGNED_STORE, CAUSE_MISALIGNED_LOAD, "address-misaligned", TVAL_EXACT, addr, "address", pc};
  report("misaligned amoadd.w", &e,
         value == 0x5a5a5a5au && words[2] == 0x99aabbccu && words[3] == 0xddeeff00u,
         "rd=unchanged memory=unchanged");
}

static void access_faults(void) {
  uint32_t pc, value;

  arm();
  value = 0x5a5a5a5au;
  __asm__ volatile("la %0, 1f\n1: lw %1, 0(%2)" : "=&r"(pc), "+r"(value) : "r"(UNMAPPED) : "memory");
  struct expect e = exact(CAUSE_LOAD_ACCESS, UNMAPPED, NULL, pc);
  report("load from unmapped 0x08000000", &e, value == 0x5a5a5a5au, "rd=unchanged");

  arm();
  value = 0x5a5a5a5au;
  __asm__ volatile("la %0, 1f\n1: lbu %1, 3(%2)" : "=&r"(pc), "+r"(value) : "r"(UNMAPPED) : "memory");
  e = exact(CAUSE_LOAD_ACCESS, UNMAPPED + 3, NULL, pc);
  report("byte load from unmapped 0x08000003", &e, value == 0x5a5a5a5au, "rd=unchanged");

  arm();
  __asm__ volatile("la %0, 1f\n1: sw %1, 0(%2)" : "=&r"(pc) : "r"(0x12345678u), "r"(UNMAPPED) : "memory");
  e = exact(CAUSE_STORE_ACCESS, UNMAPPED, NULL, pc);
  report("store to unmapped 0x08000000", &e, true, NULL);

  arm();
  value = 0x5a5a5a5au;
  __asm__ volatile("la %0, 1f\n1: amoswap.w %1, %1, (%2)"
                   : "=&r"(pc), "+r"(value)
                   : "r"(UNMAPPED)
                   : "memory");
  e = (struct expect){CAUSE_STORE_ACCESS, CAUSE_LOAD_ACCESS, "access-fault", TVAL_EXACT, UNMAPPED, NULL, pc};
  report("amoswap.w to unmapped 0x08000000", &e, value == 0x5a5a5a5au, "rd=unchanged");

  /* Instruction fetch from an unmapped address: mepc and mtval are the target. */
  arm();
  __asm__ volatile("jalr %0" ::"r"(UNMAPPED)
                   : "ra", "t0", "t1", "t2", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t3", "t4", "t5",
                     "t6", "memory");
  e = exact(CAUSE_FETCH_ACCESS, UNMAPPED, NULL, UNMAPPED);
  report("jump to unmapped 0x08000000", &e, true, NULL);
}

static void environment_calls(void) {
  uint32_t pc;
  arm();
  __asm__ volatile("la %0, 1f\n1: ecall" : "=&r"(pc)::"memory");
  struct expect e = exact(CAUSE_MACHINE_ECALL, 0, NULL, pc);
  report("ecall from M-mode", &e, true, NULL);

  arm();
  __asm__ volatile(
      "la %0, 1f\n"
      ".option push\n.option norvc\n"
      "1: ebreak\n"
      ".option pop"
      : "=&r"(pc)::"memory");
  e = (struct expect){CAUSE_BREAKPOINT, CAUSE_BREAKPOINT, NULL, TVAL_ZERO_OR_EPC, 0, "0-or-pc", pc};
  report("ebreak (32-bit)", &e, true, NULL);

  arm();
  __asm__ volatile("la %0, 1f\n1: c.ebreak" : "=&r"(pc)::"memory");
  e.epc = pc;
  report("c.ebreak (16-bit)", &e, true, NULL);
}

/* An ecall whose handler writes a result into the frame: a0 comes back changed. */
static void ecall_return_value(struct trap_frame* frame) {
  frame->x[10] = frame->x[10] * 2 + frame->x[11];
  frame->mepc += 4;
}

static void ecall_with_result(void) {
  trap_handler old = trap_set_exception_handler(CAUSE_MACHINE_ECALL, ecall_return_value);
  uint32_t a0;
  __asm__ volatile("li a0, 20\n li a1, 2\n ecall\n mv %0, a0" : "=r"(a0) : : "a0", "a1", "memory");
  trap_set_exception_handler(CAUSE_MACHINE_ECALL, old);
  bool ok = a0 == 42;
  printf("%-36s a0=%lu: %s\n", "ecall handler writes a0 in the frame", (unsigned long)a0, ok ? "ok" : "FAIL");
  if (!ok) failures++;
}

int main(void) {
  printf("traps: synchronous exceptions in machine mode\n");
  for (unsigned cause = 0; cause < 16; cause++) trap_set_exception_handler(cause, on_exception);
  illegal_instructions();
  misaligned_accesses();
  access_faults();
  environment_calls();
  ecall_with_result();
  printf("traps: %d failure%s\n", failures, failures == 1 ? "" : "s");
  return failures;
}
