// Reads a bare-metal RV32 ELF executable (through libelf) and copies its loadable segments into
// the SoC through the bus's debug transport, so it works for any memory the bus maps.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nvr::platform {

// Anything wrong with the file: not found, truncated, wrong class or machine, a segment
// outside memory. The message names the file and the problem.
class elf_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct elf_segment {
  std::uint32_t address = 0;       // physical load address
  std::vector<std::uint8_t> data;  // file contents followed by zeros up to the memory size
};

struct elf_image {
  std::uint32_t entry = 0;
  std::vector<elf_segment> segments;
};

// Parses and validates the file; throws elf_error.
elf_image read_elf(const std::string& path);

// Writes `size` bytes at `address`; returns how many bytes were written (less means the range
// is not entirely backed by memory).
using debug_writer = std::function<std::size_t(std::uint64_t address, const std::uint8_t* data, std::size_t size)>;

// Copies every segment through `write`; throws elf_error naming the first segment that does not
// fit entirely into memory.
void load_elf(const elf_image& image, const std::string& path, const debug_writer& write);

}  // namespace nvr::platform
