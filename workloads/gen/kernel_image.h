// Builds the kernel-test data image (firmware/tests/npu_kernels/kernel_image.h): seeded random
// inputs and the golden outputs of the host reference (nvr_npu_ref), for the firmware program
// npu_kernels to check the NPU runtime against.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "firmware/tests/npu_kernels/kernel_image.h"

namespace nvr::gen {

class image_builder {
 public:
  explicit image_builder(std::uint32_t seed);

  // Appends `bytes` 64-byte aligned; returns its offset.
  std::uint32_t blob(const void* data, std::size_t bytes);
  // Reserves a zeroed output area.
  std::uint32_t reserve(std::size_t bytes);
  // Adds the case, or drops it with the blobs appended since the previous case when a selection
  // leaves it out; records its name either way.
  void add_case(const kimg_case& c);

  // Keeps only the named cases (absent: all); nothing at all in `list_only` mode, where a set
  // records its names and may skip generating cases it does not want (see wanted()).
  void select(std::set<std::string> names);
  void list_only() { m_list_only = true; }
  bool wanted(const std::string& name) const;
  // A case of the set that was not generated because it is not wanted: its name only.
  void skip(const std::string& name) { m_names.push_back(name); }
  // Every case offered, kept or not, in order.
  const std::vector<std::string>& names() const { return m_names; }

  // Header + case table + blobs; throws std::length_error past KIMG_MAX_BYTES.
  std::vector<std::uint8_t> finish() const;
  std::uint32_t seed() const { return m_seed; }

 private:
  std::uint32_t m_seed;
  // Offsets count from the blob area, whose first 64 bytes stay unused (0 = absent).
  std::vector<std::uint8_t> m_blobs;
  std::size_t m_case_start;  // m_blobs.size() after the previous case
  std::vector<kimg_case> m_cases;
  std::optional<std::set<std::string>> m_selected;
  bool m_list_only = false;
  std::vector<std::string> m_names;
};

// The case sets of nvr-kernel-images --set.
enum class case_set { standard, large, sparse, sparse_small };
// "standard", "large", "sparse", "sparse-small"; nullopt for another name.
std::optional<case_set> case_set_from_name(const std::string& name);
std::string to_string(case_set set);

// The case names of a set, in image order.
std::vector<std::string> case_names(case_set set, std::uint32_t seed = 1);
// The image of a set, or of only the named cases (empty: all) in the set's order; a case is the
// same bytes whichever others are selected. Throws std::invalid_argument naming an unknown case.
std::vector<std::uint8_t> make_image(case_set set, std::uint32_t seed,
                                     const std::set<std::string>& only = {});

// The standard case set of the ctest (GEMM int8 and int4, conv2d, SpMM, SpMV, gather,
// scatter-add, softmax, rmsnorm, quant, argmax, silu, requant).
std::vector<std::uint8_t> standard_image(std::uint32_t seed);
// Bigger shapes for measurements (a few seconds on nvr-vp): GEMM 512x512x512 (int8 and int4),
// conv2d 3x3 56x56x64->64, SpMM 2048x2048 (1/64) x 128, softmax 256x1024.
std::vector<std::uint8_t> large_image(std::uint32_t seed);
// The sparse suite of the NVR experiment (workloads/README.md): CSR SpMM and SpMV at densities
// 1/16..1/256 with uniform and power-law columns, embedding gathers with uniform and Zipf indices.
// Each case draws from its own generator (seed and name), so one case alone is generated alone.
std::vector<std::uint8_t> sparse_image(std::uint32_t seed);
// The same kinds at small shapes, for the ctest (a few seconds under ASan).
std::vector<std::uint8_t> sparse_small_image(std::uint32_t seed);

// Parses an image back: the header and the case table; throws std::runtime_error if malformed.
struct parsed_image {
  kimg_header header{};
  std::vector<kimg_case> cases;
};
parsed_image parse_image(const std::vector<std::uint8_t>& image);

}  // namespace nvr::gen
