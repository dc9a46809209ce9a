#include "platform/elf_loader.h"

#include <elf.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <vector>

namespace {

using nvr::platform::elf_error;
using nvr::platform::load_elf;
using nvr::platform::read_elf;

// A minimal RV32 executable: header, one PT_LOAD program header, 16 bytes of code, and
// `extra_zeros` bytes of .bss-like memory.
std::vector<std::uint8_t> minimal_elf(std::uint32_t load_address = 0x80000000, std::uint32_t extra_zeros = 8) {
  std::vector<std::uint8_t> file(sizeof(Elf32_Ehdr) + sizeof(Elf32_Phdr) + 16);
  Elf32_Ehdr header{};
  std::memcpy(header.e_ident, ELFMAG, SELFMAG);
  header.e_ident[EI_CLASS] = ELFCLASS32;
  header.e_ident[EI_DATA] = ELFDATA2LSB;
  header.e_ident[EI_VERSION] = EV_CURRENT;
  header.e_type = ET_EXEC;
  header.e_machine = EM_RISCV;
  header.e_version = EV_CURRENT;
  header.e_entry = load_address + 4;
  header.e_phoff = sizeof(Elf32_Ehdr);
  header.e_ehsize = sizeof(Elf32_Ehdr);
  header.e_phentsize = sizeof(Elf32_Phdr);
  header.e_phnum = 1;
  Elf32_Phdr segment{};
  segment.p_type = PT_LOAD;
  segment.p_offset = sizeof(Elf32_Ehdr) + sizeof(Elf32_Phdr);
  segment.p_vaddr = segment.p_paddr = load_address;
  segment.p_filesz = 16;
  segment.p_memsz = 16 + extra_zeros;
  segment.p_flags = PF_R | PF_X;
  std::memcpy(file.data(), &header, sizeof header);
  std::memcpy(file.data() + sizeof header, &segment, sizeof segment);
  for (int i = 0; i < 16; ++i) file[segment.p_offset + i] = static_cast<std::uint8_t>(0xa0 + i);
  return file;
}

Elf32_Ehdr& header_of(std::vector<std::uint8_t>& file) { return *reinterpret_cast<Elf32_Ehdr*>(file.data()); }
Elf32_Phdr& segment_of(std::vector<std::uint8_t>& file) {
  return *reinterpret_cast<Elf32_Phdr*>(file.data() + sizeof(Elf32_Ehdr));
}

class elf_loader : public testing::Test {
 protected:
  std::string write(const std::vector<std::uint8_t>& bytes) {
    std::ofstream(m_path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return m_path;
  }
  void TearDown() override { std::remove(m_path.c_str()); }
  void expect_error(const std::vector<std::uint8_t>& bytes, const std::string& fragment) {
    try {
      read_elf(write(bytes));
      ADD_FAILURE() << "accepted; expected an error mentioning '" << fragment << "'";
    } catch (const elf_error& error) {
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find(m_path), std::string::npos) << "the message names the file";
    }
  }
  std::string m_path = "/tmp/nvr-vp-test-" + std::to_string(::getpid()) + ".elf";
};

TEST_F(elf_loader, reads_a_valid_executable) {
  const auto image = read_elf(write(minimal_elf()));
  EXPECT_EQ(image.entry, 0x80000004u);
  ASSERT_EQ(image.segments.size(), 1u);
  EXPECT_EQ(image.segments[0].address, 0x80000000u);
  ASSERT_EQ(image.segments[0].data.size(), 24u);
  EXPECT_EQ(image.segments[0].data[0], 0xa0);
  EXPECT_EQ(image.segments[0].data[15], 0xaf);
  EXPECT_EQ(image.segments[0].data[23], 0) << "memory beyond the file bytes is zeroed";
}

TEST_F(elf_loader, loads_segments_through_the_writer) {
  std::map<std::uint64_t, std::uint8_t> memory;
  const auto image = read_elf(write(minimal_elf()));
  load_elf(image, m_path, [&](std::uint64_t address, const std::uint8_t* data, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) memory[address + i] = data[i];
    return size;
  });
  EXPECT_EQ(memory.size(), 24u);
  EXPECT_EQ(memory.at(0x80000001), 0xa1);
}

TEST_F(elf_loader, a_segment_outside_memory_is_an_error) {
  const auto image = read_elf(write(minimal_elf(0x30000000)));
  try {
    load_elf(image, m_path, [](std::uint64_t, const std::uint8_t*, std::size_t) { return std::size_t{0}; });
    ADD_FAILURE() << "accepted a segment outside memory";
  } catch (const elf_error& error) {
    EXPECT_NE(std::string(error.what()).find("[0x30000000, 0x30000018) lies outside memory"), std::string::npos)
        << error.what();
  }
  // Partly in memory: the message says where memory ends.
  try {
    load_elf(image, m_path, [](std::uint64_t, const std::uint8_t*, std::size_t) { return std::size_t{20}; });
    ADD_FAILURE() << "accepted a segment partly outside memory";
  } catch (const elf_error& error) {
    EXPECT_NE(std::string(error.what()).find("memory ends at 0x30000014"), std::string::npos) << error.what();
  }
}

TEST_F(elf_loader, missing_file) {
  EXPECT_THROW(read_elf("/nonexistent/firmware.elf"), elf_error);
}

TEST_F(elf_loader, empty_and_non_elf_files) {
  expect_error({}, "not an ELF");
  expect_error(std::vector<std::uint8_t>(100, 'x'), "not an ELF");
}

TEST_F(elf_loader, truncated_files) {
  auto file = minimal_elf();
  expect_error(std::vector<std::uint8_t>(file.begin(), file.begin() + 20), "");
  expect_error(std::vector<std::uint8_t>(file.begin(), file.begin() + sizeof(Elf32_Ehdr) + 10), "");
  expect_error(std::vector<std::uint8_t>(file.begin(), file.end() - 4), "past the end of the file");
}

TEST_F(elf_loader, wrong_class_endianness_machine_and_type) {
  auto file = minimal_elf();
  file[EI_CLASS] = ELFCLASS64;
  expect_error(file, "32-bit");
  file = minimal_elf();
  file[EI_DATA] = ELFDATA2MSB;
  expect_error(file, "little-endian");
  file = minimal_elf();
  header_of(file).e_machine = EM_X86_64;
  expect_error(file, "not RISC-V");
  file = minimal_elf();
  header_of(file).e_type = ET_DYN;
  expect_error(file, "ET_EXEC");
}

TEST_F(elf_loader, malformed_segments) {
  auto file = minimal_elf();
  segment_of(file).p_filesz = 64;
  segment_of(file).p_memsz = 32;
  expect_error(file, "more file bytes than memory bytes");
  file = minimal_elf();
  segment_of(file).p_offset = 0xfffffff0;
  expect_error(file, "past the end of the file");
  file = minimal_elf(0xfffffff8);
  expect_error(file, "32-bit address space");
  file = minimal_elf();
  segment_of(file).p_type = PT_NOTE;
  expect_error(file, "no loadable segment");
  file = minimal_elf();
  header_of(file).e_phnum = 500;
  expect_error(file, "");
}

}  // namespace
