// Address traces for the memory hierarchy: the record, the documented text and binary formats
// (README.md), and the functional values a trace carries (index-load data for IMP and NVR).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

#include "ip/cache/memory_types.h"
#include "ip/prefetch/prefetcher.h"

namespace nvr::trace {

struct record {
  std::uint64_t address = 0;
  std::uint64_t instruction_id = 0;
  std::uint32_t size = 0;
  bool is_write = false;
  std::uint32_t value_offset = 0;  // into trace::values
  std::uint32_t value_count = 0;
};

struct trace {
  std::vector<record> records;
  std::vector<std::int64_t> values;

  void add(std::uint64_t address, std::uint32_t size, bool is_write, std::uint64_t instruction_id = 0,
           const std::vector<std::int64_t>& record_values = {});
  // Inline: the replay loop builds one per access.
  mem::request request_of(const record& r) const {
    mem::request q;
    q.address = r.address;
    q.size = r.size;
    q.is_write = r.is_write;
    q.instruction_id = r.instruction_id;
    if (r.value_count) {
      q.values = &values[r.value_offset];
      q.value_count = r.value_count;
    }
    return q;
  }
};

// A malformed or unreadable trace; what() names the file and the line (text) or record (binary).
class trace_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class format { automatic, text, binary };
format parse_format(const std::string& text);  // "auto", "text", "binary"; std::invalid_argument

inline constexpr char binary_magic[8] = {'N', 'V', 'R', 'T', 'R', 'A', 'C', 'E'};
inline constexpr std::uint32_t binary_version = 1;

// `source` names the input in messages.
trace read_text(std::istream& in, const std::string& source);
trace read_binary(std::istream& in, const std::string& source);
trace read_file(const std::string& path, format f = format::automatic);
void write_text(std::ostream& out, const trace& t);
void write_binary(std::ostream& out, const trace& t);

// The values a trace's index loads returned, by element address: a value_source for
// prefetchers that read memory (IMP reads future indices). The last value seen for an address
// wins. IMP reads it on its hot path, so it is a flat open-addressed table (linear probing, at
// most half full) rather than a node-based map.
class trace_values final : public mem::value_source {
 public:
  explicit trace_values(const trace& t);
  bool read(std::uint64_t address, std::uint32_t bytes, std::int64_t& value) const override;
  std::size_t size() const { return m_size; }

 private:
  // No element starts at the last byte address (records may not wrap), so it marks empty slots.
  static constexpr std::uint64_t empty = ~std::uint64_t{0};
  struct slot {
    std::uint64_t address = empty;
    std::int64_t value = 0;
  };
  std::size_t home(std::uint64_t address) const {
    return static_cast<std::size_t>((address * 0x9e3779b97f4a7c15ull) >> m_shift);
  }
  std::vector<slot> m_slots;
  unsigned m_shift = 64;
  std::size_t m_size = 0;
};

}  // namespace nvr::trace
