// The kernel-test image: layout, determinism, and that every case is well formed.
#include <gtest/gtest.h>

#include <cstring>

#include "workloads/gen/kernel_image.h"

namespace {

using nvr::gen::image_builder;
using nvr::gen::parse_image;
using nvr::gen::standard_image;

bool inside(std::uint32_t offset, std::uint32_t bytes, std::size_t size) {
  return offset <= size && bytes <= size - offset;
}

TEST(kernel_image, standard_image_is_well_formed) {
  const auto image = standard_image(1);
  const auto parsed = parse_image(image);
  EXPECT_EQ(parsed.header.seed, 1u);
  EXPECT_LE(image.size(), KIMG_MAX_BYTES);
  ASSERT_GE(parsed.cases.size(), 20u);
  bool kinds[KIMG_KIND_LAST + 1] = {};
  for (const kimg_case& c : parsed.cases) {
    SCOPED_TRACE(c.name);
    ASSERT_GE(c.kind, 1u);
    ASSERT_LE(c.kind, static_cast<std::uint32_t>(KIMG_KIND_LAST));
    kinds[c.kind] = true;
    EXPECT_NE(std::memchr(c.name, 0, sizeof c.name), nullptr);
    EXPECT_GT(c.out_bytes, 0u);
    for (std::uint32_t offset : {c.in[0], c.out, c.golden}) {
      EXPECT_NE(offset, 0u);
      EXPECT_EQ(offset % KIMG_ALIGN, 0u);
    }
    EXPECT_TRUE(inside(c.out, c.out_bytes, image.size()));
    EXPECT_TRUE(inside(c.golden, c.out_bytes, image.size()));
    EXPECT_TRUE(inside(c.out2, c.out2_bytes, image.size()));
    EXPECT_TRUE(inside(c.golden2, c.out2_bytes, image.size()));
    // Output areas start zeroed; the golden bytes are not all zero.
    bool nonzero = false;
    for (std::uint32_t i = 0; i < c.out_bytes; ++i) {
      EXPECT_EQ(image[c.out + i], 0) << "output area byte " << i;
      nonzero |= image[c.golden + i] != 0;
    }
    EXPECT_TRUE(nonzero);
  }
  for (std::uint32_t kind = 1; kind <= KIMG_KIND_LAST; ++kind) EXPECT_TRUE(kinds[kind]) << "kind " << kind;
}

TEST(kernel_image, deterministic_per_seed) {
  EXPECT_EQ(standard_image(7), standard_image(7));
  EXPECT_NE(standard_image(7), standard_image(8));
}

TEST(kernel_image, builder_offsets_are_rebased_and_aligned) {
  image_builder b(3);
  kimg_case c{};
  c.kind = KIMG_ARGMAX;
  const std::uint8_t data[5] = {1, 2, 3, 4, 5};
  c.in[0] = b.blob(data, sizeof data);
  c.out = b.reserve(4);
  c.golden = b.blob(data, 4);
  c.out_bytes = 4;
  b.add_case(c);
  const auto image = b.finish();
  const auto parsed = parse_image(image);
  ASSERT_EQ(parsed.cases.size(), 1u);
  const kimg_case& p = parsed.cases[0];
  EXPECT_EQ(p.in[0] % KIMG_ALIGN, 0u);
  EXPECT_EQ(std::memcmp(image.data() + p.in[0], data, sizeof data), 0);
  EXPECT_EQ(p.golden - p.out, KIMG_ALIGN);
  EXPECT_EQ(p.in[1], 0u);  // absent stays 0
  EXPECT_EQ(p.init, 0u);
}

TEST(kernel_image, malformed_images_are_refused) {
  auto image = standard_image(1);
  EXPECT_THROW(parse_image({1, 2, 3}), std::runtime_error);
  auto bad_magic = image;
  bad_magic[0] ^= 1;
  EXPECT_THROW(parse_image(bad_magic), std::runtime_error);
  auto truncated = image;
  truncated.resize(image.size() - 1);
  EXPECT_THROW(parse_image(truncated), std::runtime_error);
  auto bad_table = image;
  const std::uint32_t count = 1u << 30;
  std::memcpy(bad_table.data() + offsetof(kimg_header, case_count), &count, 4);
  EXPECT_THROW(parse_image(bad_table), std::runtime_error);
}

}  // namespace
