#include "ip/memory/ram.h"

#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace nvr::memory {

ram::ram(const sc_core::sc_module_name& name, std::uint64_t size, const sc_core::sc_time& read_latency,
         const sc_core::sc_time& write_latency)
    : sc_module(name), in("in"), m_size(size), m_read_latency(read_latency), m_write_latency(write_latency) {
  if (size == 0) throw std::invalid_argument(std::string(this->name()) + ": memory size must not be zero");
  if (size > static_cast<std::uint64_t>(SIZE_MAX)) throw std::bad_alloc();
  // calloc of a large block maps fresh zero pages: nothing is touched until the model uses it.
  m_data.reset(static_cast<std::uint8_t*>(std::calloc(static_cast<std::size_t>(size), 1)));
  if (!m_data) throw std::bad_alloc();
  in.register_b_transport(this, &ram::b_transport);
  in.register_transport_dbg(this, &ram::transport_dbg);
  in.register_get_direct_mem_ptr(this, &ram::get_direct_mem_ptr);
}

void ram::b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  const tlm::tlm_command command = payload.get_command();
  if (command == tlm::TLM_IGNORE_COMMAND) {
    payload.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  const std::uint64_t address = payload.get_address();
  const unsigned length = payload.get_data_length();
  const unsigned streaming = payload.get_streaming_width();
  const unsigned char* enables = payload.get_byte_enable_ptr();
  const unsigned enable_length = payload.get_byte_enable_length();
  std::uint8_t* data = payload.get_data_ptr();

  const std::uint64_t extent = streaming < length ? streaming : length;  // bytes of memory touched
  if (address >= m_size || extent > m_size - address) {
    payload.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (length == 0 || streaming == 0 || data == nullptr) {
    payload.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  if (enables != nullptr && enable_length == 0) {
    payload.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }

  std::uint8_t* memory = m_data.get() + address;
  const bool read = command == tlm::TLM_READ_COMMAND;
  if (enables == nullptr && streaming >= length) {
    if (read)
      std::memcpy(data, memory, length);
    else
      std::memcpy(memory, data, length);
  } else {
    for (unsigned i = 0; i < length; ++i) {
      if (enables != nullptr && enables[i % enable_length] != TLM_BYTE_ENABLED) continue;
      std::uint8_t& cell = memory[i % streaming];
      if (read)
        data[i] = cell;
      else
        cell = data[i];
    }
  }
  if (read) {
    ++m_reads;
    m_bytes_read += length;
    delay += m_read_latency;
  } else {
    ++m_writes;
    m_bytes_written += length;
    delay += m_write_latency;
  }
  payload.set_dmi_allowed(true);
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int ram::transport_dbg(tlm::tlm_generic_payload& payload) {
  const tlm::tlm_command command = payload.get_command();
  const std::uint64_t address = payload.get_address();
  std::uint8_t* data = payload.get_data_ptr();
  if (command == tlm::TLM_IGNORE_COMMAND || address >= m_size || data == nullptr) return 0;
  const std::uint64_t room = m_size - address;
  const unsigned length =
      room < payload.get_data_length() ? static_cast<unsigned>(room) : payload.get_data_length();
  if (command == tlm::TLM_READ_COMMAND)
    std::memcpy(data, m_data.get() + address, length);
  else
    std::memcpy(m_data.get() + address, data, length);
  return length;
}

bool ram::get_direct_mem_ptr(tlm::tlm_generic_payload& payload, tlm::tlm_dmi& dmi) {
  if (payload.get_address() >= m_size) {
    dmi.set_start_address(m_size);
    dmi.set_end_address(~sc_dt::uint64{0});
    dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
    return false;
  }
  dmi.set_dmi_ptr(m_data.get());
  dmi.set_start_address(0);
  dmi.set_end_address(m_size - 1);
  dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_READ_WRITE);
  dmi.set_read_latency(m_read_latency);
  dmi.set_write_latency(m_write_latency);
  return true;
}

}  // namespace nvr::memory
