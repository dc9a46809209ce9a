// NPU assembly text <-> binary command streams (32 bytes per instruction). Syntax:
// tools/npu-asm/README.md. Encoding and validity come from the reference (workloads/ref).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/ref/isa.h"

namespace npu_asm {

struct diagnostic {
  unsigned line;        // 1-based
  std::string message;  // without the line number
};

struct assembly {
  std::vector<npu_ref::words> program;
  std::vector<diagnostic> errors;  // empty: success
};

// Assembles a whole text; every bad line gives one diagnostic (assembly continues past it).
assembly assemble(const std::string& text);
// One line (no comment stripping needed, but allowed); throws std::invalid_argument with the
// message on a bad line; returns false for an empty or comment-only line.
bool assemble_line(const std::string& line, npu_ref::words& out);

// Canonical text of one instruction; an invalid one (any static error) as a `.word` line with a
// comment naming the error.
std::string disassemble(const npu_ref::words& w);
// A whole binary stream; `error` is set when its size is not a multiple of 32 bytes (the
// complete instructions are still disassembled).
std::string disassemble(const std::vector<std::uint8_t>& bytes, std::string* error = nullptr);

std::vector<std::uint8_t> to_bytes(const std::vector<npu_ref::words>& program);

}  // namespace npu_asm
