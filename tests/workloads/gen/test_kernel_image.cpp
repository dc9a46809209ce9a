// The kernel-test image: layout, determinism, and that every case is well formed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>
#include <stdexcept>

#include "workloads/gen/kernel_image.h"

namespace {

using nvr::gen::case_names;
using nvr::gen::case_set;
using nvr::gen::case_set_from_name;
using nvr::gen::image_builder;
using nvr::gen::make_image;
using nvr::gen::parse_image;
using nvr::gen::sparse_small_image;
using nvr::gen::standard_image;

bool inside(std::uint32_t offset, std::uint32_t bytes, std::size_t size) {
  return offset <= size && bytes <= size - offset;
}

// Every case well formed: kind, name, aligned offsets inside the image, zeroed output areas,
// golden bytes not all zero. Returns the kinds seen.
std::set<std::uint32_t> expect_well_formed(const std::vector<std::uint8_t>& image) {
  const auto parsed = parse_image(image);
  EXPECT_LE(image.size(), KIMG_MAX_BYTES);
  std::set<std::uint32_t> kinds;
  for (const kimg_case& c : parsed.cases) {
    SCOPED_TRACE(c.name);
    EXPECT_GE(c.kind, 1u);
    EXPECT_LE(c.kind, static_cast<std::uint32_t>(KIMG_KIND_LAST));
    kinds.insert(c.kind);
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
  return kinds;
}

TEST(kernel_image, standard_image_is_well_formed) {
  const auto image = standard_image(1);
  const auto parsed = parse_image(image);
  EXPECT_EQ(parsed.header.seed, 1u);
  ASSERT_GE(parsed.cases.size(), 20u);
  const auto kinds = expect_well_formed(image);
  for (std::uint32_t kind = 1; kind <= KIMG_KIND_LAST; ++kind)
    EXPECT_EQ(kinds.count(kind), 1u) << "kind " << kind;
}

std::string name_of(const kimg_case& c) { return std::string(c.name, strnlen(c.name, sizeof c.name)); }

TEST(kernel_image, sets_by_name) {
  EXPECT_EQ(case_set_from_name("standard"), case_set::standard);
  EXPECT_EQ(case_set_from_name("large"), case_set::large);
  EXPECT_EQ(case_set_from_name("sparse"), case_set::sparse);
  EXPECT_EQ(case_set_from_name("sparse-small"), case_set::sparse_small);
  EXPECT_FALSE(case_set_from_name("sparse_small"));
  EXPECT_FALSE(case_set_from_name(""));
  for (const case_set set : {case_set::standard, case_set::large, case_set::sparse, case_set::sparse_small})
    EXPECT_EQ(case_set_from_name(nvr::gen::to_string(set)), set);
}

TEST(kernel_image, case_names_are_unique_and_fit) {
  // Not large: naming it generates it (one random stream), seconds under ASan.
  for (const case_set set : {case_set::standard, case_set::sparse, case_set::sparse_small}) {
    SCOPED_TRACE(nvr::gen::to_string(set));
    const auto names = case_names(set);
    ASSERT_FALSE(names.empty());
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
    for (const auto& name : names) EXPECT_LT(name.size(), sizeof(kimg_case{}.name)) << name;
  }
  EXPECT_EQ(case_names(case_set::standard).size(), parse_image(standard_image(1)).cases.size());
}

// spmm_d<D>_<uni|pl>_<M>x<K>x<N>, spmv_d<D>_<uni|pl>_<M>x<K> or embed_<uni|pl>_<N>_of_<R>x<C>
// (std::regex trips a false -Wmaybe-uninitialized of GCC 12 under ASan).
bool sparse_name(const std::string& name) {
  char dist[4] = {};
  unsigned v[4] = {};
  int end = -1;  // set only when every conversion before it matched
  const char* s = name.c_str();
  const auto whole = [&](int matched, int fields) { return matched == fields && end == int(name.size()); };
  const bool form =
      whole(std::sscanf(s, "spmm_d%u_%3[a-z]_%ux%ux%u%n", &v[0], dist, &v[1], &v[2], &v[3], &end), 5) ||
      whole(std::sscanf(s, "spmv_d%u_%3[a-z]_%ux%u%n", &v[0], dist, &v[1], &v[2], &end), 4) ||
      whole(std::sscanf(s, "embed_%3[a-z]_%u_of_%ux%u%n", dist, &v[0], &v[1], &v[2], &end), 4);
  return form && (std::string(dist) == "uni" || std::string(dist) == "pl");
}

// The sparse set: SpMM and SpMV at every density with both distributions, the embedding gathers,
// names that say kind, density, distribution and shape.
TEST(kernel_image, sparse_set_names) {
  const auto names = case_names(case_set::sparse);
  for (const auto& name : names) EXPECT_TRUE(sparse_name(name)) << name;
  for (const std::string kind : {"spmm", "spmv"})
    for (const std::string d : {"16", "32", "64", "128", "256"})
      for (const std::string dist : {"uni", "pl"}) {
        const std::string prefix = kind + "_d" + d + "_" + dist + "_";
        EXPECT_EQ(std::count_if(names.begin(), names.end(),
                                [&](const std::string& n) { return n.rfind(prefix, 0) == 0; }),
                  1)
            << prefix;
      }
  EXPECT_EQ(std::count(names.begin(), names.end(), "spmm_d64_pl_2048x2048x128"), 1);
  EXPECT_EQ(std::count(names.begin(), names.end(), "embed_pl_16384_of_32768x16"), 1);
  EXPECT_EQ(std::count(names.begin(), names.end(), "embed_uni_16384_of_32768x16"), 1);
  for (const auto& name : case_names(case_set::sparse_small)) EXPECT_TRUE(sparse_name(name)) << name;
  EXPECT_FALSE(sparse_name("spmm_d16_xx_1x2x3"));
  EXPECT_FALSE(sparse_name("spmv_d16_pl_1x2x3"));
  EXPECT_FALSE(sparse_name("embed_pl_1_of_2"));
}

TEST(kernel_image, sparse_small_image_is_well_formed) {
  const auto image = sparse_small_image(3);
  const auto parsed = parse_image(image);
  EXPECT_EQ(parsed.header.seed, 3u);
  EXPECT_EQ(parsed.cases.size(), case_names(case_set::sparse_small).size());
  EXPECT_EQ(expect_well_formed(image), (std::set<std::uint32_t>{KIMG_SPMM, KIMG_SPMV, KIMG_GATHER}));
  EXPECT_EQ(sparse_small_image(3), image);
  EXPECT_NE(sparse_small_image(4), image);
}

// The bytes of one case's inputs and golden output, wherever the image put them.
std::vector<std::uint8_t> case_bytes(const std::vector<std::uint8_t>& image, const std::string& name) {
  for (const kimg_case& c : parse_image(image).cases) {
    if (name_of(c) != name) continue;
    std::vector<std::uint8_t> bytes(
        reinterpret_cast<const std::uint8_t*>(c.dim),
        reinterpret_cast<const std::uint8_t*>(c.dim) + sizeof c.dim + sizeof c.param);
    // An input runs up to the case's next blob (its blobs are contiguous).
    std::vector<std::uint32_t> offsets(std::begin(c.in), std::end(c.in));
    offsets.insert(offsets.end(), {c.init, c.out, c.golden, c.out2, c.golden2});
    std::sort(offsets.begin(), offsets.end());
    for (const std::uint32_t in : c.in) {
      if (in == 0) continue;
      const std::uint32_t end = *std::upper_bound(offsets.begin(), offsets.end(), in);
      bytes.insert(bytes.end(), image.begin() + in, image.begin() + end);
    }
    bytes.insert(bytes.end(), image.begin() + c.golden, image.begin() + c.golden + c.out_bytes);
    return bytes;
  }
  ADD_FAILURE() << name << " not in the image";
  return {};
}

TEST(kernel_image, selected_cases_are_the_same_alone) {
  // A set with one random stream (standard) and one with a generator per case (sparse).
  const auto standard = standard_image(2);
  const auto one = make_image(case_set::standard, 2, {"spmv_d8_200x300"});
  ASSERT_EQ(parse_image(one).cases.size(), 1u);
  EXPECT_EQ(name_of(parse_image(one).cases[0]), "spmv_d8_200x300");
  EXPECT_EQ(case_bytes(one, "spmv_d8_200x300"), case_bytes(standard, "spmv_d8_200x300"));
  expect_well_formed(one);

  const auto small = sparse_small_image(2);
  for (const auto& name : case_names(case_set::sparse_small)) {
    SCOPED_TRACE(name);
    const auto alone = make_image(case_set::sparse_small, 2, {name});
    ASSERT_EQ(parse_image(alone).cases.size(), 1u);
    EXPECT_EQ(case_bytes(alone, name), case_bytes(small, name));
  }
  // Two of them, kept in the set's order whatever order they are named in.
  const auto names = case_names(case_set::sparse_small);
  const auto two = parse_image(make_image(case_set::sparse_small, 2, {names[3], names[0]})).cases;
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(name_of(two[0]), names[0]);
  EXPECT_EQ(name_of(two[1]), names[3]);
}

TEST(kernel_image, unknown_case_is_refused) {
  try {
    make_image(case_set::sparse_small, 1, {"embed_pl_512_of_4096x16", "spmm_bogus"});
    ADD_FAILURE() << "accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(), "no case 'spmm_bogus' in set sparse-small");
  }
  // A name of another set is unknown here.
  EXPECT_THROW(make_image(case_set::sparse, 1, {"spmv_d8_200x300"}), std::invalid_argument);
}

// Zipf lookups: the 1% hottest table rows take a large share of the lookups, uniform ones do not.
TEST(kernel_image, embedding_indices_are_skewed) {
  const auto image = sparse_small_image(1);
  double share[2] = {};
  for (const kimg_case& c : parse_image(image).cases) {
    if (c.kind != KIMG_GATHER) continue;
    std::vector<std::int32_t> index(c.dim[0]);
    std::memcpy(index.data(), image.data() + c.in[0], index.size() * 4);
    std::vector<std::size_t> hits(c.dim[1], 0);
    for (const std::int32_t i : index) {
      ASSERT_GE(i, 0);
      ASSERT_LT(static_cast<std::uint32_t>(i), c.dim[1]);
      ++hits[static_cast<std::size_t>(i)];
    }
    std::sort(hits.begin(), hits.end(), std::greater<>());
    std::size_t top = 0;
    for (std::size_t r = 0; r < hits.size() / 100; ++r) top += hits[r];
    share[name_of(c).rfind("embed_pl", 0) == 0] = static_cast<double>(top) / index.size();
  }
  // 512 lookups of 4096 rows: uniform about 13% (the top 1% are rows hit twice), Zipf about 60%.
  EXPECT_GT(share[1], 0.4);
  EXPECT_GT(share[1], 3 * share[0]);
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
