#include "platform/elf_loader.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <sstream>

namespace nvr::platform {

namespace {

std::string hex(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

// Owns the file descriptor and the libelf handle.
class elf_file {
 public:
  explicit elf_file(const std::string& path) : m_path(path) {
    if (elf_version(EV_CURRENT) == EV_NONE) fail("libelf is too old");
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) fail("cannot open it");
    m_elf = elf_begin(m_fd, ELF_C_READ, nullptr);
    if (m_elf == nullptr) fail(elf_errmsg(-1));
  }
  ~elf_file() {
    if (m_elf != nullptr) elf_end(m_elf);
    if (m_fd >= 0) ::close(m_fd);
  }
  elf_file(const elf_file&) = delete;
  elf_file& operator=(const elf_file&) = delete;

  [[noreturn]] void fail(const std::string& why) const {
    throw elf_error("firmware '" + m_path + "': " + why);
  }
  Elf* handle() const { return m_elf; }

 private:
  std::string m_path;
  int m_fd = -1;
  Elf* m_elf = nullptr;
};

}  // namespace

elf_image read_elf(const std::string& path) {
  elf_file file(path);
  Elf* elf = file.handle();
  if (elf_kind(elf) != ELF_K_ELF) file.fail("not an ELF file");

  std::size_t file_size = 0;
  const char* raw = elf_rawfile(elf, &file_size);
  if (raw == nullptr) file.fail(elf_errmsg(-1));
  if (file_size < EI_NIDENT || static_cast<unsigned char>(raw[EI_CLASS]) != ELFCLASS32)
    file.fail("not a 32-bit ELF file (ELFCLASS32 expected for RV32)");
  if (static_cast<unsigned char>(raw[EI_DATA]) != ELFDATA2LSB) file.fail("not little-endian");

  GElf_Ehdr header;
  if (gelf_getehdr(elf, &header) == nullptr) file.fail(std::string("truncated or malformed header: ") + elf_errmsg(-1));
  if (header.e_machine != EM_RISCV) file.fail("built for machine " + std::to_string(header.e_machine) + ", not RISC-V (243)");
  if (header.e_type != ET_EXEC) file.fail("not an executable (ET_EXEC); link it with a linker script");

  std::size_t segment_count = 0;
  if (elf_getphdrnum(elf, &segment_count) != 0) file.fail(std::string("bad program headers: ") + elf_errmsg(-1));

  elf_image image;
  image.entry = static_cast<std::uint32_t>(header.e_entry);
  for (std::size_t index = 0; index < segment_count; ++index) {
    GElf_Phdr segment;
    if (gelf_getphdr(elf, static_cast<int>(index), &segment) == nullptr)
      file.fail("program header " + std::to_string(index) + " is truncated or malformed");
    if (segment.p_type != PT_LOAD || segment.p_memsz == 0) continue;
    const std::string which = "segment " + std::to_string(index);
    if (segment.p_filesz > segment.p_memsz) file.fail(which + " has more file bytes than memory bytes");
    if (segment.p_offset > file_size || segment.p_filesz > file_size - segment.p_offset)
      file.fail(which + " extends past the end of the file (truncated?)");
    if (segment.p_paddr + segment.p_memsz > (1ull << 32))
      file.fail(which + " at " + hex(segment.p_paddr) + " does not fit the 32-bit address space");
    elf_segment loaded;
    loaded.address = static_cast<std::uint32_t>(segment.p_paddr);
    loaded.data.assign(segment.p_memsz, 0);
    std::copy_n(raw + segment.p_offset, segment.p_filesz, loaded.data.begin());
    image.segments.push_back(std::move(loaded));
  }
  if (image.segments.empty()) file.fail("has no loadable segment");
  return image;
}

void load_elf(const elf_image& image, const std::string& path, const debug_writer& write) {
  for (const auto& segment : image.segments) {
    const std::size_t written = write(segment.address, segment.data.data(), segment.data.size());
    if (written != segment.data.size())
      throw elf_error("firmware '" + path + "': segment [" + hex(segment.address) + ", " +
                      hex(segment.address + segment.data.size()) + ") lies outside memory" +
                      (written > 0 ? " (memory ends at " + hex(segment.address + written) + ")" : ""));
  }
}

}  // namespace nvr::platform
