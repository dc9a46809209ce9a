#include "core/debug/rsp.h"

namespace nvr::debug {

namespace {

int hex_digit(std::uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char hex_chars[] = "0123456789abcdef";

bool needs_escape(char c) { return c == '#' || c == '$' || c == '}' || c == '*'; }

}  // namespace

rsp_decoder::event_kind rsp_decoder::feed(std::uint8_t byte) {
  switch (m_state) {
    case state::idle:
      switch (byte) {
        case '$':
          m_state = state::data;
          m_payload.clear();
          m_sum = 0;
          m_too_long = false;
          return event_kind::none;
        case '+':
          return event_kind::ack;
        case '-':
          return event_kind::nack;
        case 0x03:
          return event_kind::interrupt;
        default:
          ++m_garbage;
          return event_kind::none;
      }
    case state::data:
      if (byte == '#') {
        m_state = state::checksum_high;
        m_bad_digit = false;
        return event_kind::none;
      }
      if (byte == '$') {  // a new packet starts before this one ended
        m_payload.clear();
        m_sum = 0;
        m_too_long = false;
        return event_kind::truncated;
      }
      m_sum = static_cast<std::uint8_t>(m_sum + byte);
      if (m_payload.size() < m_limit)
        m_payload.push_back(static_cast<char>(byte));
      else
        m_too_long = true;
      return event_kind::none;
    case state::checksum_high: {
      const int digit = hex_digit(byte);
      m_bad_digit = digit < 0;
      m_received_sum = static_cast<std::uint8_t>((digit < 0 ? 0 : digit) << 4);
      m_state = state::checksum_low;
      return event_kind::none;
    }
    case state::checksum_low: {
      const int digit = hex_digit(byte);
      m_state = state::idle;
      if (m_bad_digit || digit < 0) return event_kind::bad_checksum;
      m_received_sum = static_cast<std::uint8_t>(m_received_sum | digit);
      if (m_received_sum != m_sum) return event_kind::bad_checksum;
      if (m_too_long) {
        m_payload.clear();
        return event_kind::oversized;
      }
      return event_kind::packet;
    }
  }
  return event_kind::none;
}

std::string encode_packet(const std::string& payload) {
  std::string out;
  out.reserve(payload.size() + 4);
  out.push_back('$');
  std::uint8_t sum = 0;
  for (char c : payload) sum = static_cast<std::uint8_t>(sum + static_cast<std::uint8_t>(c));
  out += payload;
  out.push_back('#');
  out.push_back(hex_chars[sum >> 4]);
  out.push_back(hex_chars[sum & 15]);
  return out;
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  std::string out;
  out.reserve(2 * size);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(hex_chars[data[i] >> 4]);
    out.push_back(hex_chars[data[i] & 15]);
  }
  return out;
}

std::string to_hex(const std::string& text) {
  return to_hex(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

bool decode_hex(const std::string& hex, std::vector<std::uint8_t>& out) {
  out.clear();
  if (hex.size() % 2 != 0) return false;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = hex_digit(static_cast<std::uint8_t>(hex[i]));
    const int low = hex_digit(static_cast<std::uint8_t>(hex[i + 1]));
    if (high < 0 || low < 0) return false;
    out.push_back(static_cast<std::uint8_t>(high << 4 | low));
  }
  return true;
}

bool parse_hex_number(const std::string& text, std::uint64_t& value) {
  if (text.empty() || text.size() > 16) return false;
  value = 0;
  for (char c : text) {
    const int digit = hex_digit(static_cast<std::uint8_t>(c));
    if (digit < 0) return false;
    value = value << 4 | static_cast<std::uint64_t>(digit);
  }
  return true;
}

bool unescape_binary(const std::string& data, std::vector<std::uint8_t>& out) {
  out.clear();
  out.reserve(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '}') {
      if (++i == data.size()) return false;
      out.push_back(static_cast<std::uint8_t>(data[i] ^ 0x20));
    } else {
      out.push_back(static_cast<std::uint8_t>(data[i]));
    }
  }
  return true;
}

std::string escape_binary(const std::string& data) {
  std::string out;
  out.reserve(data.size());
  for (char c : data) {
    if (needs_escape(c)) {
      out.push_back('}');
      out.push_back(static_cast<char>(c ^ 0x20));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace nvr::debug
