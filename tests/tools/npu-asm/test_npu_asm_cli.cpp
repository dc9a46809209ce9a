// nvr-npu-asm and nvr-npu-disasm as programs: files and pipes, exit codes, messages.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "tools/npu-asm/npu_asm.h"

namespace {

struct result {
  int code;
  std::string output;  // standard output and standard error
};

result run(const std::string& command) {
  result r{-1, {}};
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, p)) > 0) r.output.append(buffer, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string temp(const std::string& name) { return ::testing::TempDir() + "npu_asm_" + name; }

std::string write_file(const std::string& name, const std::string& data) {
  const std::string path = temp(name);
  std::ofstream(path, std::ios::binary) << data;
  return path;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string asm_ = NVR_NPU_ASM, disasm = NVR_NPU_DISASM;

const char* program =
    "# GEMM tile\n"
    "config.store mult=3 shift=2 zp=1 min=-128 max=127\n"
    "mvin dram=0x80000000 dst=spad[0] rows=16 cols=16 stride=16\n"
    "mvin dram=0x80000100 dst=spad[16] rows=16 cols=16 stride=16\n"
    "matmul a=spad[0] b=spad[16] c=acc[0] rows=16\n"
    "mvout dram=0x80000200 src=acc[0] rows=16 cols=16 stride=16\n"
    "fence\n"
    "irq tag=1\n";

}  // namespace

TEST(NpuAsmCli, AssembleThenDisassembleRoundTrips) {
  const std::string src = write_file("gemm.s", program), bin = temp("gemm.bin"), back = temp("gemm.back.s");
  result r = run(asm_ + " -o " + bin + " " + src);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output, "");
  EXPECT_EQ(slurp(bin).size(), 7u * 32u);
  r = run(disasm + " -o " + back + " " + bin);
  ASSERT_EQ(r.code, 0) << r.output;
  std::string want = program;
  want = want.substr(want.find('\n') + 1);  // the comment is not kept
  EXPECT_EQ(slurp(back), want);
  // The same through -d and standard input/output.
  r = run("cat " + bin + " | " + asm_ + " -d -");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.output, want);
  r = run(asm_ + " - < " + src + " | cmp - " + bin);
  EXPECT_EQ(r.code, 0) << r.output;
}

TEST(NpuAsmCli, AssemblyErrorsAreLineNumberedAndWriteNothing) {
  const std::string src = write_file("bad.s", "nop\nmvin dram=0 dst=spad[0] rows=1 cols=99 stride=0\nfrob\n");
  const std::string bin = temp("bad.bin");
  std::remove(bin.c_str());
  const result r = run(asm_ + " -o " + bin + " " + src);
  EXPECT_EQ(r.code, 65);
  EXPECT_EQ(r.output, src + ":2: error: mvin: invalid cols=99 (illegal_field, word 4)\n" + src +
                          ":3: error: unknown mnemonic 'frob'\n");
  EXPECT_FALSE(std::ifstream(bin).good());
}

TEST(NpuAsmCli, InvalidBinaryIsShownNotFatal) {
  std::string bytes(64, '\0');
  bytes[32] = 0x42;  // an undefined opcode
  const std::string bin = write_file("odd.bin", bytes + "xyz");
  const result r = run(disasm + " " + bin);
  EXPECT_EQ(r.code, 65);
  EXPECT_NE(r.output.find("nop\n.word 0x00000042"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("# illegal_opcode 0x42"), std::string::npos);
  EXPECT_NE(r.output.find("error: input size 67 is not a multiple of 32 bytes"), std::string::npos);
  // The .word lines assemble back to the same bytes.
  const std::string text = write_file("odd.s", run(disasm + " " + write_file("even.bin", bytes)).output);
  const result back = run(asm_ + " " + text + " | cmp - " + temp("even.bin"));
  EXPECT_EQ(back.code, 0) << back.output;
}

TEST(NpuAsmCli, UsageErrors) {
  result r = run(asm_);
  EXPECT_EQ(r.code, 64);
  EXPECT_NE(r.output.find("no input file given"), std::string::npos);
  r = run(asm_ + " --bogus x");
  EXPECT_EQ(r.code, 64);
  r = run(asm_ + " /nonexistent/file.s");
  EXPECT_EQ(r.code, 66);
  EXPECT_NE(r.output.find("cannot read '/nonexistent/file.s'"), std::string::npos);
  r = run(asm_ + " -o /nonexistent/dir/x.bin " + write_file("ok.s", "nop\n"));
  EXPECT_EQ(r.code, 73);
  r = run(asm_ + " --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.output.find("Usage: nvr-npu-asm"), std::string::npos);
  r = run(disasm + " --help");
  EXPECT_NE(r.output.find("Binary NPU command stream to assembly text"), std::string::npos);
}
