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
  EXPECT_EQ(error_of("R 0x10 4\nX 0x10 4\n"), "t.txt:2: unknown operation 'X' (expected R, W or F)");
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
  EXPECT_EQ(error_of("@12x R 0x10 4\n"), "t.txt:1: bad time '@12x'");
  EXPECT_EQ(error_of("@ R 0x10 4\n"), "t.txt:1: bad time '@'");
  EXPECT_EQ(error_of("R 0x10 4\n@1000\n"), "t.txt:2: missing operation after the time");
  EXPECT_EQ(error_of("@1000 @2000 R 0x10 4\n"), "t.txt:1: unknown operation '@2000' (expected R, W or F)");
}

TEST(TraceText, TimesAndFetches) {
  std::istringstream in(
      "@1000 R 0x1000 64 512\n"
      "@1500 f 0x2000 64 256\n"
      "W 0x3000 64\n");
  const trace t = read_text(in, "t.txt");
  ASSERT_EQ(t.records.size(), 3u);
  EXPECT_TRUE(t.timed);
  EXPECT_EQ(t.records[0].time, 1000u);
  EXPECT_FALSE(t.records[0].fetch);
  EXPECT_EQ(t.records[1].time, 1500u);
  EXPECT_TRUE(t.records[1].fetch);
  EXPECT_FALSE(t.records[1].is_write);
  EXPECT_EQ(t.records[2].time, 0u);  // a line without a time
  EXPECT_TRUE(t.records[2].is_write);
  std::ostringstream out;
  write_text(out, t);
  EXPECT_EQ(out.str(), "@1000 R 0x1000 64 512\n@1500 F 0x2000 64 256\n@0 W 0x3000 64 0\n");
  std::istringstream untimed("F 0x2000 64\n");
  EXPECT_FALSE(read_text(untimed, "u.txt").timed);
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
  EXPECT_EQ(error_of_bytes(bad_op),
            "t.bin: record 2 at byte 40: unknown operation 9 (0 read, 1 write, 2 fetch)");
  EXPECT_EQ(error_of_bytes("hello"), "t.bin: not a binary nvr trace (no NVRTRACE header)");
  std::string version = good;
  version[8] = 3;
  EXPECT_EQ(error_of_bytes(version), "t.bin: binary trace version 3 (this reader knows 1 to 2)");
  version[8] = 0;
  EXPECT_EQ(error_of_bytes(version), "t.bin: binary trace version 0 (this reader knows 1 to 2)");
}

TEST(TraceBinary, Version2CarriesTimesAndFetches) {
  trace t;
  t.timed = true;
  record r;
  r.address = 0x80000000;
  r.size = 64;
  r.time = 123456789012ull;
  r.instruction_id = 0x501;
  const std::int64_t vals[] = {1, 2, 3, 4};
  t.add(r, vals, 4);
  r.fetch = true;
  r.time = 7;
  r.instruction_id = 0x100;
  t.add(r, nullptr, 0);
  std::stringstream bin;
  write_binary(bin, t);
  const std::string bytes = bin.str();
  EXPECT_EQ(bytes[8], 2);                       // version
  EXPECT_EQ(bytes.size(), 16u + 32 + 32 + 32);  // header, two records, four values
  EXPECT_EQ(bytes[16 + 64], 2);                 // op 2: fetch
  const trace u = read_binary(bin, "t.bin");
  ASSERT_EQ(u.records.size(), 2u);
  EXPECT_TRUE(u.timed);
  EXPECT_EQ(u.records[0].time, 123456789012ull);
  EXPECT_EQ(u.records[0].value_count, 4u);
  EXPECT_EQ(u.values[u.records[0].value_offset + 3], 4);
  EXPECT_TRUE(u.records[1].fetch);
  EXPECT_EQ(u.records[1].time, 7u);
  std::stringstream a, b;
  write_text(a, t);
  write_text(b, u);
  EXPECT_EQ(a.str(), b.str());
  // Cut inside the second record's time field.
  std::istringstream cut(bytes.substr(0, 16 + 64 + 28));
  try {
    read_binary(cut, "t.bin");
    ADD_FAILURE() << "no error";
  } catch (const trace_error& e) {
    EXPECT_STREQ(e.what(), "t.bin: record 2 at byte 80: truncated");
  }
}

TEST(TraceBinary, UntimedTracesStayVersion1) {
  trace t;
  t.add(0x1000, 64, false, 1);
  std::stringstream bin;
  write_binary(bin, t);
  EXPECT_EQ(bin.str()[8], 1);
  EXPECT_EQ(bin.str().size(), 16u + 24);
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
