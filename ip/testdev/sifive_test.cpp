#include "ip/testdev/sifive_test.h"

#include <sstream>

namespace nvr::testdev {

sifive_test::sifive_test(const sc_core::sc_module_name& name) : peripheral(name) {
  finisher.set_min_access_size(2);  // QEMU accepts 2- and 4-byte accesses
  finisher.on_read([](const core::access_context&) -> std::uint32_t { return 0; });
  finisher.on_write([this](std::uint32_t value, const core::access_context& context) {
    if (context.debug || m_exited) return;  // debug writes never end the run; the first exit wins
    const std::uint32_t command = value & 0xffff;
    const int code = static_cast<int>(value >> 16);
    switch (command) {
      case finisher_pass:
        finish(0, context.time);
        break;
      case finisher_fail:
        finish(code, context.time);
        break;
      case finisher_reset:
        m_reset_requested = true;
        finish(reset_exit_code, context.time);
        break;
      default: {
        // QEMU ignores other values (and logs a guest error); so do we.
        std::ostringstream message;
        message << this->name() << ": ignored write of 0x" << std::hex << value;
        SC_REPORT_INFO_VERB("nvr/testdev", message.str().c_str(), sc_core::SC_DEBUG);
        break;
      }
    }
  });
}

void sifive_test::finish(int code, const sc_core::sc_time& at) {
  m_exited = true;
  m_exit_code = code;
  m_exit_time = at;
  if (m_on_exit) m_on_exit(code);
  sc_core::sc_stop();
}

void sifive_test::reset() {
  peripheral::reset();
  m_exited = false;
  m_reset_requested = false;
  m_exit_code = 0;
  m_exit_time = sc_core::SC_ZERO_TIME;
}

}  // namespace nvr::testdev
