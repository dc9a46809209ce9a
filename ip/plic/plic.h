// A SiFive PLIC with the register layout of QEMU virt: context 0 (hart 0 M-mode) is modelled;
// context 1 (hart 0 S-mode) has its registers but no function.
#pragma once

#include <cstdint>
#include <systemc>
#include <vector>

#include "core/line_driver.h"
#include "core/peripheral.h"
#include "core/stats.h"
#include "platform/memory_map.h"

namespace nvr::plic {

class plic : public core::peripheral {
 public:
  static constexpr std::uint32_t max_priority = 7;
  static constexpr std::uint64_t priority_base = 0x0, pending_base = 0x1000, enable_base = 0x2000,
                                 enable_stride = 0x80, context_base = 0x200000, context_stride = 0x1000;

  // Level-triggered sources, indexed by source number; [0] exists but is never used. Ports left
  // unbound are tied to a constant low signal at the end of elaboration.
  sc_core::sc_vector<sc_core::sc_in<bool>> irq_sources;
  sc_core::sc_out<bool> irq_external{"irq_external"};  // MEIP of hart 0

  SC_HAS_PROCESS(plic);
  // `num_sources` counts source 0, as QEMU's num-sources does (2..1024; else std::invalid_argument).
  explicit plic(const sc_core::sc_module_name& name, unsigned num_sources = NVR_PLIC_NUM_SOURCES);

  core::reg_array<std::uint32_t> priority;  // 4 * source; 0..7, 0 = never interrupts
  core::reg_array<std::uint32_t> pending;   // 0x1000, read-only bit per source
  core::reg_array<std::uint32_t> enable;    // 0x2000, context 0
  core::reg<std::uint32_t> threshold;       // 0x200000, context 0
  core::reg<std::uint32_t> claim;           // 0x200004, context 0: read = claim, write = complete
  core::reg_array<std::uint32_t> enable1;   // 0x2080, context 1: stored, no effect
  core::reg<std::uint32_t> threshold1;      // 0x201000, context 1: stored, no effect
  core::reg<std::uint32_t> claim1;          // 0x201004, context 1: reads 0, writes ignored

  unsigned num_sources() const { return m_num_sources; }
  bool is_pending(unsigned source) const { return source < m_num_sources && m_pending[source]; }
  bool is_claimed(unsigned source) const { return source < m_num_sources && m_claimed[source]; }
  // The source a claim would return now (0 if none), without claiming it.
  unsigned best() const;

  void reset() override;

 private:
  bool enabled(unsigned source) const { return (enable[source / 32].get() >> (source % 32)) & 1u; }
  void sample_sources();
  void update_irq(const sc_core::sc_time& at);
  void before_end_of_elaboration() override;

  unsigned m_num_sources;
  std::vector<bool> m_pending;
  std::vector<bool> m_claimed;  // claimed, not yet completed
  std::vector<std::uint64_t> m_claims;
  sc_core::sc_signal<bool> m_tie_off{"tie_off"};
  core::line_driver m_irq_driver{"irq_external_driver", irq_external};
  stats::publication m_claims_stat;
  stats::counter m_empty_claims{*this, "empty_claims", "claims that returned 0 (no interrupt to claim)"};
};

}  // namespace nvr::plic
