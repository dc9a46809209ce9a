#include "core/trace/bus_trace.h"

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace nvr::trace {

namespace {

bool parse_integer(const std::string& text, std::uint64_t& value) {
  if (text.empty() || text[0] == '-' || text[0] == '+' || text[0] == ' ') return false;
  char* end = nullptr;
  errno = 0;
  value = std::strtoull(text.c_str(), &end, 0);
  return errno == 0 && end != nullptr && *end == '\0';
}

const char* response_name(tlm::tlm_response_status status) {
  switch (status) {
    case tlm::TLM_OK_RESPONSE:
      return "ok";
    case tlm::TLM_INCOMPLETE_RESPONSE:
      return "incomplete";
    case tlm::TLM_GENERIC_ERROR_RESPONSE:
      return "generic-error";
    case tlm::TLM_ADDRESS_ERROR_RESPONSE:
      return "address-error";
    case tlm::TLM_COMMAND_ERROR_RESPONSE:
      return "command-error";
    case tlm::TLM_BURST_ERROR_RESPONSE:
      return "burst-error";
    case tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE:
      return "byte-enable-error";
  }
  return "unknown";
}

void append_hex(std::string& out, std::uint64_t value, int digits) {
  static const char hex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out.push_back(hex[(value >> (4 * i)) & 0xf]);
}

}  // namespace

address_range parse_address_range(const std::string& text) {
  const auto colon = text.find(':');
  address_range range;
  if (colon == std::string::npos || !parse_integer(text.substr(0, colon), range.start) ||
      !parse_integer(text.substr(colon + 1), range.end))
    throw std::invalid_argument(
        "'" + text +
        "' is not an address range; write START:END (END exclusive), e.g. 0x10000000:0x10000100");
  if (range.end <= range.start) throw std::invalid_argument("'" + text + "': END must be greater than START");
  return range;
}

time_window parse_time_window(const std::string& text,
                              const std::function<sc_core::sc_time(const std::string&)>& parse_time) {
  const auto colon = text.find(':');
  if (colon == std::string::npos || text.find(':', colon + 1) != std::string::npos)
    throw std::invalid_argument(
        "'" + text +
        "' is not a time window; write T0:T1 (T1 exclusive; either may be empty), e.g. 10us:2ms");
  time_window window;
  const std::string first = text.substr(0, colon), second = text.substr(colon + 1);
  if (!first.empty()) window.start = parse_time(first);
  if (!second.empty()) window.end = parse_time(second);
  if (window.end <= window.start) throw std::invalid_argument("'" + text + "': T1 must be later than T0");
  return window;
}

bus_trace::bus_trace(const std::string& path, const options& filters) : m_path(path), m_filters(filters) {
  m_file.open(path, std::ios::trunc);
  if (!m_file) throw std::runtime_error("cannot write '" + path + "'");
  m_file << "# nvr-vp bus trace; time in units of " << sc_core::sc_get_time_resolution().to_string() << "\n"
         << "# time initiator command address size data response\n";
}

bus_trace::~bus_trace() { close(); }

bool bus_trace::close() {
  if (!m_file.is_open()) return m_written;
  m_file.flush();
  m_written = static_cast<bool>(m_file);
  m_file.close();
  return m_written;
}

bool bus_trace::passes(const sc_core::sc_time& at, const tlm::tlm_generic_payload& payload) const {
  return m_filters.passes(at, payload.get_address(), payload.get_data_length());
}

void bus_trace::record(const sc_core::sc_time& at, const std::string& initiator,
                       const tlm::tlm_generic_payload& payload) {
  if (!m_file.is_open() || !passes(at, payload)) return;
  const char* command = payload.is_read() ? "read" : payload.is_write() ? "write" : "ignore";
  const bool valid = payload.is_write() || (payload.is_read() && payload.is_response_ok());
  write(at, initiator, command, payload, valid, response_name(payload.get_response_status()));
}

void bus_trace::record_debug(const std::string& initiator, const tlm::tlm_generic_payload& payload,
                             unsigned transferred) {
  const sc_core::sc_time at = sc_core::sc_time_stamp();
  if (!m_file.is_open() || !passes(at, payload)) return;
  const char* command = payload.is_read() ? "dbg-read" : payload.is_write() ? "dbg-write" : "dbg-ignore";
  const unsigned length = payload.get_data_length();
  const bool valid = payload.is_write() || (payload.is_read() && transferred == length);
  write(at, initiator, command, payload, valid,
        transferred == length ? std::string("ok") : "short:" + std::to_string(transferred));
}

void bus_trace::write(const sc_core::sc_time& at, const std::string& initiator, const char* command,
                      const tlm::tlm_generic_payload& payload, bool data_valid, const std::string& response) {
  const std::uint64_t address = payload.get_address();
  const unsigned length = payload.get_data_length();
  const unsigned char* data = payload.get_data_ptr();
  m_line = std::to_string(at.value());
  m_line += ' ';
  m_line += initiator;
  m_line += ' ';
  m_line += command;
  m_line += " 0x";
  append_hex(m_line, address, address > 0xffffffffu ? 16 : 8);
  m_line += ' ';
  m_line += std::to_string(length);
  m_line += ' ';
  if (!data_valid || data == nullptr || length == 0) {
    m_line += '-';
  } else if (length <= 8) {
    std::uint64_t value = 0;
    for (unsigned i = 0; i < length; ++i) value |= static_cast<std::uint64_t>(data[i]) << (8 * i);
    m_line += "0x";
    append_hex(m_line, value, static_cast<int>(2 * length));
  } else {
    for (unsigned i = 0; i < 8; ++i) append_hex(m_line, data[i], 2);
    m_line += "...";
  }
  m_line += ' ';
  m_line += response;
  m_line += '\n';
  m_file << m_line;
  ++m_lines;
}

}  // namespace nvr::trace
