#include "core/debug/gdb_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/debug/run_control.h"

namespace nvr::debug {

namespace {

// Error replies: GDB only looks at the E, the number helps people reading packet logs.
constexpr const char* error_malformed = "E01";  // missing or bad arguments
constexpr const char* error_too_long = "E02";   // the packet exceeded PacketSize
constexpr const char* error_running = "E03";    // a command while the target runs (all-stop)
constexpr const char* error_register = "E04";   // no such register
constexpr const char* error_memory = "E0e";     // the bus answered with an error (EFAULT)

constexpr unsigned max_retransmits = 3;
constexpr int thread_id = 1;  // the one thread the stub reports

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

// "ADDR,LENGTH" in hex.
bool parse_address_length(const std::string& text, std::uint64_t& address, std::uint64_t& length) {
  const std::size_t comma = text.find(',');
  return comma != std::string::npos && parse_hex_number(text.substr(0, comma), address) &&
         parse_hex_number(text.substr(comma + 1), length);
}

// A thread id of H, T and vCont: "-1", "0", "1", "p1.1", "p1.-1"... true when it names our thread
// (or all/any threads).
bool names_our_thread(const std::string& text) {
  std::string id = text;
  if (starts_with(id, "p")) {
    const std::size_t dot = id.find('.');
    id = dot == std::string::npos ? "-1" : id.substr(dot + 1);
  }
  if (id == "-1" || id == "0") return true;
  std::uint64_t value = 0;
  return parse_hex_number(id, value) && value == thread_id;
}

std::string hex_byte(unsigned value) {
  static const char digits[] = "0123456789abcdef";
  return std::string{digits[(value >> 4) & 15], digits[value & 15]};
}

std::string hex_number(std::uint64_t value) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  do {
    out.insert(out.begin(), digits[value & 15]);
    value >>= 4;
  } while (value != 0);
  return out;
}

}  // namespace

gdb_server::gdb_server(target& debugged, std::uint16_t port) : m_target(debugged) {
  m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (m_listener < 0) throw std::runtime_error(std::string("gdb: socket: ") + std::strerror(errno));
  const int on = 1;
  ::setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(m_listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(m_listener, 1) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(m_listener);
    throw std::runtime_error("gdb: cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + reason);
  }
  socklen_t length = sizeof address;
  ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &length);
  m_port = ntohs(address.sin_port);
}

gdb_server::~gdb_server() {
  close_connection();
  if (m_listener >= 0) ::close(m_listener);
}

// --- connections ------------------------------------------------------------------------------

bool gdb_server::accept_connection() {
  const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return false;
  if (m_connection >= 0) {  // one debugger at a time
    ::close(fd);
    return false;
  }
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  // A debugger that stops reading must not hang the simulation: sends give up after 5 s.
  timeval timeout = {5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  m_connection = fd;
  m_decoder = rsp_decoder();
  m_input.clear();
  m_input_pos = 0;
  m_last_reply.clear();
  m_waiting_for_stop = false;
  m_swbreak = m_hwbreak = false;
  ++m_counters.connections;
  return true;
}

void gdb_server::close_connection() {
  if (m_connection >= 0) ::close(m_connection);
  m_connection = -1;
  m_waiting_for_stop = false;
  m_input.clear();
  m_input_pos = 0;
}

// Detach or a lost connection: the target runs on without the debugger's break- and watchpoints.
void gdb_server::detach() {
  for (const point& p : m_points) m_target.remove_point(p.type, p.address, p.length);
  m_points.clear();
  close_connection();
}

bool gdb_server::wait_for_connection() {
  while (m_connection < 0) {
    pollfd fds = {m_listener, POLLIN, 0};
    const int ready = ::poll(&fds, 1, -1);
    if (ready < 0 && errno != EINTR) return false;
    if (stop_requested()) return false;
    if (ready > 0) accept_connection();
  }
  return true;
}

gdb_server::poll_result gdb_server::poll() {
  pollfd fds[2] = {{m_listener, POLLIN, 0}, {m_connection, POLLIN, 0}};
  const int ready = ::poll(fds, m_connection >= 0 ? 2 : 1, 0);
  if (ready <= 0) return poll_result::none;
  if (fds[0].revents & POLLIN) {
    if (m_connection < 0) {
      // A new debugger: halt, and it asks why ('?').
      if (accept_connection()) {
        m_last_stop = stop_event{stop_event::reason::signal, 5, 0};
        return poll_result::halt;
      }
    } else {
      accept_connection();  // closes the second one at once
    }
  }
  if (m_connection < 0) return poll_result::none;
  switch (serve(/*blocking=*/false, /*running=*/true)) {
    case outcome::halt:
      return poll_result::halt;
    case outcome::kill:
      return poll_result::kill;
    case outcome::detach:
      detach();
      return poll_result::none;
    default:
      return poll_result::none;
  }
}

gdb_server::command gdb_server::stopped(const stop_event& event) {
  m_last_stop = event;
  if (m_connection >= 0 && m_waiting_for_stop) reply(stop_reply(event));
  m_waiting_for_stop = false;
  while (m_connection >= 0) {
    switch (serve(/*blocking=*/true, /*running=*/false)) {
      case outcome::resume:
        m_waiting_for_stop = true;
        return command::resume;
      case outcome::step:
        m_waiting_for_stop = true;
        return command::step;
      case outcome::kill:
        close_connection();
        return command::kill;
      case outcome::detach:
        detach();
        return command::resume;
      default:
        break;
    }
  }
  return command::resume;
}

void gdb_server::exited(int code) {
  if (m_connection >= 0 && m_waiting_for_stop) reply("W" + hex_byte(static_cast<unsigned>(code) & 0xff));
  close_connection();
}

// --- input ------------------------------------------------------------------------------------

bool gdb_server::receive(bool blocking) {
  for (;;) {
    // The listener too: a second debugger is turned away at once, not left in the backlog.
    pollfd fds[2] = {{m_connection, POLLIN, 0}, {m_listener, POLLIN, 0}};
    const int ready = ::poll(fds, 2, blocking ? -1 : 0);
    if (ready < 0) {
      if (errno == EINTR && !stop_requested()) continue;
      return false;
    }
    if (ready == 0) return false;
    if (fds[1].revents & POLLIN) accept_connection();  // closes it: one debugger at a time
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    char buffer[4096];
    const ssize_t got = ::recv(m_connection, buffer, sizeof buffer, 0);
    if (got < 0 && errno == EINTR && !stop_requested()) continue;
    if (got <= 0) {  // closed by the debugger, or an error
      close_connection();
      return false;
    }
    m_input.assign(buffer, static_cast<std::size_t>(got));
    m_input_pos = 0;
    return true;
  }
}

gdb_server::outcome gdb_server::serve(bool blocking, bool running) {
  for (;;) {
    if (m_input_pos >= m_input.size()) {
      if (m_connection < 0) return outcome::detach;
      if (!receive(blocking)) {
        if (m_connection < 0) return outcome::detach;  // the debugger went away
        if (stop_requested()) return outcome::kill;
        return outcome::none;
      }
    }
    while (m_input_pos < m_input.size()) {
      const auto byte = static_cast<std::uint8_t>(m_input[m_input_pos++]);
      outcome result = outcome::none;
      switch (m_decoder.feed(byte)) {
        case rsp_decoder::event_kind::packet:
          ++m_counters.packets;
          send_raw("+");
          result = on_packet(m_decoder.payload(), running);
          break;
        case rsp_decoder::event_kind::bad_checksum:
          ++m_counters.bad_checksums;
          send_raw("-");
          break;
        case rsp_decoder::event_kind::oversized:
          ++m_counters.oversized;
          send_raw("+");
          reply(error(error_too_long));
          break;
        case rsp_decoder::event_kind::truncated:
          ++m_counters.truncated;  // the sender started over: nothing to answer
          break;
        case rsp_decoder::event_kind::ack:
          m_retransmits = 0;
          break;
        case rsp_decoder::event_kind::nack:
          if (!m_last_reply.empty() && m_retransmits < max_retransmits) {
            ++m_retransmits;
            send_raw(m_last_reply);
          }
          break;
        case rsp_decoder::event_kind::interrupt:
          if (running) result = outcome::halt;
          break;
        case rsp_decoder::event_kind::none:
          break;
      }
      if (m_connection < 0) return outcome::detach;
      if (result != outcome::none) return result;
    }
  }
}

// --- output -----------------------------------------------------------------------------------

void gdb_server::send_raw(const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size() && m_connection >= 0) {
    const ssize_t sent = ::send(m_connection, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR && !stop_requested()) continue;
    if (sent <= 0) {
      close_connection();  // gone, or not reading for seconds
      return;
    }
    done += static_cast<std::size_t>(sent);
  }
}

void gdb_server::reply(const std::string& payload) {
  m_last_reply = encode_packet(payload);
  m_retransmits = 0;
  send_raw(m_last_reply);
}

std::string gdb_server::error(const char* code) {
  ++m_counters.errors;
  return code;
}

std::string gdb_server::stop_reply(const stop_event& event) const {
  std::string text = "T" + hex_byte(static_cast<unsigned>(event.signal));
  switch (event.why) {
    case stop_event::reason::software_breakpoint:
      if (m_swbreak) text += "swbreak:;";
      break;
    case stop_event::reason::hardware_breakpoint:
      if (m_hwbreak) text += "hwbreak:;";
      break;
    case stop_event::reason::write_watch:
      text += "watch:" + hex_number(event.address) + ";";
      break;
    case stop_event::reason::read_watch:
      text += "rwatch:" + hex_number(event.address) + ";";
      break;
    case stop_event::reason::access_watch:
      text += "awatch:" + hex_number(event.address) + ";";
      break;
    case stop_event::reason::signal:
      break;
  }
  return text + "thread:" + hex_number(thread_id) + ";";
}

// --- packets ----------------------------------------------------------------------------------

gdb_server::outcome gdb_server::on_packet(const std::string& payload, bool running) {
  outcome result = outcome::none;
  if (payload == "k") return outcome::kill;  // no reply
  if (running) {
    // All-stop mode: while the target runs the debugger may only interrupt it (or kill it).
    if (starts_with(payload, "vKill")) {
      reply("OK");
      return outcome::kill;
    }
    reply(error(error_running));
    return outcome::none;
  }
  if (payload.empty()) {
    reply(error(error_malformed));
    return outcome::none;
  }
  const std::string args = payload.substr(1);
  std::string answer;
  switch (payload[0]) {
    case '?':
      answer = stop_reply(m_last_stop);
      break;
    case 'g':
      answer = args.empty() ? read_registers() : error(error_malformed);
      break;
    case 'G':
      answer = write_registers(args);
      break;
    case 'p':
      answer = read_register(args);
      break;
    case 'P':
      answer = write_register(args);
      break;
    case 'm':
      answer = read_memory(args);
      break;
    case 'M':
      answer = write_memory(args, false);
      break;
    case 'X':
      answer = write_memory(args, true);
      break;
    case 'c':
      answer = resume(args, false, false, result);
      break;
    case 'C':
      answer = resume(args, true, false, result);
      break;
    case 's':
      answer = resume(args, false, true, result);
      break;
    case 'S':
      answer = resume(args, true, true, result);
      break;
    case 'Z':
      answer = breakpoint(args, true);
      break;
    case 'z':
      answer = breakpoint(args, false);
      break;
    case 'D':
      if (args.empty() || args[0] == ';') {
        reply("OK");
        return outcome::detach;
      }
      answer = error(error_malformed);
      break;
    case 'H':
      answer = args.size() >= 2 && (args[0] == 'g' || args[0] == 'c') && names_our_thread(args.substr(1))
                   ? "OK"
                   : error(error_malformed);
      break;
    case 'T':
      answer = names_our_thread(args) ? "OK" : error(error_malformed);
      break;
    case 'q':
    case 'Q':
      answer = handle_query(payload, result);
      break;
    case 'v':
      answer = handle_v(payload, result);
      break;
    default:
      ++m_counters.unsupported;  // the empty reply: not supported
      break;
  }
  // A resume has no immediate reply: the stop reply comes when the target stops.
  if (result == outcome::resume || result == outcome::step) return result;
  reply(answer);
  return result;
}

std::string gdb_server::handle_query(const std::string& payload, outcome& result) {
  if (starts_with(payload, "qSupported")) {
    const std::size_t colon = payload.find(':');
    if (colon != std::string::npos)
      for (const std::string& feature : split(payload.substr(colon + 1), ';')) {
        if (feature == "swbreak+") m_swbreak = true;
        if (feature == "hwbreak+") m_hwbreak = true;
      }
    return "PacketSize=" + hex_number(max_packet_size) +
           ";qXfer:features:read+;swbreak+;hwbreak+;vContSupported+";
  }
  if (payload == "qAttached" || starts_with(payload, "qAttached:")) return "1";
  if (payload == "qC") return "QC" + hex_number(thread_id);
  if (payload == "qfThreadInfo") return "m" + hex_number(thread_id);
  if (payload == "qsThreadInfo") return "l";
  if (payload == "qOffsets") return "Text=0;Data=0;Bss=0";
  if (starts_with(payload, "qSymbol")) return "OK";
  if (starts_with(payload, "qRcmd,")) return monitor(payload.substr(6), result);
  if (starts_with(payload, "qXfer:features:read:")) {
    // qXfer:features:read:ANNEX:OFFSET,LENGTH
    const std::string rest = payload.substr(std::strlen("qXfer:features:read:"));
    const std::size_t colon = rest.find(':');
    std::uint64_t offset = 0, length = 0;
    if (colon == std::string::npos || !parse_address_length(rest.substr(colon + 1), offset, length))
      return error(error_malformed);
    const std::string document = m_target.target_description(rest.substr(0, colon));
    if (document.empty()) return error("E00");  // no such annex
    if (offset >= document.size()) return "l";
    // Escaping may double a byte: stay within the packet size.
    length = std::min<std::uint64_t>(length, max_packet_size / 2 - 4);
    const std::string chunk = document.substr(offset, length);
    return (offset + chunk.size() < document.size() ? "m" : "l") + escape_binary(chunk);
  }
  ++m_counters.unsupported;
  return "";
}

std::string gdb_server::handle_v(const std::string& payload, outcome& result) {
  if (payload == "vCont?") return "vCont;c;C;s;S";
  if (starts_with(payload, "vCont;")) {
    // vCont;ACTION[:THREAD];...: the first action that applies to our thread wins.
    for (const std::string& action : split(payload.substr(6), ';')) {
      const std::size_t colon = action.find(':');
      const std::string verb = action.substr(0, colon);
      if (colon != std::string::npos && !names_our_thread(action.substr(colon + 1))) continue;
      if (verb.empty()) return error(error_malformed);
      std::uint64_t signal = 0;
      const bool with_signal = verb[0] == 'C' || verb[0] == 'S';
      if (with_signal ? verb.size() != 3 || !parse_hex_number(verb.substr(1), signal) : verb.size() != 1)
        return error(error_malformed);
      if (verb[0] == 'c' || verb[0] == 'C') {
        result = outcome::resume;
        return "";
      }
      if (verb[0] == 's' || verb[0] == 'S') {
        result = outcome::step;
        return "";
      }
      return error(error_malformed);  // t, r and others are not offered by vCont?
    }
    return error(error_malformed);
  }
  if (starts_with(payload, "vKill")) {
    result = outcome::kill;
    return "OK";
  }
  ++m_counters.unsupported;
  return "";  // vMustReplyEmpty, vFile, vRun, ...: not supported
}

std::string gdb_server::resume(const std::string& args, bool with_signal, bool step, outcome& result) {
  std::string address_text = args;
  if (with_signal) {  // Csig[;addr]: the signal is ignored (there are no signals to deliver)
    std::uint64_t signal = 0;
    const std::size_t semicolon = args.find(';');
    if (!parse_hex_number(args.substr(0, semicolon), signal)) return error(error_malformed);
    address_text = semicolon == std::string::npos ? "" : args.substr(semicolon + 1);
  }
  if (!address_text.empty()) {
    std::uint64_t address = 0;
    if (!parse_hex_number(address_text, address)) return error(error_malformed);
    m_target.set_resume_address(address);
  }
  result = step ? outcome::step : outcome::resume;
  return "";
}

std::string gdb_server::read_registers() {
  std::string out;
  std::uint8_t value[16];
  for (unsigned number : m_target.general_registers()) {
    const unsigned size = std::min<unsigned>(m_target.register_size(number), sizeof value);
    if (!m_target.read_register(number, value)) std::fill(value, value + size, 0);
    out += to_hex(value, size);
  }
  return out;
}

std::string gdb_server::write_registers(const std::string& hex) {
  std::vector<std::uint8_t> bytes;
  if (!decode_hex(hex, bytes)) return error(error_malformed);
  std::size_t expected = 0;
  for (unsigned number : m_target.general_registers()) expected += m_target.register_size(number);
  if (bytes.size() != expected) return error(error_malformed);
  std::size_t offset = 0;
  for (unsigned number : m_target.general_registers()) {
    m_target.write_register(number, bytes.data() + offset);
    offset += m_target.register_size(number);
  }
  return "OK";
}

std::string gdb_server::read_register(const std::string& args) {
  std::uint64_t number = 0;
  if (!parse_hex_number(args, number)) return error(error_malformed);
  const unsigned size = number > 0xffff ? 0 : m_target.register_size(static_cast<unsigned>(number));
  std::uint8_t value[16];
  if (size == 0 || size > sizeof value || !m_target.read_register(static_cast<unsigned>(number), value))
    return error(error_register);
  return to_hex(value, size);
}

std::string gdb_server::write_register(const std::string& args) {
  const std::size_t equals = args.find('=');
  std::uint64_t number = 0;
  std::vector<std::uint8_t> bytes;
  if (equals == std::string::npos || !parse_hex_number(args.substr(0, equals), number) ||
      !decode_hex(args.substr(equals + 1), bytes))
    return error(error_malformed);
  const unsigned size = number > 0xffff ? 0 : m_target.register_size(static_cast<unsigned>(number));
  if (size == 0) return error(error_register);
  if (bytes.size() != size) return error(error_malformed);
  return m_target.write_register(static_cast<unsigned>(number), bytes.data()) ? "OK" : error(error_register);
}

std::string gdb_server::read_memory(const std::string& args) {
  std::uint64_t address = 0, length = 0;
  if (!parse_address_length(args, address, length) || length == 0) return error(error_malformed);
  length = std::min<std::uint64_t>(length, max_packet_size / 2);  // a partial reply is allowed
  std::vector<std::uint8_t> data(length);
  const std::size_t done = m_target.read_memory(address, data.data(), data.size());
  if (done == 0) return error(error_memory);
  return to_hex(data.data(), done);
}

std::string gdb_server::write_memory(const std::string& args, bool binary) {
  const std::size_t colon = args.find(':');
  std::uint64_t address = 0, length = 0;
  if (colon == std::string::npos || !parse_address_length(args.substr(0, colon), address, length))
    return error(error_malformed);
  std::vector<std::uint8_t> data;
  const std::string encoded = args.substr(colon + 1);
  if (!(binary ? unescape_binary(encoded, data) : decode_hex(encoded, data)) || data.size() != length)
    return error(error_malformed);
  if (length == 0) return "OK";  // GDB probes X support with an empty write
  return m_target.write_memory(address, data.data(), data.size()) == data.size() ? "OK" : error(error_memory);
}

std::string gdb_server::breakpoint(const std::string& args, bool insert) {
  // TYPE,ADDR,KIND[;cond...]: conditions and commands evaluated by the target are not offered.
  const std::vector<std::string> fields = split(args.substr(0, args.find(';')), ',');
  std::uint64_t type = 0, address = 0, kind = 0;
  if (fields.size() != 3 || !parse_hex_number(fields[0], type) || !parse_hex_number(fields[1], address) ||
      !parse_hex_number(fields[2], kind))
    return error(error_malformed);
  if (type > 4) {
    ++m_counters.unsupported;
    return "";
  }
  const auto point_kind = static_cast<point_type>(type);
  if (insert) {
    if (!m_target.insert_point(point_kind, address, kind)) return "";
    m_points.push_back(point{point_kind, address, kind});
    return "OK";
  }
  const auto found = std::find_if(m_points.begin(), m_points.end(), [&](const point& p) {
    return p.type == point_kind && p.address == address && p.length == kind;
  });
  if (found != m_points.end()) m_points.erase(found);
  m_target.remove_point(point_kind, address, kind);
  return "OK";  // removing what is not there is harmless
}

std::string gdb_server::monitor(const std::string& hex_command, outcome& result) {
  std::vector<std::uint8_t> bytes;
  if (!decode_hex(hex_command, bytes)) return error(error_malformed);
  std::string command(bytes.begin(), bytes.end());
  const auto first = command.find_first_not_of(" \t");
  const auto last = command.find_last_not_of(" \t\r\n");
  command = first == std::string::npos ? "" : command.substr(first, last - first + 1);
  std::string output;
  if (command.empty() || command == "help") {
    output =
        "help      this list\n"
        "reset     architectural reset of the target (pc = reset address), halted\n"
        "quit      end the simulation (statistics are written)\n" +
        m_target.monitor_help();
  } else if (command == "reset") {
    m_target.reset();
    output = "target reset; it stays halted (flushregs to refresh GDB's register cache)\n";
  } else if (command == "quit") {
    result = outcome::kill;
    output = "ending the simulation\n";
  } else if (!m_target.monitor(command, output)) {
    output = "unknown monitor command '" + command + "'; try 'monitor help'\n";
  }
  return to_hex(output);
}

}  // namespace nvr::debug
