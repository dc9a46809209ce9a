#include "core/peripheral.h"

#include <algorithm>
#include <sstream>

namespace nvr::core {

reg_base::reg_base(peripheral& owner, std::string name, std::uint64_t offset, unsigned size,
                   access_policy policy)
    : m_owner(owner), m_name(std::move(name)), m_offset(offset), m_size(size), m_policy(policy) {
  m_owner.add_register(*this);
}

reg_base::~reg_base() { m_owner.remove_register(*this); }

std::string reg_base::full_name() const { return std::string(m_owner.name()) + "." + m_name; }

peripheral::peripheral(const sc_core::sc_module_name& name, const sc_core::sc_time& latency)
    : sc_module(name), in("in"), m_latency(latency) {
  in.register_b_transport(this, &peripheral::b_transport);
  in.register_transport_dbg(this, &peripheral::transport_dbg);
}

peripheral::~peripheral() = default;

void peripheral::reset() {
  for (reg_base* r : m_registers) r->reset();
}

reg_base* peripheral::find_register(const std::string& name) const {
  for (reg_base* r : m_registers)
    if (r->name() == name) return r;
  return nullptr;
}

void peripheral::add_register(reg_base& r) {
  m_registers.push_back(&r);
  m_sorted = false;
}

void peripheral::remove_register(reg_base& r) {
  m_registers.erase(std::remove(m_registers.begin(), m_registers.end(), &r), m_registers.end());
  m_sorted = false;
}

void peripheral::b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  const tlm::tlm_response_status status = access(payload, &delay);
  payload.set_response_status(status);
  if (status != tlm::TLM_OK_RESPONSE) report_error(payload);
  delay += m_latency;
}

unsigned int peripheral::transport_dbg(tlm::tlm_generic_payload& payload) {
  if (payload.get_command() == tlm::TLM_IGNORE_COMMAND) return 0;
  return access(payload, nullptr) == tlm::TLM_OK_RESPONSE ? payload.get_data_length() : 0;
}

tlm::tlm_response_status peripheral::access(tlm::tlm_generic_payload& payload, sc_core::sc_time* delay) {
  const tlm::tlm_command command = payload.get_command();
  if (command == tlm::TLM_IGNORE_COMMAND) return tlm::TLM_OK_RESPONSE;
  const std::uint64_t address = payload.get_address();
  const unsigned length = payload.get_data_length();
  std::uint8_t* data = payload.get_data_ptr();

  if (!m_sorted) {
    m_by_offset = m_registers;
    std::stable_sort(m_by_offset.begin(), m_by_offset.end(),
                     [](const reg_base* a, const reg_base* b) { return a->offset() < b->offset(); });
    m_sorted = true;
  }

  // Registers are at most 8 bytes wide: those containing `address` start within 7 bytes below it.
  const std::uint64_t lowest = address >= 7 ? address - 7 : 0;
  auto it = std::lower_bound(m_by_offset.begin(), m_by_offset.end(), lowest,
                             [](const reg_base* r, std::uint64_t offset) { return r->offset() < offset; });
  bool any = false, fits = false;
  reg_base* target = nullptr;
  for (; it != m_by_offset.end() && (*it)->offset() <= address; ++it) {
    reg_base* r = *it;
    if (address - r->offset() >= r->size() || !r->active()) continue;
    any = true;
    const bool size_ok = (length == 1 || length == 2 || length == 4 || length == 8) &&
                         address % length == 0 && length >= r->min_access_size() &&
                         address - r->offset() + length <= r->size();
    if (!size_ok) continue;
    fits = true;
    if (command == tlm::TLM_READ_COMMAND ? r->readable() : r->writable()) {
      target = r;
      break;
    }
  }
  if (!any) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  if (payload.get_byte_enable_ptr() != nullptr) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  if (!fits || data == nullptr || payload.get_streaming_width() < length)
    return tlm::TLM_BURST_ERROR_RESPONSE;
  if (target == nullptr) return tlm::TLM_COMMAND_ERROR_RESPONSE;

  access_context context{sc_core::sc_time_stamp(), delay == nullptr};
  if (delay != nullptr) {
    if (target->sync() && *delay != sc_core::SC_ZERO_TIME &&
        sc_core::sc_get_current_process_handle().proc_kind() == sc_core::SC_THREAD_PROC_) {
      sc_core::wait(*delay);
      *delay = sc_core::SC_ZERO_TIME;
    }
    context.time = sc_core::sc_time_stamp() + *delay;
  }
  const unsigned position = static_cast<unsigned>(address - target->offset());
  if (command == tlm::TLM_READ_COMMAND)
    target->read_bytes(position, length, data, context);
  else
    target->write_bytes(position, length, data, context);
  return tlm::TLM_OK_RESPONSE;
}

void peripheral::report_error(const tlm::tlm_generic_payload& payload) const {
  if (sc_core::sc_report_handler::get_verbosity_level() < sc_core::SC_DEBUG) return;
  std::ostringstream message;
  message << name() << ": " << (payload.is_read() ? "read" : "write") << " of " << payload.get_data_length()
          << " bytes at offset 0x" << std::hex << payload.get_address() << ": "
          << payload.get_response_string();
  SC_REPORT_INFO_VERB("nvr/peripheral", message.str().c_str(), sc_core::SC_DEBUG);
}

}  // namespace nvr::core
