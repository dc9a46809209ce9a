// GDB remote serial protocol framing: the byte-stream decoder ($payload#cs, acks, Ctrl-C), packet
// encoding, hex and binary-escape helpers. No sockets and no SystemC: unit-testable on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nvr::debug {

// The largest packet payload accepted (also announced as PacketSize in qSupported).
inline constexpr std::size_t max_packet_size = 0x4000;

// Splits the byte stream coming from the debugger into events. Bytes outside a packet other
// than '$', '+', '-' and 0x03 are ignored (counted as garbage); a '$' inside a packet abandons
// the unfinished one (a truncated packet) and starts a new one; a payload longer than
// max_packet_size is consumed to its end but not kept (an oversized packet).
class rsp_decoder {
 public:
  enum class event_kind {
    none,          // nothing complete yet: feed more bytes
    packet,        // a complete packet with a good checksum: payload()
    bad_checksum,  // the checksum did not match (or was not two hex digits): answer '-'
    oversized,     // a complete packet whose payload exceeded max_packet_size
    truncated,     // a packet abandoned by a new '$' before its '#'
    ack,           // '+'
    nack,          // '-'
    interrupt,     // 0x03 outside a packet (Ctrl-C)
  };

  explicit rsp_decoder(std::size_t limit = max_packet_size) : m_limit(limit) {}

  // Consumes one byte; returns what it completed.
  event_kind feed(std::uint8_t byte);
  // The payload of the last `packet` event (raw: escapes are undone by the command parser).
  const std::string& payload() const { return m_payload; }
  std::uint64_t garbage_bytes() const { return m_garbage; }
  bool in_packet() const { return m_state != state::idle; }

 private:
  enum class state { idle, data, checksum_high, checksum_low };
  std::size_t m_limit;
  state m_state = state::idle;
  std::string m_payload;
  std::uint8_t m_sum = 0;
  std::uint8_t m_received_sum = 0;
  bool m_too_long = false;
  bool m_bad_digit = false;
  std::uint64_t m_garbage = 0;
};

// "$payload#cs". The payload is sent as is: binary data must be escaped first (escape_binary).
std::string encode_packet(const std::string& payload);

// Hex helpers. decode_hex is strict: false on an odd length or a non-hex digit.
std::string to_hex(const std::uint8_t* data, std::size_t size);
std::string to_hex(const std::string& text);
bool decode_hex(const std::string& hex, std::vector<std::uint8_t>& out);
// A hexadecimal number of at most 16 digits (no prefix, no sign); false otherwise.
bool parse_hex_number(const std::string& text, std::uint64_t& value);
// Undoes the binary escapes of X packets ('}' x -> x ^ 0x20); false on a trailing '}'.
bool unescape_binary(const std::string& data, std::vector<std::uint8_t>& out);
// Escapes binary data for a reply (qXfer): '#', '$', '}', '*' become '}' (c ^ 0x20).
std::string escape_binary(const std::string& data);

}  // namespace nvr::debug
