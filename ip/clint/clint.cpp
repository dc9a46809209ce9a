#include "ip/clint/clint.h"

#include <limits>
#include <stdexcept>
#include <string>

namespace nvr::clint {

namespace {
using wide = unsigned __int128;
}

clint::clint(const sc_core::sc_module_name& name, std::uint64_t frequency_hz)
    : peripheral(name),
      m_frequency(frequency_hz),
      m_units_per_second(sc_core::sc_time(1, sc_core::SC_SEC).value()) {
  if (frequency_hz == 0)
    throw std::invalid_argument(std::string(this->name()) + ": mtime frequency must not be 0");
  // QEMU's ACLINT takes 4- and 8-byte accesses only.
  msip.set_min_access_size(4);
  mtimecmp.set_min_access_size(4);
  mtime.set_min_access_size(4);
  msip.set_write_mask(1);

  msip.on_write([this](std::uint32_t value, const core::access_context& context) {
    msip.set(value);
    m_software_driver.set(value != 0, context.time);
  });
  mtimecmp.on_write([this](std::uint64_t value, const core::access_context& context) {
    mtimecmp.set(value);
    m_trace_mtimecmp.record(context.time, value);
    update_timer(context.time);
  });
  mtime.on_read([this](const core::access_context& context) { return mtime_at(context.time); });
  mtime.on_write([this](std::uint64_t value, const core::access_context& context) {
    m_offset = value - ticks(context.time);
    update_timer(context.time);
  });

  m_timer_driver.on_change([this](bool level) {
    if (level) ++m_timer_interrupts;
  });
  m_software_driver.on_change([this](bool level) {
    if (level) ++m_software_interrupts;
  });
}

std::uint64_t clint::ticks(const sc_core::sc_time& t) const {
  return static_cast<std::uint64_t>(static_cast<wide>(t.value()) * m_frequency / m_units_per_second);
}

std::uint64_t clint::mtime_at(const sc_core::sc_time& t) const { return ticks(t) + m_offset; }

sc_core::sc_time clint::time_of(std::uint64_t value) const {
  // The first time t with ticks(t) >= value - offset, i.e. t * f / R >= k, t = ceil(k * R / f).
  const std::uint64_t k = value - m_offset;
  const wide units = (static_cast<wide>(k) * m_units_per_second + m_frequency - 1) / m_frequency;
  if (units >= static_cast<wide>(sc_core::sc_max_time().value())) return sc_core::sc_max_time();
  return sc_core::sc_time::from_value(static_cast<sc_core::sc_time::value_type>(units));
}

void clint::update_timer(const sc_core::sc_time& at) {
  const std::uint64_t now = mtime_at(at);
  const std::uint64_t compare = mtimecmp.get();
  if (now >= compare) {
    m_timer_driver.set(true, at);
    return;
  }
  m_timer_driver.set(false, at);
  // mtime reaches mtimecmp after `compare - now` more ticks (no wrap-around of mtime modelled).
  const wide target = static_cast<wide>(ticks(at)) + (compare - now);
  const wide units = (target * m_units_per_second + m_frequency - 1) / m_frequency;
  if (units < static_cast<wide>(sc_core::sc_max_time().value()))
    m_timer_driver.set(true, sc_core::sc_time::from_value(static_cast<sc_core::sc_time::value_type>(units)));
}

void clint::reset() {
  peripheral::reset();
  m_offset = 0;
  m_software_driver.reset();
  m_timer_driver.reset();
}

}  // namespace nvr::clint
