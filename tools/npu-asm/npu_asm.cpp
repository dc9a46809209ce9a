#include "tools/npu-asm/npu_asm.h"

#include <cinttypes>
#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>

namespace npu_asm {

using namespace npu_ref;

namespace {

// How an operand is written: a DRAM address (hex), an unsigned or signed number, a local
// address, or one half of the vector's rows/length word.
enum class kind { addr, u32, i32, laddr, rows16, length16 };

struct operand {
  const char* name;
  unsigned word;
  kind k;
};

struct flag_name {
  const char* name;
  std::uint8_t bit;
};

bool vector_uses_b(std::uint8_t f, std::uint8_t flags) {
  return f == fn::add || f == fn::max || f == fn::mul || f == fn::quant ||
         (f == fn::requant && (flags & flag::row_scalar));
}

// The operands of an instruction in canonical order (the word order).
std::vector<operand> operands_of(std::uint8_t opcode, std::uint8_t f, std::uint8_t flags) {
  switch (opcode) {
    case op::config_store:
      return {{"mult", 1, kind::i32},
              {"shift", 2, kind::u32},
              {"zp", 3, kind::i32},
              {"min", 4, kind::i32},
              {"max", 5, kind::i32}};
    case op::mvin:
      return {{"dram", 1, kind::addr},
              {"dst", 2, kind::laddr},
              {"rows", 3, kind::u32},
              {"cols", 4, kind::u32},
              {"stride", 5, kind::u32}};
    case op::mvout:
      return {{"dram", 1, kind::addr},
              {"src", 2, kind::laddr},
              {"rows", 3, kind::u32},
              {"cols", 4, kind::u32},
              {"stride", 5, kind::u32}};
    case op::matmul:
      return {{"a", 1, kind::laddr}, {"b", 2, kind::laddr}, {"c", 3, kind::laddr}, {"rows", 4, kind::u32}};
    case op::gather:
    case op::scatter:
      return {{"index", 1, kind::addr}, {"count", 2, kind::u32},
              {"table", 3, kind::addr}, {"table_rows", 4, kind::u32},
              {"stride", 5, kind::u32}, {opcode == op::gather ? "dst" : "src", 6, kind::laddr},
              {"cols", 7, kind::u32}};
    case op::config_sparse:
      return {{"row_ptr", 1, kind::addr},
              {"col_idx", 2, kind::addr},
              {"values", 3, kind::addr},
              {"b_rows", 4, kind::u32}};
    case op::spmm:
      return {{"b", 1, kind::addr},    {"b_stride", 2, kind::u32}, {"first", 3, kind::u32},
              {"count", 4, kind::u32}, {"dst", 5, kind::laddr},    {"cols", 6, kind::u32}};
    case op::irq:
      return {{"tag", 1, kind::u32}};
    case op::vector: {
      std::vector<operand> v{{"a", 1, kind::laddr}};
      if (vector_uses_b(f, flags)) v.push_back({"b", 2, kind::laddr});
      v.push_back({"dst", 3, kind::laddr});
      v.push_back({"rows", 4, kind::rows16});
      if (fn::is_row(f)) v.push_back({"length", 4, kind::length16});
      switch (f) {
        case fn::mul:
        case fn::shift:
          v.push_back({"shift", 5, kind::u32});
          break;
        case fn::requant:
          if (!(flags & flag::row_scalar)) v.push_back({"m", 5, kind::i32});
          v.push_back({"shift", 6, kind::u32});
          v.push_back({"zp", 7, kind::i32});
          break;
        case fn::clip:
          v.push_back({"min", 5, kind::i32});
          v.push_back({"max", 6, kind::i32});
          break;
        case fn::exp:
        case fn::silu:
        case fn::rmsnorm:
          v.push_back({"frac", 5, kind::u32});
          break;
        case fn::softmax:
          v.push_back({"frac", 5, kind::u32});
          v.push_back({"clip", 6, kind::u32});
          break;
        default:
          break;
      }
      return v;
    }
    default:
      return {};  // nop, fence
  }
}

std::vector<flag_name> flags_of(std::uint8_t opcode) {
  switch (opcode) {
    case op::mvin:
    case op::gather:
      return {{"i8", flag::i8}};
    case op::mvout:
      return {{"raw", flag::raw}};
    case op::matmul:
      return {{"int4", flag::int4}};
    case op::scatter:
      return {{"add", flag::add}};
    case op::vector:
      return {{"relu", flag::relu}, {"row_scalar", flag::row_scalar}};
    default:
      return {};
  }
}

std::string hex32(std::uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08" PRIx32, v);
  return b;
}

std::string format_laddr(std::uint32_t l) {
  std::string s = laddr_is_acc(l) ? "acc[" : "spad[";
  s += std::to_string(laddr_row(l)) + "]";
  if (laddr_accumulates(l)) s += "+";
  return s;
}

std::string format_value(const operand& o, const words& w) {
  const std::uint32_t v = w[o.word];
  switch (o.k) {
    case kind::addr:
      return hex32(v);
    case kind::u32:
      return std::to_string(v);
    case kind::i32:
      return std::to_string(static_cast<std::int32_t>(v));
    case kind::laddr:
      return format_laddr(v);
    case kind::rows16:
      return std::to_string(v & 0xffff);
    case kind::length16:
      return std::to_string(v >> 16);
  }
  return {};
}

std::string dot_word(const words& w) {
  std::string s = ".word";
  for (std::uint32_t v : w) s += " " + hex32(v);
  return s;
}

[[noreturn]] void fail(const std::string& m) { throw std::invalid_argument(m); }

// A number: decimal (optionally negative) or 0x hex, within [lo, hi].
std::int64_t parse_number(const std::string& name, const std::string& text, std::int64_t lo,
                          std::int64_t hi) {
  std::size_t pos = 0;
  bool neg = false;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) neg = text[pos++] == '-';
  int base = 10;
  if (text.compare(pos, 2, "0x") == 0 || text.compare(pos, 2, "0X") == 0) {
    base = 16;
    pos += 2;
  }
  if (pos >= text.size()) fail("bad number '" + text + "' for " + name);
  std::uint64_t v = 0;
  for (; pos < text.size(); ++pos) {
    const char c = text[pos];
    int d = -1;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    if (d < 0) fail("bad number '" + text + "' for " + name);
    v = v * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    if (v > (std::uint64_t{1} << 33))
      fail(name + "=" + text + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  const std::int64_t s = neg ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
  if (s < lo || s > hi)
    fail(name + "=" + text + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
  return s;
}

std::uint32_t parse_laddr(const std::string& name, const std::string& text) {
  std::string t = text;
  bool accumulate = false;
  if (!t.empty() && t.back() == '+') {
    accumulate = true;
    t.pop_back();
  }
  bool is_acc;
  if (t.compare(0, 4, "acc[") == 0) {
    is_acc = true;
    t = t.substr(4);
  } else if (t.compare(0, 5, "spad[") == 0) {
    is_acc = false;
    t = t.substr(5);
  } else {
    fail("bad local address '" + text + "' for " + name + " (expected spad[N], acc[N] or acc[N]+)");
  }
  if (t.empty() || t.back() != ']') fail("bad local address '" + text + "' for " + name + " (missing ']')");
  t.pop_back();
  const auto row = static_cast<std::uint32_t>(parse_number(name + " row", t, 0, laddr_row_mask));
  return (is_acc ? laddr_acc_bit : 0) | (accumulate ? laddr_accumulate_bit : 0) | row;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string tok;
  while (in >> tok) out.push_back(tok);
  return out;
}

// Explains a static error in terms of the source's operand names.
std::string explain(const fault& f, std::uint8_t opcode, std::uint8_t funct, std::uint8_t flags,
                    const words& w) {
  const auto ops = operands_of(opcode, funct, flags);
  if (f.code == error::illegal_field) {
    if (f.info == 0) return "flags not allowed here (illegal_field, word 0)";
    std::string names;
    for (const auto& o : ops)
      if (o.word == f.info)
        names += std::string(names.empty() ? "" : ", ") + o.name + "=" + format_value(o, w);
    if (names.empty()) return "word " + std::to_string(f.info) + " must be 0 (illegal_field)";
    return "invalid " + names + " (illegal_field, word " + std::to_string(f.info) + ")";
  }
  if (f.code == error::local_range) {
    for (const auto& o : ops)
      if (o.k == kind::laddr && w[o.word] == f.info)
        return std::string(o.name) + "=" + format_laddr(f.info) + " runs past the end of the " +
               (laddr_is_acc(f.info) ? "accumulator" : "scratchpad") + " (local_range)";
  }
  return to_string(f);
}

std::string strip_comment(const std::string& line) {
  const auto hash = line.find('#');
  return hash == std::string::npos ? line : line.substr(0, hash);
}

}  // namespace

bool assemble_line(const std::string& raw, words& out) {
  const auto tokens = split(strip_comment(raw));
  if (tokens.empty()) return false;
  out = words{};
  const std::string& mn = tokens[0];
  if (mn == ".word") {
    if (tokens.size() != 9) fail(".word needs 8 values, got " + std::to_string(tokens.size() - 1));
    for (unsigned k = 0; k < 8; ++k)
      out[k] = static_cast<std::uint32_t>(parse_number(".word value", tokens[k + 1], 0, 0xffffffffll));
    return true;
  }
  std::uint8_t opcode = 0xff, funct = 0;
  if (mn.compare(0, 7, "vector.") == 0) {
    opcode = op::vector;
    bool found = false;
    for (unsigned f = 0; f < 256 && !found; ++f)
      if (const char* n = funct_name(static_cast<std::uint8_t>(f)); n && mn.substr(7) == n) {
        funct = static_cast<std::uint8_t>(f);
        found = true;
      }
    if (!found) fail("unknown vector funct '" + mn.substr(7) + "'");
  } else {
    for (unsigned o = 0; o <= op::last; ++o)
      if (o != op::vector && mn == mnemonic(static_cast<std::uint8_t>(o)))
        opcode = static_cast<std::uint8_t>(o);
    if (opcode == 0xff) fail("unknown mnemonic '" + mn + "'");
  }
  // Flags first: they decide which operands exist (requant with row_scalar has b, not m).
  std::uint8_t flags = 0;
  std::map<std::string, std::string> values;
  const auto known_flags = flags_of(opcode);
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    const auto eq = tokens[i].find('=');
    if (eq == std::string::npos) {
      bool found = false;
      for (const auto& f : known_flags)
        if (tokens[i] == f.name) {
          if (flags & f.bit) fail("duplicate flag '" + tokens[i] + "'");
          flags |= f.bit;
          found = true;
        }
      if (!found) {
        std::string list;
        for (const auto& f : known_flags) list += std::string(list.empty() ? "" : ", ") + f.name;
        fail("unknown flag '" + tokens[i] + "' for " + mn +
             (list.empty() ? " (it has none)" : " (flags: " + list + ")"));
      }
      continue;
    }
    const std::string key = tokens[i].substr(0, eq);
    if (values.count(key)) fail("duplicate operand '" + key + "'");
    values[key] = tokens[i].substr(eq + 1);
  }
  const auto ops = operands_of(opcode, funct, flags);
  for (const auto& [key, text] : values) {
    bool found = false;
    for (const auto& o : ops) found = found || key == o.name;
    if (!found) {
      std::string list;
      for (const auto& o : ops) list += std::string(list.empty() ? "" : ", ") + o.name;
      fail("unknown operand '" + key + "' for " + mn +
           (list.empty() ? " (it has none)" : " (operands: " + list + ")"));
    }
  }
  for (const auto& o : ops) {
    const auto it = values.find(o.name);
    if (it == values.end()) fail("missing operand '" + std::string(o.name) + "'");
    const std::string& t = it->second;
    switch (o.k) {
      case kind::addr:
      case kind::u32:
        out[o.word] = static_cast<std::uint32_t>(parse_number(o.name, t, 0, 0xffffffffll));
        break;
      case kind::i32:
        out[o.word] = static_cast<std::uint32_t>(parse_number(o.name, t, INT32_MIN, 0xffffffffll));
        break;
      case kind::laddr:
        out[o.word] = parse_laddr(o.name, t);
        break;
      case kind::rows16:
        out[o.word] |= static_cast<std::uint32_t>(parse_number(o.name, t, 0, 0xffff));
        break;
      case kind::length16:
        out[o.word] |= static_cast<std::uint32_t>(parse_number(o.name, t, 0, 0xffff)) << 16;
        break;
    }
  }
  out[0] = opcode | (std::uint32_t{flags} << 8) | (std::uint32_t{funct} << 16);
  if (const fault f = check_static(out)) fail(mn + ": " + explain(f, opcode, funct, flags, out));
  return true;
}

assembly assemble(const std::string& text) {
  assembly a;
  std::istringstream in(text);
  std::string line;
  unsigned n = 0;
  while (std::getline(in, line)) {
    ++n;
    try {
      words w;
      if (assemble_line(line, w)) a.program.push_back(w);
    } catch (const std::invalid_argument& e) {
      a.errors.push_back({n, e.what()});
    }
  }
  return a;
}

std::string disassemble(const words& w) {
  if (const fault f = check_static(w)) {
    const auto opcode = static_cast<std::uint8_t>(w[0]);
    std::string why = f.code == error::illegal_opcode
                          ? "illegal_opcode 0x" + hex32(opcode).substr(8)
                          : explain(f, opcode, static_cast<std::uint8_t>(w[0] >> 16),
                                    static_cast<std::uint8_t>(w[0] >> 8), w);
    if (f.code != error::illegal_opcode && mnemonic(opcode)) {
      const std::string m = opcode == op::vector && funct_name(static_cast<std::uint8_t>(w[0] >> 16))
                                ? std::string("vector.") + funct_name(static_cast<std::uint8_t>(w[0] >> 16))
                                : mnemonic(opcode);
      why = m + ": " + why;
    }
    return dot_word(w) + "  # " + why;
  }
  const instruction i = instruction::decode(w);
  std::string s = i.opcode == op::vector ? std::string("vector.") + funct_name(i.funct) : mnemonic(i.opcode);
  for (const auto& o : operands_of(i.opcode, i.funct, i.flags))
    s += std::string(" ") + o.name + "=" + format_value(o, w);
  for (const auto& f : flags_of(i.opcode))
    if (i.flags & f.bit) s += std::string(" ") + f.name;
  return s;
}

std::string disassemble(const std::vector<std::uint8_t>& bytes, std::string* error) {
  std::string out;
  const std::size_t n = bytes.size() / 32;
  for (std::size_t i = 0; i < n; ++i) {
    words w;
    for (unsigned k = 0; k < 8; ++k) {
      const std::uint8_t* p = &bytes[32 * i + 4 * k];
      w[k] = p[0] | (p[1] << 8) | (p[2] << 16) | (std::uint32_t{p[3]} << 24);
    }
    out += disassemble(w) + "\n";
  }
  if (error) {
    error->clear();
    if (bytes.size() % 32)
      *error = "input size " + std::to_string(bytes.size()) + " is not a multiple of 32 bytes (" +
               std::to_string(bytes.size() % 32) + " trailing bytes not disassembled)";
  }
  return out;
}

std::vector<std::uint8_t> to_bytes(const std::vector<words>& program) {
  std::vector<std::uint8_t> b;
  b.reserve(program.size() * 32);
  for (const words& w : program)
    for (std::uint32_t v : w)
      for (unsigned s = 0; s < 32; s += 8) b.push_back(static_cast<std::uint8_t>(v >> s));
  return b;
}

}  // namespace npu_asm
