// The SiFive CLINT for one hart: msip, mtimecmp and mtime, with mtime derived from simulated time.
#pragma once

#include <cstdint>
#include <systemc>

#include "core/line_driver.h"
#include "core/peripheral.h"
#include "core/stats.h"
#include "core/trace/vcd.h"
#include "platform/memory_map.h"

namespace nvr::clint {

class clint : public core::peripheral {
 public:
  sc_core::sc_out<bool> irq_timer{"irq_timer"};        // MTIP
  sc_core::sc_out<bool> irq_software{"irq_software"};  // MSIP

  core::reg<std::uint32_t> msip{*this, "msip", 0x0000, 0};
  core::reg<std::uint64_t> mtimecmp{*this, "mtimecmp", 0x4000, ~std::uint64_t{0}};
  core::reg<std::uint64_t> mtime{*this, "mtime", 0xbff8, 0};

  // mtime counts at `frequency_hz` (> 0; throws std::invalid_argument otherwise).
  explicit clint(const sc_core::sc_module_name& name, std::uint64_t frequency_hz = NVR_CLINT_MTIME_HZ);

  std::uint64_t frequency() const { return m_frequency; }
  // The value of mtime at simulated time `t`.
  std::uint64_t mtime_at(const sc_core::sc_time& t) const;
  // The earliest simulated time at which mtime equals or exceeds `value` (given the current mtime
  // offset), or sc_max_time() if that time cannot be represented.
  sc_core::sc_time time_of(std::uint64_t value) const;

  void reset() override;

 private:
  std::uint64_t ticks(const sc_core::sc_time& t) const;  // mtime periods since time zero
  void update_timer(const sc_core::sc_time& at);

  std::uint64_t m_frequency;
  std::uint64_t m_units_per_second;  // sc_time resolution units in one second
  std::uint64_t m_offset = 0;        // mtime = ticks(t) + m_offset (mod 2^64)
  core::line_driver m_timer_driver{"irq_timer_driver", irq_timer};
  core::line_driver m_software_driver{"irq_software_driver", irq_software};
  stats::counter m_timer_interrupts{*this, "timer_interrupts", "rising edges of the timer interrupt line"};
  stats::counter m_software_interrupts{*this, "software_interrupts",
                                       "rising edges of the software interrupt line"};
  // VCD signal (group "irq"): mtimecmp from the writer's local time on (the line is traced by
  // the SoC's probe of irq_timer).
  trace::signal m_trace_mtimecmp{*this, "mtimecmp", 64, "irq", trace::format::hex, ~std::uint64_t{0}};
};

}  // namespace nvr::clint
