// RSP framing (core/debug/rsp.h): the byte-stream decoder, packet encoding and the hex and binary
// helpers, without sockets.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/debug/rsp.h"

namespace nvr::debug {
namespace {

using kind = rsp_decoder::event_kind;

// Feeds `bytes` and collects the events that are not `none`.
std::vector<kind> feed(rsp_decoder& decoder, const std::string& bytes) {
  std::vector<kind> events;
  for (char c : bytes) {
    const kind k = decoder.feed(static_cast<std::uint8_t>(c));
    if (k != kind::none) events.push_back(k);
  }
  return events;
}

TEST(rsp, encode_adds_the_checksum) {
  EXPECT_EQ(encode_packet(""), "$#00");
  EXPECT_EQ(encode_packet("OK"), "$OK#9a");
  EXPECT_EQ(encode_packet("g"), "$g#67");
}

TEST(rsp, decodes_a_packet) {
  rsp_decoder decoder;
  EXPECT_EQ(feed(decoder, "$qSupported:swbreak+#"), std::vector<kind>{});
  EXPECT_TRUE(decoder.in_packet());
  const std::string wire = encode_packet("qSupported:swbreak+");
  rsp_decoder fresh;
  EXPECT_EQ(feed(fresh, wire), std::vector<kind>{kind::packet});
  EXPECT_EQ(fresh.payload(), "qSupported:swbreak+");
  EXPECT_FALSE(fresh.in_packet());
}

TEST(rsp, checksum_digits_in_either_case) {
  rsp_decoder decoder;
  EXPECT_EQ(feed(decoder, "$OK#9A"), std::vector<kind>{kind::packet});
}

TEST(rsp, bad_checksums) {
  rsp_decoder decoder;
  EXPECT_EQ(feed(decoder, "$OK#9b"), std::vector<kind>{kind::bad_checksum});
  EXPECT_EQ(feed(decoder, "$OK#zz"), std::vector<kind>{kind::bad_checksum});
  EXPECT_EQ(feed(decoder, "$OK#9"), std::vector<kind>{});  // waits for the second digit
  EXPECT_EQ(feed(decoder, "g"), std::vector<kind>{kind::bad_checksum});
  // And recovers.
  EXPECT_EQ(feed(decoder, "$g#67"), std::vector<kind>{kind::packet});
}

TEST(rsp, acks_interrupt_and_garbage_between_packets) {
  rsp_decoder decoder;
  EXPECT_EQ(feed(decoder, std::string("+-\x03xyz", 6)),
            (std::vector<kind>{kind::ack, kind::nack, kind::interrupt}));
  EXPECT_EQ(decoder.garbage_bytes(), 3u);
  // Inside a packet, 0x03 and '+' are data.
  const std::string payload("a\x03+b", 4);
  EXPECT_EQ(feed(decoder, encode_packet(payload)), std::vector<kind>{kind::packet});
  EXPECT_EQ(decoder.payload(), payload);
}

TEST(rsp, a_new_packet_abandons_an_unfinished_one) {
  rsp_decoder decoder;
  EXPECT_EQ(feed(decoder, "$m0,4$g#67"), (std::vector<kind>{kind::truncated, kind::packet}));
  EXPECT_EQ(decoder.payload(), "g");
}

TEST(rsp, oversized_packets_are_consumed_not_kept) {
  rsp_decoder decoder(8);
  EXPECT_EQ(feed(decoder, encode_packet("123456789abc")), std::vector<kind>{kind::oversized});
  EXPECT_EQ(decoder.payload(), "");
  EXPECT_EQ(feed(decoder, encode_packet("12345678")), std::vector<kind>{kind::packet});
  EXPECT_EQ(decoder.payload(), "12345678");
}

TEST(rsp, an_oversized_packet_with_a_bad_checksum_is_a_bad_checksum) {
  rsp_decoder decoder(4);
  EXPECT_EQ(feed(decoder, "$123456#00"), std::vector<kind>{kind::bad_checksum});
}

TEST(rsp, default_limit_is_the_announced_packet_size) {
  rsp_decoder decoder;
  EXPECT_EQ(feed(decoder, encode_packet(std::string(max_packet_size, 'a'))), std::vector<kind>{kind::packet});
  EXPECT_EQ(feed(decoder, encode_packet(std::string(max_packet_size + 1, 'a'))),
            std::vector<kind>{kind::oversized});
}

TEST(rsp, hex) {
  const std::uint8_t bytes[] = {0x00, 0x7f, 0xa5, 0xff};
  EXPECT_EQ(to_hex(bytes, 4), "007fa5ff");
  EXPECT_EQ(to_hex(std::string("OK\n")), "4f4b0a");
  std::vector<std::uint8_t> out;
  EXPECT_TRUE(decode_hex("007FA5ff", out));
  EXPECT_EQ(out, (std::vector<std::uint8_t>{0x00, 0x7f, 0xa5, 0xff}));
  EXPECT_TRUE(decode_hex("", out));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(decode_hex("abc", out));
  EXPECT_FALSE(decode_hex("zz", out));
}

TEST(rsp, hex_numbers) {
  std::uint64_t value = 0;
  EXPECT_TRUE(parse_hex_number("80000000", value));
  EXPECT_EQ(value, 0x80000000u);
  EXPECT_TRUE(parse_hex_number("ffffffffffffffff", value));
  EXPECT_EQ(value, ~std::uint64_t{0});
  EXPECT_FALSE(parse_hex_number("", value));
  EXPECT_FALSE(parse_hex_number("1ffffffffffffffff", value));  // 17 digits
  EXPECT_FALSE(parse_hex_number("0x10", value));
  EXPECT_FALSE(parse_hex_number("-1", value));
}

TEST(rsp, binary_escapes) {
  const std::string raw("a#b$c}d*e", 9);
  const std::string escaped = escape_binary(raw);
  EXPECT_EQ(escaped.find_first_of("#$*"), std::string::npos);
  std::vector<std::uint8_t> back;
  EXPECT_TRUE(unescape_binary(escaped, back));
  EXPECT_EQ(std::string(back.begin(), back.end()), raw);
  EXPECT_FALSE(unescape_binary("abc}", back));  // a trailing escape
}

}  // namespace
}  // namespace nvr::debug
