// Host side of the workload data image (firmware/include/workload_image.h): the writer the
// generators use and the checked reader nvr-vp and the tests use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "firmware/include/workload_image.h"

namespace nvr::wimg {

// A malformed, truncated or corrupted image; the message says which check failed.
class image_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// CRC-32 (IEEE 802.3, zlib's crc32) of `bytes` bytes.
std::uint32_t crc32(const void* data, std::size_t bytes);

class writer {
 public:
  // `workload` and `variant` at most 15 characters (std::invalid_argument otherwise).
  writer(std::string workload, std::string variant, std::uint32_t seed = 0, std::uint32_t flags = 0);

  // Appends a section (64-byte aligned); names are unique and at most 31 characters
  // (std::invalid_argument otherwise).
  void add(const std::string& name, const void* data, std::size_t bytes);
  template <class T>
  void add(const std::string& name, const std::vector<T>& values) {
    add(name, values.data(), values.size() * sizeof(T));
  }

  // Header + section table + sections; std::length_error past WIMG_MAX_BYTES.
  std::vector<std::uint8_t> finish() const;
  // finish() into a file; std::runtime_error when it cannot be written.
  void write(const std::string& path) const;

 private:
  struct pending {
    std::string name;
    std::vector<std::uint8_t> bytes;
  };
  std::string m_workload, m_variant;
  std::uint32_t m_seed, m_flags;
  std::vector<pending> m_sections;
};

struct section {
  std::string name;
  std::uint32_t offset = 0;
  std::uint32_t bytes = 0;
};

// A parsed and checked image: magic, version, size, CRC, section table.
class image {
 public:
  // Throws image_error. `expected_workload` (if not empty) must match the header's.
  static image parse(std::vector<std::uint8_t> bytes, const std::string& expected_workload = {});
  static image read(const std::string& path, const std::string& expected_workload = {});

  const wimg_header& header() const;
  std::string workload() const;
  std::string variant() const;
  const std::vector<section>& sections() const { return m_sections; }
  // The named section's bytes; image_error if absent.
  const std::uint8_t* data(const std::string& name, std::uint32_t* bytes = nullptr) const;
  template <class T>
  std::vector<T> values(const std::string& name) const {
    std::uint32_t bytes = 0;
    const std::uint8_t* p = data(name, &bytes);
    std::vector<T> out(bytes / sizeof(T));
    std::copy(p, p + out.size() * sizeof(T), reinterpret_cast<std::uint8_t*>(out.data()));
    return out;
  }
  const std::vector<std::uint8_t>& bytes() const { return m_bytes; }

 private:
  std::vector<std::uint8_t> m_bytes;
  std::vector<section> m_sections;
};

}  // namespace nvr::wimg
