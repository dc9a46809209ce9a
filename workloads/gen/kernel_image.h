// Builds the kernel-test data image (firmware/tests/npu_kernels/kernel_image.h): seeded random
// inputs and the golden outputs of the host reference (nvr_npu_ref), for the firmware program
// npu_kernels to check the NPU runtime against.
#pragma once

#include <cstdint>
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
  void add_case(const kimg_case& c);

  // Header + case table + blobs; throws std::length_error past KIMG_MAX_BYTES.
  std::vector<std::uint8_t> finish() const;
  std::uint32_t seed() const { return m_seed; }

 private:
  std::uint32_t m_seed;
  std::vector<std::uint8_t>
      m_blobs;  // offsets from the blob area, whose first 64 bytes stay unused (0 = absent)
  std::vector<kimg_case> m_cases;
};

// The standard case set of the ctest (GEMM int8 and int4, conv2d, SpMM, SpMV, gather,
// scatter-add, softmax, rmsnorm, quant, argmax, silu, requant).
std::vector<std::uint8_t> standard_image(std::uint32_t seed);
// Bigger shapes for measurements (a few seconds on nvr-vp): GEMM 512x512x512 (int8 and int4),
// conv2d 3x3 56x56x64->64, SpMM 2048x2048 (1/64) x 128, softmax 256x1024.
std::vector<std::uint8_t> large_image(std::uint32_t seed);

// Parses an image back: the header and the case table; throws std::runtime_error if malformed.
struct parsed_image {
  kimg_header header{};
  std::vector<kimg_case> cases;
};
parsed_image parse_image(const std::vector<std::uint8_t>& image);

}  // namespace nvr::gen
