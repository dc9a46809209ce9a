#include "workloads/image/workload_image.h"

#include <algorithm>
#include <boost/crc.hpp>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

namespace nvr::wimg {

namespace {

std::size_t align_up(std::size_t value) { return (value + WIMG_ALIGN - 1) / WIMG_ALIGN * WIMG_ALIGN; }

std::string bounded(const char* text, std::size_t capacity) {
  return std::string(text, strnlen(text, capacity));
}

}  // namespace

std::uint32_t crc32(const void* data, std::size_t bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(data, bytes);
  return crc.checksum();
}

writer::writer(std::string workload, std::string variant, std::uint32_t seed, std::uint32_t flags)
    : m_workload(std::move(workload)), m_variant(std::move(variant)), m_seed(seed), m_flags(flags) {
  if (m_workload.empty() || m_workload.size() >= WIMG_NAME_BYTES)
    throw std::invalid_argument("workload image: workload name '" + m_workload + "' must have 1 to " +
                                std::to_string(WIMG_NAME_BYTES - 1) + " characters");
  if (m_variant.size() >= WIMG_NAME_BYTES)
    throw std::invalid_argument("workload image: variant '" + m_variant + "' is longer than " +
                                std::to_string(WIMG_NAME_BYTES - 1) + " characters");
}

void writer::add(const std::string& name, const void* data, std::size_t bytes) {
  if (name.empty() || name.size() >= WIMG_SECTION_NAME_BYTES)
    throw std::invalid_argument("workload image: section name '" + name + "' must have 1 to " +
                                std::to_string(WIMG_SECTION_NAME_BYTES - 1) + " characters");
  for (const pending& s : m_sections)
    if (s.name == name) throw std::invalid_argument("workload image: section '" + name + "' added twice");
  const auto* first = static_cast<const std::uint8_t*>(data);
  m_sections.push_back({name, std::vector<std::uint8_t>(first, first + bytes)});
}

std::vector<std::uint8_t> writer::finish() const {
  std::size_t offset = align_up(sizeof(wimg_header) + m_sections.size() * sizeof(wimg_section));
  std::vector<wimg_section> table(m_sections.size());
  for (std::size_t i = 0; i < m_sections.size(); ++i) {
    std::memset(&table[i], 0, sizeof table[i]);
    std::memcpy(table[i].name, m_sections[i].name.data(), m_sections[i].name.size());
    table[i].offset = static_cast<std::uint32_t>(offset);
    table[i].bytes = static_cast<std::uint32_t>(m_sections[i].bytes.size());
    offset = align_up(offset + m_sections[i].bytes.size());
    if (offset > WIMG_MAX_BYTES)
      throw std::length_error("workload image: more than " + std::to_string(WIMG_MAX_BYTES >> 20) + " MiB");
  }
  std::vector<std::uint8_t> out(offset, 0);
  std::memcpy(out.data() + sizeof(wimg_header), table.data(), table.size() * sizeof(wimg_section));
  for (std::size_t i = 0; i < m_sections.size(); ++i)
    std::copy(m_sections[i].bytes.begin(), m_sections[i].bytes.end(), out.begin() + table[i].offset);
  wimg_header header;
  std::memset(&header, 0, sizeof header);
  header.magic = WIMG_MAGIC;
  header.version = WIMG_VERSION;
  header.image_bytes = static_cast<std::uint32_t>(out.size());
  header.section_count = static_cast<std::uint32_t>(m_sections.size());
  header.crc32 = crc32(out.data() + sizeof header, out.size() - sizeof header);
  header.seed = m_seed;
  header.flags = m_flags;
  std::memcpy(header.workload, m_workload.data(), m_workload.size());
  std::memcpy(header.variant, m_variant.data(), m_variant.size());
  std::memcpy(out.data(), &header, sizeof header);
  return out;
}

void writer::write(const std::string& path) const {
  const std::vector<std::uint8_t> bytes = finish();
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) throw std::runtime_error("cannot write '" + path + "'");
  file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!file) throw std::runtime_error("cannot write '" + path + "'");
}

image image::parse(std::vector<std::uint8_t> bytes, const std::string& expected_workload) {
  image result;
  if (bytes.size() < sizeof(wimg_header))
    throw image_error("truncated: " + std::to_string(bytes.size()) + " bytes, shorter than the " +
                      std::to_string(sizeof(wimg_header)) + "-byte header");
  wimg_header h;
  std::memcpy(&h, bytes.data(), sizeof h);
  if (h.magic != WIMG_MAGIC) throw image_error("not a workload image (bad magic)");
  if (h.version != WIMG_VERSION)
    throw image_error("version " + std::to_string(h.version) + ", this platform reads version " +
                      std::to_string(WIMG_VERSION));
  if (h.image_bytes > bytes.size())
    throw image_error("truncated: " + std::to_string(bytes.size()) + " bytes, the header says " +
                      std::to_string(h.image_bytes));
  if (h.image_bytes < bytes.size())
    throw image_error(std::to_string(bytes.size() - h.image_bytes) + " bytes after the image's end (" +
                      std::to_string(h.image_bytes) + " bytes)");
  if (h.image_bytes > WIMG_MAX_BYTES)
    throw image_error("larger than " + std::to_string(WIMG_MAX_BYTES >> 20) + " MiB");
  const std::uint64_t table_end = sizeof h + std::uint64_t{h.section_count} * sizeof(wimg_section);
  if (table_end > h.image_bytes)
    throw image_error("its " + std::to_string(h.section_count) + "-entry section table runs past the end");
  const std::uint32_t crc = crc32(bytes.data() + sizeof h, h.image_bytes - sizeof h);
  if (crc != h.crc32) throw image_error("checksum mismatch: the image is corrupted");
  const std::string workload = bounded(h.workload, WIMG_NAME_BYTES);
  if (!expected_workload.empty() && workload != expected_workload)
    throw image_error("it is an image of workload '" + workload + "', not '" + expected_workload + "'");
  std::set<std::string> names;
  for (std::uint32_t i = 0; i < h.section_count; ++i) {
    wimg_section s;
    std::memcpy(&s, bytes.data() + sizeof h + i * sizeof s, sizeof s);
    const std::string name = bounded(s.name, WIMG_SECTION_NAME_BYTES);
    if (name.size() == WIMG_SECTION_NAME_BYTES || name.empty())
      throw image_error("section " + std::to_string(i) + " has no valid name");
    if (s.offset < table_end || s.offset > h.image_bytes || s.bytes > h.image_bytes - s.offset)
      throw image_error("section '" + name + "' lies outside the image");
    if (!names.insert(name).second) throw image_error("section '" + name + "' appears twice");
    result.m_sections.push_back({name, s.offset, s.bytes});
  }
  result.m_bytes = std::move(bytes);
  return result;
}

image image::read(const std::string& path, const std::string& expected_workload) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw image_error("cannot read '" + path + "'");
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  try {
    return parse(std::move(bytes), expected_workload);
  } catch (const image_error& e) {
    throw image_error("'" + path + "': " + e.what());
  }
}

const wimg_header& image::header() const { return *reinterpret_cast<const wimg_header*>(m_bytes.data()); }

std::string image::workload() const { return bounded(header().workload, WIMG_NAME_BYTES); }

std::string image::variant() const { return bounded(header().variant, WIMG_NAME_BYTES); }

const std::uint8_t* image::data(const std::string& name, std::uint32_t* bytes) const {
  for (const section& s : m_sections)
    if (s.name == name) {
      if (bytes) *bytes = s.bytes;
      return m_bytes.data() + s.offset;
    }
  throw image_error("no section '" + name + "'");
}

}  // namespace nvr::wimg
