// Address traces for the memory hierarchy: the record, the documented text and binary formats
// (README.md), and the functional values a trace carries (index-load data for IMP and NVR).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ip/cache/memory_types.h"
#include "ip/prefetch/prefetcher.h"

namespace nvr::trace {

struct record {
  std::uint64_t address = 0;
  std::uint64_t instruction_id = 0;
  mem::time_ps time = 0;  // issue time in the recorded run (timed traces; 0 otherwise)
  std::uint32_t size = 0;
  bool is_write = false;
  bool fetch = false;              // a read that enters at the L2, bypassing the NSB (op F)
  std::uint32_t value_offset = 0;  // into trace::values
  std::uint32_t value_count = 0;
};

struct trace {
  std::vector<record> records;
  std::vector<std::int64_t> values;
  bool timed = false;  // the records carry issue times (@TIME in text, binary version 2)

  void add(std::uint64_t address, std::uint32_t size, bool is_write, std::uint64_t instruction_id = 0,
           const std::vector<std::int64_t>& record_values = {});
  // `r` with `count` values from `record_values` (its value_offset and value_count are replaced).
  void add(record r, const std::int64_t* record_values, std::uint32_t count);
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
inline constexpr std::uint32_t binary_version = 2;  // 1: untimed records, 2: with issue times

// `source` names the input in messages.
trace read_text(std::istream& in, const std::string& source);
trace read_binary(std::istream& in, const std::string& source);
trace read_file(const std::string& path, format f = format::automatic);
void write_text(std::ostream& out, const trace& t);
// Version 2 when the trace is timed, else version 1.
void write_binary(std::ostream& out, const trace& t);

// Writes records to a file as they come, without keeping them (a recorded run can be long).
class file_writer {
 public:
  // format::automatic picks binary for a name ending in ".bin", text otherwise. Binary files are
  // timed (version 2); text lines carry @TIME when `timed`. `comment` heads a text file.
  // trace_error when the file cannot be created.
  file_writer(const std::string& path, format f, bool timed, const std::string& comment = {});
  ~file_writer();
  file_writer(const file_writer&) = delete;
  file_writer& operator=(const file_writer&) = delete;

  // `r`'s value_offset is ignored: its value_count values are `record_values`.
  void add(const record& r, const std::int64_t* record_values);
  // Flushes and closes; an error message naming the file, or empty.
  std::string close();
  std::uint64_t records() const { return m_records; }
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  std::unique_ptr<std::ofstream> m_out;
  bool m_binary, m_timed;
  std::uint64_t m_records = 0;
};

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
