// The host program of the cachegrind cross-check (test_cache_cachegrind.cpp). It makes exactly
// the accesses of a pseudo-random trace inside one function, cg_kernel, whose loop keeps every
// variable in registers: cachegrind's per-function counts for cg_kernel are then the trace's
// accesses and nothing else (the final `ret`, which reads the stack, lives in cg_kernel_exit).
//
//   x = x * 6364136223846793005 + 1442695040888963407   (64-bit LCG, x0 = seed)
//   address = base + ((x >> 24) & mask), 8 bytes; a write when (x & write_mask) != 0
//
// Usage: cachegrind-kernel COUNT SEED REGION_BYTES WRITE_MASK; prints the base address. The
// region is fresh anonymous memory aligned to its size and never touched before the kernel, so
// no earlier access can leave its lines in the simulated caches.
#include <sys/mman.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" void cg_kernel(void* base, std::uint64_t count, std::uint64_t mask, std::uint64_t seed,
                          std::uint64_t write_mask);

// System V AMD64: rdi = base, rsi = count, rdx = mask, rcx = seed, r8 = write_mask.
asm(R"(
  .text
  .globl cg_kernel
  .type cg_kernel, @function
cg_kernel:
  movabsq $6364136223846793005, %r10
  movabsq $1442695040888963407, %r11
  testq %rsi, %rsi
  jz 3f
1:
  imulq %r10, %rcx
  addq %r11, %rcx
  movq %rcx, %rax
  shrq $24, %rax
  andq %rdx, %rax
  movq %rcx, %r9
  andq %r8, %r9
  jnz 2f
  movq (%rdi,%rax), %r9
  decq %rsi
  jnz 1b
  jmp 3f
2:
  movq %r9, (%rdi,%rax)
  decq %rsi
  jnz 1b
3:
  jmp cg_kernel_exit
  .size cg_kernel, .-cg_kernel
  .globl cg_kernel_exit
  .type cg_kernel_exit, @function
cg_kernel_exit:
  ret
  .size cg_kernel_exit, .-cg_kernel_exit
)");

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s COUNT SEED REGION_BYTES WRITE_MASK\n", argv[0]);
    return 64;
  }
  const std::uint64_t count = std::strtoull(argv[1], nullptr, 0);
  const std::uint64_t seed = std::strtoull(argv[2], nullptr, 0);
  const std::uint64_t region = std::strtoull(argv[3], nullptr, 0);
  const std::uint64_t write_mask = std::strtoull(argv[4], nullptr, 0);
  if (region < 64 || (region & (region - 1)) != 0) {
    std::fprintf(stderr, "region must be a power of two >= 64\n");
    return 64;
  }
  void* raw = mmap(nullptr, 2 * region, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return 71;
  const std::uintptr_t base = (reinterpret_cast<std::uintptr_t>(raw) + region - 1) & ~(region - 1);
  std::printf("0x%" PRIxPTR "\n", base);
  std::fflush(stdout);
  cg_kernel(reinterpret_cast<void*>(base), count, (region - 1) & ~std::uint64_t{7}, seed, write_mask);
  return 0;
}
