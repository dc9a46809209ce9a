// The trace formats: text lines, comments, values, every kind of malformed line (with its line
// number), the binary format's round trip and its errors.
#include <gtest/gtest.h>

#include <sstream>

#include "tools/trace-sim/trace.h"

using namespace nvr::trace;

namespace {
std::string error_of(const std::string& text) {
  std::istringstream in(text);
  try {
    read_text(in, "t.txt");
  } catch (const trace_error& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST(TraceText, ParsesRecordsCommentsAndValues) {
  std::istringstream in(
      "# header comment\n"
      "\n"
      "R 0x1000 64\n"
      "w 4096 8 7   # trailing comment\n"
      "R 0x2000 16 0x11 1 -2 0x3 4\n");
  const trace t = read_text(in, "t.txt");
  ASSERT_EQ(t.records.size(), 3u);
  EXPECT_EQ(t.records[0].address, 0x1000u);
  EXPECT_EQ(t.records[0].size, 64u);
  EXPECT_FALSE(t.records[0].is_write);
  EXPECT_EQ(t.records[0].instruction_id, 0u);
  EXPECT_TRUE(t.records[1].is_write);
  EXPECT_EQ(t.records[1].address, 4096u);
  EXPECT_EQ(t.records[1].instruction_id, 7u);
  EXPECT_EQ(t.records[2].instruction_id, 0x11u);
  ASSERT_EQ(t.records[2].value_count, 4u);
  const auto r = t.request_of(t.records[2]);
  EXPECT_EQ(r.values[0], 1);
  EXPECT_EQ(r.values[1], -2);
  EXPECT_EQ(r.values[2], 3);
  EXPECT_EQ(r.values[3], 4);
}

TEST(TraceText, MalformedLinesNameTheLine) {
  EXPECT_EQ(error_of("R 0x10 4\nX 0x10 4\n"), "t.txt:2: unknown operation 'X' (expected R or W)");
  EXPECT_EQ(error_of("R\n"), "t.txt:1: missing address");
  EXPECT_EQ(error_of("\n\nR 0xZZ 4\n"), "t.txt:3: bad address '0xZZ'");
  EXPECT_EQ(error_of("R 0x10\n"), "t.txt:1: missing size");
  EXPECT_EQ(error_of("R 0x10 0\n"), "t.txt:1: bad size '0' (1 to 1048576 bytes)");
  EXPECT_EQ(error_of("R 0x10 -4\n"), "t.txt:1: bad size '-4' (1 to 1048576 bytes)");
  EXPECT_EQ(error_of("R 0x10 4 pc\n"), "t.txt:1: bad instruction id 'pc'");
  EXPECT_EQ(error_of("R 0x10 4 1 x\n"), "t.txt:1: bad value 'x'");
  EXPECT_EQ(error_of("R 0x10 4 1 1 2 3\n"), "t.txt:1: 3 values do not divide the size 4 evenly");
  EXPECT_EQ(error_of("R 0xffffffffffffffff 4\n"), "t.txt:1: access wraps around the address space");
  EXPECT_EQ(error_of("R 0x1ffffffffffffffff 4\n"), "t.txt:1: bad address '0x1ffffffffffffffff'");
}

TEST(TraceBinary, RoundTripsTheText) {
  trace t;
  t.add(0x80000000, 64, false, 1);
  t.add(0x80000040, 8, true, 2);
  t.add(0x1000, 16, false, 3, {5, -6, 7, 8});
  std::stringstream bin;
  write_binary(bin, t);
  const trace u = read_binary(bin, "t.bin");
  std::stringstream a, b;
  write_text(a, t);
  write_text(b, u);
  EXPECT_EQ(a.str(), b.str());
  EXPECT_EQ(a.str(), "R 0x80000000 64 1\nW 0x80000040 8 2\nR 0x1000 16 3 5 -6 7 8\n");
  std::istringstream again(a.str());
  std::stringstream c;
  write_text(c, read_text(again, "again"));
  EXPECT_EQ(c.str(), a.str());
}

TEST(TraceBinary, ErrorsNameTheRecord) {
  trace t;
  t.add(0x1000, 64, false, 1);
  t.add(0x2000, 16, false, 3, {5, 6});
  std::stringstream bin;
  write_binary(bin, t);
  const std::string good = bin.str();
  auto error_of_bytes = [](const std::string& bytes) -> std::string {
    std::istringstream in(bytes);
    try {
      read_binary(in, "t.bin");
    } catch (const trace_error& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error_of_bytes(good.substr(0, good.size() - 4)), "t.bin: record 2 at byte 40: truncated values");
  EXPECT_EQ(error_of_bytes(good.substr(0, 30)), "t.bin: record 1 at byte 16: truncated");
  std::string bad_op = good;
  bad_op[40] = 9;
  EXPECT_EQ(error_of_bytes(bad_op), "t.bin: record 2 at byte 40: unknown operation 9 (0 read, 1 write)");
  EXPECT_EQ(error_of_bytes("hello"), "t.bin: not a binary nvr trace (no NVRTRACE header)");
  std::string version = good;
  version[8] = 2;
  EXPECT_EQ(error_of_bytes(version), "t.bin: binary trace version 2 (this reader knows 1)");
}

TEST(TraceValues, IndexValuesByElementAddress) {
  trace t;
  t.add(0x1000, 16, false, 1, {10, 11, 12, 13});
  t.add(0x2000, 8, false, 1, {-1});
  const trace_values v(t);
  std::int64_t x = 0;
  EXPECT_TRUE(v.read(0x1008, 4, x));
  EXPECT_EQ(x, 12);
  EXPECT_TRUE(v.read(0x2000, 8, x));
  EXPECT_EQ(x, -1);
  EXPECT_FALSE(v.read(0x1010, 4, x));
}
