#include "tools/trace-sim/trace.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <istream>
#include <ostream>
#include <sstream>

namespace nvr::trace {

void trace::add(std::uint64_t address, std::uint32_t size, bool is_write, std::uint64_t instruction_id,
                const std::vector<std::int64_t>& record_values) {
  record r;
  r.address = address;
  r.size = size;
  r.is_write = is_write;
  r.instruction_id = instruction_id;
  r.value_offset = static_cast<std::uint32_t>(values.size());
  r.value_count = static_cast<std::uint32_t>(record_values.size());
  values.insert(values.end(), record_values.begin(), record_values.end());
  records.push_back(r);
}

void trace::add(record r, const std::int64_t* record_values, std::uint32_t count) {
  r.value_offset = static_cast<std::uint32_t>(values.size());
  r.value_count = count;
  values.insert(values.end(), record_values, record_values + count);
  records.push_back(r);
}

format parse_format(const std::string& text) {
  if (text == "auto") return format::automatic;
  if (text == "text") return format::text;
  if (text == "binary") return format::binary;
  throw std::invalid_argument("'" + text + "' is not a trace format (auto, text, binary)");
}

namespace {

constexpr std::uint32_t max_size = 1u << 20;

[[noreturn]] void fail_line(const std::string& source, std::uint64_t line, const std::string& what) {
  throw trace_error(source + ":" + std::to_string(line) + ": " + what);
}

// An unsigned integer, decimal or 0x hexadecimal, the whole token.
bool parse_unsigned(const std::string& token, std::uint64_t& v) {
  if (token.empty() || token[0] == '-' || token[0] == '+') return false;
  errno = 0;
  char* end = nullptr;
  const bool hex = token.size() > 2 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X');
  v = std::strtoull(token.c_str(), &end, hex ? 16 : 10);
  return errno == 0 && end == token.c_str() + token.size();
}

bool parse_signed(const std::string& token, std::int64_t& v) {
  if (token.empty()) return false;
  const bool negative = token[0] == '-';
  std::uint64_t magnitude = 0;
  if (!parse_unsigned(negative ? token.substr(1) : token, magnitude)) return false;
  if (negative) {
    if (magnitude > (std::uint64_t{1} << 63)) return false;
    v = static_cast<std::int64_t>(0 - magnitude);
  } else {
    if (magnitude > static_cast<std::uint64_t>(INT64_MAX)) return false;
    v = static_cast<std::int64_t>(magnitude);
  }
  return true;
}

}  // namespace

trace read_text(std::istream& in, const std::string& source) {
  trace t;
  std::string text;
  std::uint64_t number = 0;
  std::vector<std::int64_t> vals;
  while (std::getline(in, text)) {
    ++number;
    const auto hash = text.find('#');
    if (hash != std::string::npos) text.resize(hash);
    std::istringstream line(text);
    std::string op;
    if (!(line >> op)) continue;  // blank or comment
    record rec;
    if (op[0] == '@') {
      if (!parse_unsigned(op.substr(1), rec.time)) fail_line(source, number, "bad time '" + op + "'");
      t.timed = true;
      if (!(line >> op)) fail_line(source, number, "missing operation after the time");
    }
    if (op == "R" || op == "r") {
      rec.is_write = false;
    } else if (op == "W" || op == "w") {
      rec.is_write = true;
    } else if (op == "F" || op == "f") {
      rec.fetch = true;
    } else {
      fail_line(source, number, "unknown operation '" + op + "' (expected R, W or F)");
    }
    std::string token;
    std::uint64_t address = 0, size = 0, insn = 0;
    if (!(line >> token)) fail_line(source, number, "missing address");
    if (!parse_unsigned(token, address)) fail_line(source, number, "bad address '" + token + "'");
    if (!(line >> token)) fail_line(source, number, "missing size");
    if (!parse_unsigned(token, size) || size == 0 || size > max_size)
      fail_line(source, number, "bad size '" + token + "' (1 to " + std::to_string(max_size) + " bytes)");
    if (address + size < address) fail_line(source, number, "access wraps around the address space");
    if (line >> token) {
      if (!parse_unsigned(token, insn)) fail_line(source, number, "bad instruction id '" + token + "'");
    }
    vals.clear();
    while (line >> token) {
      std::int64_t v = 0;
      if (!parse_signed(token, v)) fail_line(source, number, "bad value '" + token + "'");
      vals.push_back(v);
    }
    if (!vals.empty() && size % vals.size() != 0)
      fail_line(
          source, number,
          std::to_string(vals.size()) + " values do not divide the size " + std::to_string(size) + " evenly");
    rec.address = address;
    rec.size = static_cast<std::uint32_t>(size);
    rec.instruction_id = insn;
    t.add(rec, vals.data(), static_cast<std::uint32_t>(vals.size()));
  }
  if (in.bad()) throw trace_error(source + ": read error");
  return t;
}

namespace {

template <typename T>
T get_le(const unsigned char* p) {
  T v = 0;
  for (unsigned i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>(p[i]) << (8 * i));
  return v;
}

template <typename T>
void put_le(std::ostream& out, T v) {
  unsigned char b[sizeof(T)];
  for (unsigned i = 0; i < sizeof(T); ++i)
    b[i] = static_cast<unsigned char>(static_cast<std::uint64_t>(v) >> (8 * i));
  out.write(reinterpret_cast<const char*>(b), sizeof(T));
}

constexpr std::size_t header_bytes = 16;
constexpr std::size_t record_bytes(std::uint32_t version) { return version >= 2 ? 32 : 24; }
enum : std::uint8_t { op_read = 0, op_write = 1, op_fetch = 2 };

void write_binary_header(std::ostream& out, std::uint32_t version) {
  out.write(binary_magic, sizeof binary_magic);
  put_le<std::uint32_t>(out, version);
  put_le<std::uint32_t>(out, 0);
}

void write_binary_record(std::ostream& out, const record& r, const std::int64_t* vals,
                         std::uint32_t version) {
  put_le<std::uint8_t>(out, r.fetch ? op_fetch : r.is_write ? op_write : op_read);
  put_le<std::uint8_t>(out, 0);
  put_le<std::uint16_t>(out, static_cast<std::uint16_t>(r.value_count));
  put_le<std::uint32_t>(out, r.size);
  put_le<std::uint64_t>(out, r.address);
  put_le<std::uint64_t>(out, r.instruction_id);
  if (version >= 2) put_le<std::uint64_t>(out, r.time);
  for (std::uint32_t i = 0; i < r.value_count; ++i)
    put_le<std::uint64_t>(out, static_cast<std::uint64_t>(vals[i]));
}

void write_text_record(std::ostream& out, const record& r, const std::int64_t* vals, bool timed) {
  if (timed) out << '@' << r.time << ' ';
  out << (r.fetch      ? 'F'
          : r.is_write ? 'W'
                       : 'R')
      << " 0x" << std::hex << r.address << std::dec << ' ' << r.size << ' ' << r.instruction_id;
  for (std::uint32_t i = 0; i < r.value_count; ++i) out << ' ' << vals[i];
  out << '\n';
}

}  // namespace

trace read_binary(std::istream& in, const std::string& source) {
  std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw trace_error(source + ": read error");
  if (data.size() < header_bytes || std::memcmp(data.data(), binary_magic, sizeof binary_magic) != 0)
    throw trace_error(source + ": not a binary nvr trace (no NVRTRACE header)");
  const auto version = get_le<std::uint32_t>(&data[8]);
  if (version < 1 || version > binary_version)
    throw trace_error(source + ": binary trace version " + std::to_string(version) +
                      " (this reader knows 1 to " + std::to_string(binary_version) + ")");
  const std::size_t fixed = record_bytes(version);
  trace t;
  t.timed = version >= 2;
  std::size_t pos = header_bytes;
  std::uint64_t number = 0;
  std::vector<std::int64_t> vals;
  while (pos < data.size()) {
    ++number;
    const std::string where =
        source + ": record " + std::to_string(number) + " at byte " + std::to_string(pos) + ": ";
    if (data.size() - pos < fixed) throw trace_error(where + "truncated");
    const unsigned char* p = &data[pos];
    const std::uint8_t op = p[0];
    const auto count = get_le<std::uint16_t>(p + 2);
    const auto size = get_le<std::uint32_t>(p + 4);
    const auto address = get_le<std::uint64_t>(p + 8);
    const auto insn = get_le<std::uint64_t>(p + 16);
    if (op > op_fetch)
      throw trace_error(where + "unknown operation " + std::to_string(op) + " (0 read, 1 write, 2 fetch)");
    if (p[1] != 0) throw trace_error(where + "reserved byte is not zero");
    if (size == 0 || size > max_size) throw trace_error(where + "bad size " + std::to_string(size));
    if (address + size < address) throw trace_error(where + "access wraps around the address space");
    if (count && size % count != 0) throw trace_error(where + "values do not divide the size evenly");
    record rec;
    rec.address = address;
    rec.size = size;
    rec.is_write = op == op_write;
    rec.fetch = op == op_fetch;
    rec.instruction_id = insn;
    if (version >= 2) rec.time = get_le<std::uint64_t>(p + 24);
    pos += fixed;
    if ((data.size() - pos) / 8 < count) throw trace_error(where + "truncated values");
    vals.resize(count);
    for (unsigned i = 0; i < count; ++i, pos += 8)
      vals[i] = static_cast<std::int64_t>(get_le<std::uint64_t>(&data[pos]));
    t.add(rec, vals.data(), count);
  }
  return t;
}

trace read_file(const std::string& path, format f) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw trace_error(path + ": cannot open (" + std::strerror(errno) + ")");
  if (f == format::automatic) {
    char head[sizeof binary_magic] = {};
    in.read(head, sizeof head);
    f = in.gcount() == sizeof head && std::memcmp(head, binary_magic, sizeof head) == 0 ? format::binary
                                                                                        : format::text;
    in.clear();
    in.seekg(0);
  }
  return f == format::binary ? read_binary(in, path) : read_text(in, path);
}

void write_text(std::ostream& out, const trace& t) {
  for (const record& r : t.records) write_text_record(out, r, t.values.data() + r.value_offset, t.timed);
}

void write_binary(std::ostream& out, const trace& t) {
  const std::uint32_t version = t.timed ? 2 : 1;
  write_binary_header(out, version);
  for (const record& r : t.records) write_binary_record(out, r, t.values.data() + r.value_offset, version);
}

file_writer::file_writer(const std::string& path, format f, bool timed, const std::string& comment)
    : m_path(path) {
  const bool bin_name = path.size() >= 4 && path.compare(path.size() - 4, 4, ".bin") == 0;
  m_binary = f == format::binary || (f == format::automatic && bin_name);
  m_timed = m_binary || timed;
  m_out = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
  if (!*m_out) throw trace_error(path + ": cannot create (" + std::strerror(errno) + ")");
  if (m_binary)
    write_binary_header(*m_out, binary_version);
  else if (!comment.empty())
    *m_out << "# " << comment << '\n';
}

file_writer::~file_writer() = default;

void file_writer::add(const record& r, const std::int64_t* record_values) {
  if (m_binary)
    write_binary_record(*m_out, r, record_values, binary_version);
  else
    write_text_record(*m_out, r, record_values, m_timed);
  ++m_records;
}

std::string file_writer::close() {
  if (!m_out) return {};
  m_out->close();
  const bool ok = !m_out->fail();
  m_out.reset();
  return ok ? std::string() : m_path + ": write error";
}

trace_values::trace_values(const trace& t) {
  std::size_t elements = 0;
  for (const record& r : t.records) elements += r.value_count;
  std::size_t capacity = 16;
  unsigned bits = 4;
  while (capacity < 2 * elements) {
    capacity *= 2;
    ++bits;
  }
  m_slots.assign(capacity, slot{});
  m_shift = 64 - bits;
  const std::size_t mask = capacity - 1;
  for (const record& r : t.records) {
    if (!r.value_count) continue;
    const std::uint32_t elem = r.size / r.value_count;
    for (std::uint32_t i = 0; i < r.value_count; ++i) {
      const std::uint64_t address = r.address + std::uint64_t{i} * elem;
      std::size_t at = home(address);
      while (m_slots[at].address != empty && m_slots[at].address != address) at = (at + 1) & mask;
      if (m_slots[at].address == empty) ++m_size;
      m_slots[at] = slot{address, t.values[r.value_offset + i]};
    }
  }
}

bool trace_values::read(std::uint64_t address, std::uint32_t bytes, std::int64_t& value) const {
  (void)bytes;
  const std::size_t mask = m_slots.size() - 1;
  for (std::size_t at = home(address);; at = (at + 1) & mask) {
    if (m_slots[at].address == address) {
      value = m_slots[at].value;
      return true;
    }
    if (m_slots[at].address == empty) return false;
  }
}

}  // namespace nvr::trace
