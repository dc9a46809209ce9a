// The workload image's writer and checked reader (workloads/image): layout, round trip and every
// refusal of a damaged image.
#include <gtest/gtest.h>

#include <cstring>

#include "workloads/image/workload_image.h"

namespace {

using nvr::wimg::image;
using nvr::wimg::image_error;
using nvr::wimg::writer;

std::vector<std::uint8_t> sample() {
  writer w("llm", "dense", 42, 3);
  w.add("weights", std::vector<std::int8_t>{1, -2, 3});
  w.add("tokens", std::vector<std::int32_t>{7, 8, 9, 10});
  w.add("empty", nullptr, 0);
  return w.finish();
}

void expect_refused(std::vector<std::uint8_t> bytes, const std::string& message,
                    const std::string& workload = {}) {
  try {
    image::parse(std::move(bytes), workload);
    FAIL() << "accepted; expected: " << message;
  } catch (const image_error& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
  }
}

// Rewrites the CRC after an edit, so that a test reaches the check behind it.
void reseal(std::vector<std::uint8_t>& bytes) {
  const std::uint32_t crc =
      nvr::wimg::crc32(bytes.data() + sizeof(wimg_header), bytes.size() - sizeof(wimg_header));
  std::memcpy(bytes.data() + offsetof(wimg_header, crc32), &crc, 4);
}

TEST(WorkloadImage, Crc32IsZlibs) {
  EXPECT_EQ(nvr::wimg::crc32("123456789", 9), 0xCBF43926u);
  EXPECT_EQ(nvr::wimg::crc32("", 0), 0u);
}

TEST(WorkloadImage, LayoutIsAlignedAndRoundTrips) {
  const std::vector<std::uint8_t> bytes = sample();
  ASSERT_EQ(bytes.size() % WIMG_ALIGN, 0u);
  const image img = image::parse(bytes, "llm");
  EXPECT_EQ(img.workload(), "llm");
  EXPECT_EQ(img.variant(), "dense");
  EXPECT_EQ(img.header().seed, 42u);
  EXPECT_EQ(img.header().flags, 3u);
  EXPECT_EQ(img.header().image_bytes, bytes.size());
  ASSERT_EQ(img.sections().size(), 3u);
  // Header 64 + 3 x 48 = 208, so the first section starts at 256.
  EXPECT_EQ(img.sections()[0].offset, 256u);
  EXPECT_EQ(img.sections()[1].offset, 320u);
  for (const auto& s : img.sections()) EXPECT_EQ(s.offset % WIMG_ALIGN, 0u) << s.name;
  EXPECT_EQ(img.values<std::int8_t>("weights"), (std::vector<std::int8_t>{1, -2, 3}));
  EXPECT_EQ(img.values<std::int32_t>("tokens"), (std::vector<std::int32_t>{7, 8, 9, 10}));
  std::uint32_t size = 99;
  img.data("empty", &size);
  EXPECT_EQ(size, 0u);
  EXPECT_THROW(img.data("absent"), image_error);
}

TEST(WorkloadImage, SameInputsSameBytes) { EXPECT_EQ(sample(), sample()); }

TEST(WorkloadImage, WriterRefusesBadNames) {
  EXPECT_THROW(writer("", ""), std::invalid_argument);
  EXPECT_THROW(writer("sixteen-chars-xx", ""), std::invalid_argument);
  EXPECT_THROW(writer("llm", "sixteen-chars-xx"), std::invalid_argument);
  writer w("llm", "");
  EXPECT_THROW(w.add("", nullptr, 0), std::invalid_argument);
  EXPECT_THROW(w.add(std::string(32, 'x'), nullptr, 0), std::invalid_argument);
  w.add(std::string(31, 'x'), nullptr, 0);
  EXPECT_THROW(w.add(std::string(31, 'x'), nullptr, 0), std::invalid_argument);
}

TEST(WorkloadImage, RefusesTruncationAndCorruption) {
  const std::vector<std::uint8_t> good = sample();
  expect_refused({}, "truncated: 0 bytes, shorter than the 64-byte header");
  expect_refused(std::vector<std::uint8_t>(good.begin(), good.end() - 1),
                 "truncated: " + std::to_string(good.size() - 1) + " bytes, the header says " +
                     std::to_string(good.size()));
  std::vector<std::uint8_t> longer = good;
  longer.push_back(0);
  expect_refused(longer, "1 bytes after the image's end");
  for (std::size_t at : {std::size_t{64}, std::size_t{100}, good.size() - 1}) {
    std::vector<std::uint8_t> flipped = good;
    flipped[at] ^= 0x01;
    expect_refused(flipped, "checksum mismatch");
  }
  std::vector<std::uint8_t> magic = good;
  magic[0] ^= 0xFF;
  expect_refused(magic, "not a workload image");
  std::vector<std::uint8_t> version = good;
  version[4] = 9;
  expect_refused(version, "version 9, this platform reads version 1");
  expect_refused(good, "it is an image of workload 'llm', not 'occ'", "occ");
}

TEST(WorkloadImage, RefusesABadSectionTable) {
  const std::vector<std::uint8_t> good = sample();
  std::vector<std::uint8_t> count = good;
  const std::uint32_t many = 1000;
  std::memcpy(count.data() + offsetof(wimg_header, section_count), &many, 4);
  expect_refused(count, "1000-entry section table runs past the end");

  std::vector<std::uint8_t> outside = good;
  const std::uint32_t far = static_cast<std::uint32_t>(good.size());
  std::memcpy(outside.data() + sizeof(wimg_header) + offsetof(wimg_section, offset), &far, 4);
  const std::uint32_t bytes = 1;
  std::memcpy(outside.data() + sizeof(wimg_header) + offsetof(wimg_section, bytes), &bytes, 4);
  reseal(outside);
  expect_refused(outside, "section 'weights' lies outside the image");

  std::vector<std::uint8_t> into_table = good;
  const std::uint32_t low = 64;
  std::memcpy(into_table.data() + sizeof(wimg_header) + offsetof(wimg_section, offset), &low, 4);
  reseal(into_table);
  expect_refused(into_table, "section 'weights' lies outside the image");

  std::vector<std::uint8_t> twice = good;
  std::memcpy(twice.data() + sizeof(wimg_header) + sizeof(wimg_section), "weights\0", 8);
  reseal(twice);
  expect_refused(twice, "section 'weights' appears twice");

  std::vector<std::uint8_t> unnamed = good;
  std::memset(unnamed.data() + sizeof(wimg_header), 'x', WIMG_SECTION_NAME_BYTES);
  reseal(unnamed);
  expect_refused(unnamed, "section 0 has no valid name");
}

TEST(WorkloadImage, ReadNamesTheFile) {
  try {
    image::read("/nonexistent/x.img");
    FAIL();
  } catch (const image_error& e) {
    EXPECT_STREQ(e.what(), "cannot read '/nonexistent/x.img'");
  }
}

}  // namespace
