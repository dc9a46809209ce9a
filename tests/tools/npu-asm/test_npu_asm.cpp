// The NPU assembler and disassembler as a library: canonical text of every instruction kind,
// round trips (text -> bin -> text on canonical text, bin -> text -> bin on random valid
// instructions), line-numbered errors, invalid binaries as .word lines.
#include <gtest/gtest.h>

#include <random>

#include "tools/npu-asm/npu_asm.h"

using namespace npu_ref;
using npu_asm::assemble;
using npu_asm::disassemble;

namespace {

// One canonical line per instruction kind, with the reference encoding it must give.
const std::pair<const char*, instruction> canonical[] = {
    {"nop", nop()},
    {"fence", fence()},
    {"irq tag=7", irq(7)},
    {"config.store mult=-12345 shift=17 zp=-3 min=-100 max=90", config_store(-12345, 17, -3, -100, 90)},
    {"mvin dram=0x80001000 dst=acc[12]+ rows=16 cols=16 stride=64 i8",
     mvin(0x80001000, acc(12, true), 16, 16, 64, flag::i8)},
    {"mvin dram=0x80001000 dst=spad[100] rows=3 cols=5 stride=0", mvin(0x80001000, spad(100), 3, 5, 0)},
    {"mvout dram=0x80002000 src=acc[3] rows=7 cols=9 stride=36 raw",
     mvout(0x80002000, acc(3), 7, 9, 36, flag::raw)},
    {"matmul a=spad[0] b=spad[16] c=acc[32]+ rows=48 int4",
     matmul(spad(0), spad(16), acc(32, true), 48, flag::int4)},
    {"gather index=0x80003000 count=5 table=0x80004000 table_rows=100 stride=64 dst=acc[7] cols=16 i8",
     gather(0x80003000, 5, 0x80004000, 100, 64, acc(7), 16, flag::i8)},
    {"scatter index=0x80003000 count=5 table=0x80004000 table_rows=100 stride=64 src=acc[7] cols=16 add",
     scatter(0x80003000, 5, 0x80004000, 100, 64, acc(7), 16, flag::add)},
    {"config.sparse row_ptr=0x80005000 col_idx=0x80006000 values=0x80007000 b_rows=2048",
     config_sparse(0x80005000, 0x80006000, 0x80007000, 2048)},
    {"spmm b=0x80008000 b_stride=128 first=40 count=16 dst=acc[100]+ cols=1",
     spmm(0x80008000, 128, 40, 16, acc(100, true), 1)},
    {"vector.add a=spad[0] b=spad[16] dst=acc[0] rows=4", vector(fn::add, spad(0), spad(16), acc(0), 4)},
    {"vector.max a=acc[0] b=acc[64] dst=acc[0]+ rows=20 row_scalar",
     vector(fn::max, acc(0), acc(64), acc(0, true), 20, 0, 0, 0, 0, flag::row_scalar)},
    {"vector.mul a=acc[0] b=spad[3] dst=acc[1] rows=1 shift=62",
     vector(fn::mul, acc(0), spad(3), acc(1), 1, 0, 62)},
    {"vector.requant a=acc[0] dst=spad[0] rows=4 m=1234 shift=10 zp=-5 relu",
     vector(fn::requant, acc(0), 0, spad(0), 4, 0, 1234, 10, static_cast<std::uint32_t>(-5), flag::relu)},
    {"vector.requant a=acc[0] b=acc[900] dst=acc[5] rows=33 shift=12 zp=0 row_scalar",
     vector(fn::requant, acc(0), acc(900), acc(5), 33, 0, 0, 12, 0, flag::row_scalar)},
    {"vector.clip a=acc[0] dst=acc[0] rows=2 min=-2147483648 max=2147483647",
     vector(fn::clip, acc(0), 0, acc(0), 2, 0, 0x80000000u, 0x7fffffff)},
    {"vector.shift a=acc[0] dst=acc[0] rows=2 shift=31", vector(fn::shift, acc(0), 0, acc(0), 2, 0, 31)},
    {"vector.exp a=acc[0] dst=acc[0] rows=2 frac=24", vector(fn::exp, acc(0), 0, acc(0), 2, 0, 24)},
    {"vector.copy a=spad[9] dst=acc[0] rows=2", vector(fn::copy, spad(9), 0, acc(0), 2)},
    {"vector.silu a=acc[0] dst=acc[0] rows=2 frac=8", vector(fn::silu, acc(0), 0, acc(0), 2, 0, 8)},
    {"vector.softmax a=acc[0] dst=acc[500] rows=4 length=40 frac=10 clip=8",
     vector(fn::softmax, acc(0), 0, acc(500), 4, 40, 10, 8)},
    {"vector.rmsnorm a=acc[0] dst=acc[500] rows=4 length=40 frac=0",
     vector(fn::rmsnorm, acc(0), 0, acc(500), 4, 40)},
    {"vector.quant a=acc[0] b=acc[1000] dst=spad[0] rows=4 length=40",
     vector(fn::quant, acc(0), acc(1000), spad(0), 4, 40)},
    {"vector.argmax a=spad[0] dst=spad[15360] rows=16384 length=1",
     vector(fn::argmax, spad(0), 0, spad(15360), 16384, 1)},
};

std::string first_error(const std::string& text) {
  const auto a = assemble(text);
  if (a.errors.empty()) return "(no error)";
  return std::to_string(a.errors[0].line) + ": " + a.errors[0].message;
}

// A random instruction that passes the static checks.
words random_valid(std::mt19937& rng) {
  for (;;) {
    words w{};
    const auto opcode = static_cast<std::uint8_t>(rng() % (op::last + 1));
    auto small = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); };
    auto laddr = [&](bool is_acc, bool accumulate) {
      return is_acc ? acc(small(64), accumulate && small(2)) : spad(small(16384 - 64));
    };
    std::uint8_t flags = static_cast<std::uint8_t>(small(4)), funct = 0;
    switch (opcode) {
      case op::config_store: {
        const auto lo = static_cast<std::int32_t>(small(256)) - 128;
        w = config_store(static_cast<std::int32_t>(rng()), small(63), static_cast<std::int32_t>(rng()), lo,
                         lo + static_cast<std::int32_t>(small(static_cast<std::uint32_t>(128 - lo))))
                .encode();
        break;
      }
      case op::mvin:
      case op::mvout: {
        const bool a = small(2);
        w = instruction{}.encode();
        w[1] = static_cast<std::uint32_t>(rng());
        w[2] = laddr(a, opcode == op::mvin);
        w[3] = 1 + small(64);
        w[4] = 1 + small(16);
        w[5] = static_cast<std::uint32_t>(rng());
        flags = a ? flags & 1 : 0;
        break;
      }
      case op::matmul:
        w[1] = spad(small(16000));
        w[2] = spad(small(16000));
        w[3] = laddr(true, true);
        w[4] = 1 + small(64);
        flags &= 1;
        break;
      case op::gather:
      case op::scatter: {
        const bool a = small(2);
        for (unsigned k = 1; k < 6; ++k) w[k] = static_cast<std::uint32_t>(rng());
        w[2] = 1 + small(64);
        w[6] = laddr(a, opcode == op::gather);
        w[7] = 1 + small(16);
        flags = a ? flags & 1 : 0;
        break;
      }
      case op::config_sparse:
        for (unsigned k = 1; k < 5; ++k) w[k] = static_cast<std::uint32_t>(rng());
        flags = 0;
        break;
      case op::spmm:
        w[1] = static_cast<std::uint32_t>(rng());
        w[2] = static_cast<std::uint32_t>(rng());
        w[3] = static_cast<std::uint32_t>(rng());
        w[4] = 1 + small(64);
        w[5] = laddr(true, true);
        w[6] = 1 + small(16);
        flags = 0;
        break;
      case op::vector: {
        const std::uint8_t functs[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 17, 18, 19};
        funct = functs[small(13)];
        const bool rs_ok = funct <= fn::requant, relu_ok = funct == fn::requant || funct == fn::copy;
        flags = static_cast<std::uint8_t>((relu_ok ? flags & flag::relu : 0) |
                                          (rs_ok ? flags & flag::row_scalar : 0));
        const bool rs = flags & flag::row_scalar;
        const bool uses_b = funct == fn::add || funct == fn::max || funct == fn::mul || funct == fn::quant ||
                            (funct == fn::requant && rs);
        w[1] = laddr(small(2), false);
        w[2] = uses_b ? laddr(funct == fn::quant || small(2), false) : 0;
        w[3] = funct == fn::quant ? spad(small(1000)) : laddr(small(2), true);
        w[4] = (1 + small(16)) | (fn::is_row(funct) ? (1 + small(40)) << 16 : 0);
        const auto any = static_cast<std::uint32_t>(rng());
        switch (funct) {
          case fn::mul:
            w[5] = small(63);
            break;
          case fn::requant:
            w[5] = rs ? 0 : any;
            w[6] = small(63);
            w[7] = static_cast<std::uint32_t>(rng());
            break;
          case fn::clip: {
            const auto lo = static_cast<std::int32_t>(any) / 2;
            w[5] = static_cast<std::uint32_t>(lo);
            w[6] = static_cast<std::uint32_t>(lo + static_cast<std::int32_t>(small(1u << 30)));
            break;
          }
          case fn::shift:
            w[5] = small(32);
            break;
          case fn::exp:
          case fn::silu:
            w[5] = 1 + small(24);
            break;
          case fn::softmax:
            w[5] = 1 + small(24);
            w[6] = any >> 1;
            break;
          case fn::rmsnorm:
            w[5] = small(25);
            break;
          default:
            break;
        }
        break;
      }
      case op::irq:
        w[1] = static_cast<std::uint32_t>(rng());
        flags = 0;
        break;
      default:
        flags = 0;
        break;
    }
    w[0] = opcode | (std::uint32_t{flags} << 8) | (std::uint32_t{funct} << 16);
    if (!check_static(w)) return w;
  }
}

}  // namespace

TEST(NpuAsm, CanonicalTextOfEveryInstructionKind) {
  for (const auto& [text, insn] : canonical) {
    const auto a = assemble(text);
    ASSERT_TRUE(a.errors.empty()) << text << ": " << a.errors[0].message;
    ASSERT_EQ(a.program.size(), 1u);
    EXPECT_EQ(a.program[0], insn.encode()) << text;
    EXPECT_EQ(disassemble(insn.encode()), text);
  }
}

TEST(NpuAsm, TextBinaryTextIsIdentityOnCanonicalText) {
  std::string text;
  for (const auto& c : canonical) text += std::string(c.first) + "\n";
  const auto a = assemble(text);
  ASSERT_TRUE(a.errors.empty());
  std::string error = "unset";
  EXPECT_EQ(disassemble(npu_asm::to_bytes(a.program), &error), text);
  EXPECT_EQ(error, "");
}

TEST(NpuAsm, BinaryTextBinaryIsIdentityForRandomValidInstructions) {
  std::mt19937 rng(2024);
  unsigned per_opcode[op::last + 1] = {};
  for (int t = 0; t < 20000; ++t) {
    const words w = random_valid(rng);
    ++per_opcode[w[0] & 0xff];
    const std::string text = disassemble(w);
    ASSERT_NE(text.rfind(".word", 0), 0u) << text;
    words back;
    ASSERT_NO_THROW(ASSERT_TRUE(npu_asm::assemble_line(text, back))) << text;
    ASSERT_EQ(back, w) << text;
  }
  for (unsigned o = 0; o <= op::last; ++o)
    EXPECT_GT(per_opcode[o], 100u) << mnemonic(static_cast<std::uint8_t>(o));
}

TEST(NpuAsm, InvalidBinaryBecomesWordLinesThatRoundTrip) {
  std::mt19937 rng(99);
  for (int t = 0; t < 5000; ++t) {
    words w;
    for (auto& v : w) v = static_cast<std::uint32_t>(rng());
    if (t % 2) w[0] &= 0x0003ff0f;  // often a defined opcode with bad fields
    const std::string text = disassemble(w);
    if (check_static(w)) {
      ASSERT_EQ(text.rfind(".word 0x", 0), 0u) << text;
    }
    words back;
    ASSERT_TRUE(npu_asm::assemble_line(text, back)) << text;
    ASSERT_EQ(back, w) << text;
  }
  EXPECT_EQ(disassemble(words{0x0c, 0, 0, 0, 0, 0, 0, 0}),
            ".word 0x0000000c 0x00000000 0x00000000 0x00000000 0x00000000 0x00000000 0x00000000 0x00000000"
            "  # illegal_opcode 0x0c");
  EXPECT_EQ(disassemble(mvin(0x80000000, spad(0), 1, 17, 0).encode()),
            ".word 0x00000002 0x80000000 0x00000000 0x00000001 0x00000011 0x00000000 0x00000000 0x00000000"
            "  # mvin: invalid cols=17 (illegal_field, word 4)");
  words w = nop().encode();
  w[5] = 1;
  EXPECT_EQ(disassemble(w).substr(93), "  # nop: word 5 must be 0 (illegal_field)");
  EXPECT_EQ(disassemble(mvin(0x80000000, acc(1020), 5, 1, 0).encode()).substr(93),
            "  # mvin: dst=acc[1020] runs past the end of the accumulator (local_range)");
  std::string error;
  EXPECT_EQ(disassemble(std::vector<std::uint8_t>(40, 0), &error), "nop\n");
  EXPECT_EQ(error, "input size 40 is not a multiple of 32 bytes (8 trailing bytes not disassembled)");
}

TEST(NpuAsm, CommentsBlankLinesAnyOperandOrderAndNumberForms) {
  const auto a = assemble(
      "# a program\n"
      "\n"
      "   mvin   rows=2 cols=0x10 stride=+16 dst=spad[0x10] dram=2147483648   # trailing comment\n"
      "\tfence\n"
      "config.store max=0x7f min=-128 zp=0 shift=0 mult=0xffffffff\n");
  ASSERT_TRUE(a.errors.empty()) << a.errors[0].message;
  ASSERT_EQ(a.program.size(), 3u);
  EXPECT_EQ(a.program[0], mvin(0x80000000u, spad(16), 2, 16, 16).encode());
  EXPECT_EQ(a.program[1], fence().encode());
  EXPECT_EQ(disassemble(a.program[2]), "config.store mult=-1 shift=0 zp=0 min=-128 max=127");
}

TEST(NpuAsm, LineNumberedErrors) {
  EXPECT_EQ(first_error("nop\nmvinn dram=0"), "2: unknown mnemonic 'mvinn'");
  EXPECT_EQ(first_error("vector.foo a=acc[0]"), "1: unknown vector funct 'foo'");
  EXPECT_EQ(first_error("nop x=1"), "1: unknown operand 'x' for nop (it has none)");
  EXPECT_EQ(first_error("irq tag=1 fast"), "1: unknown flag 'fast' for irq (it has none)");
  EXPECT_EQ(first_error("matmul a=spad[0] b=spad[16] c=acc[0] rows=1 i8"),
            "1: unknown flag 'i8' for matmul (flags: int4)");
  EXPECT_EQ(first_error("mvin dram=0 dst=spad[0] rows=1 cols=1 stride=0 size=3"),
            "1: unknown operand 'size' for mvin (operands: dram, dst, rows, cols, stride)");
  EXPECT_EQ(first_error("mvin dram=0 dst=spad[0] rows=1 cols=1"), "1: missing operand 'stride'");
  EXPECT_EQ(first_error("mvin dram=0 dst=spad[0] rows=1 rows=2 cols=1 stride=0"),
            "1: duplicate operand 'rows'");
  EXPECT_EQ(first_error("mvin dram=0 dst=acc[0] rows=1 cols=1 stride=0 i8 i8"), "1: duplicate flag 'i8'");
  EXPECT_EQ(first_error("mvin dram=12z dst=spad[0] rows=1 cols=1 stride=0"), "1: bad number '12z' for dram");
  EXPECT_EQ(first_error("mvin dram= dst=spad[0] rows=1 cols=1 stride=0"), "1: bad number '' for dram");
  EXPECT_EQ(first_error("mvin dram=0x100000000 dst=spad[0] rows=1 cols=1 stride=0"),
            "1: dram=0x100000000 is out of range 0..4294967295");
  EXPECT_EQ(first_error("mvin dram=-1 dst=spad[0] rows=1 cols=1 stride=0"),
            "1: dram=-1 is out of range 0..4294967295");
  EXPECT_EQ(first_error("mvin dram=99999999999999999999999 dst=spad[0] rows=1 cols=1 stride=0"),
            "1: dram=99999999999999999999999 is out of range 0..4294967295");
  EXPECT_EQ(first_error("config.store mult=-2147483649 shift=0 zp=0 min=0 max=0"),
            "1: mult=-2147483649 is out of range -2147483648..4294967295");
  EXPECT_EQ(first_error("mvin dram=0 dst=dram[0] rows=1 cols=1 stride=0"),
            "1: bad local address 'dram[0]' for dst (expected spad[N], acc[N] or acc[N]+)");
  EXPECT_EQ(first_error("mvin dram=0 dst=acc[3 rows=1 cols=1 stride=0"),
            "1: bad local address 'acc[3' for dst (missing ']')");
  EXPECT_EQ(first_error("mvin dram=0 dst=acc[1073741824] rows=1 cols=1 stride=0"),
            "1: dst row=1073741824 is out of range 0..1073741823");
  EXPECT_EQ(first_error("vector.argmax a=acc[0] dst=acc[0] rows=65536 length=1"),
            "1: rows=65536 is out of range 0..65535");
  // What the NPU would reject (illegal_field, local_range), named by operand.
  EXPECT_EQ(first_error("mvin dram=0 dst=spad[0] rows=1 cols=17 stride=0"),
            "1: mvin: invalid cols=17 (illegal_field, word 4)");
  EXPECT_EQ(first_error("mvin dram=0 dst=spad[0] rows=0 cols=1 stride=0"),
            "1: mvin: invalid rows=0 (illegal_field, word 3)");
  EXPECT_EQ(first_error("mvin dram=0 dst=spad[0]+ rows=1 cols=1 stride=0"),
            "1: mvin: invalid dst=spad[0]+ (illegal_field, word 2)");
  EXPECT_EQ(first_error("mvin dram=0 dst=spad[0] rows=1 cols=1 stride=0 i8"),
            "1: mvin: invalid dst=spad[0] (illegal_field, word 2)");
  EXPECT_EQ(first_error("vector.clip a=acc[0] dst=acc[0] rows=1 min=1 max=0 relu"),
            "1: vector.clip: flags not allowed here (illegal_field, word 0)");
  EXPECT_EQ(first_error("vector.exp a=acc[0] dst=acc[0] rows=1 frac=25"),
            "1: vector.exp: invalid frac=25 (illegal_field, word 5)");
  EXPECT_EQ(first_error("vector.softmax a=acc[0] dst=acc[0] rows=1 length=0 frac=8 clip=1"),
            "1: vector.softmax: invalid rows=1, length=0 (illegal_field, word 4)");
  EXPECT_EQ(first_error("matmul a=spad[0] b=spad[16380] c=acc[0] rows=1"),
            "1: matmul: b=spad[16380] runs past the end of the scratchpad (local_range)");
  EXPECT_EQ(first_error(".word 1 2 3"), "1: .word needs 8 values, got 3");
  // Every bad line is reported, with its number.
  const auto a = assemble("nop\nbad1\nfence\nbad2 x\n");
  ASSERT_EQ(a.errors.size(), 2u);
  EXPECT_EQ(a.errors[0].line, 2u);
  EXPECT_EQ(a.errors[1].line, 4u);
}
