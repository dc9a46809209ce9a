// The NVR core of rtl/nvr/nvr_core.sv behind the C++ prefetcher interface of the TLM NVR
// (ip/nvr/runahead.h), so the platform runs either (--nvr=tlm|rtl). The verilated core makes the
// model's decisions (decode, SD/LBD prediction, the SCD chain walk, the VMIG's lines); the
// runahead engine it derives from, the same as the TLM's, answers its memory requests with the
// cache's reservation-based pacing (prefetch MSHRs, when index data is there, the window). Each
// hook runs the core clock by clock until it finishes the operation (rtl/README.md).
#pragma once

#include <memory>
#include <string>

#include "ip/nvr/runahead.h"

namespace nvr::rtl {

using mem::time_ps;

class rtl_nvr_prefetcher final : public runahead::runahead_engine {
 public:
  // std::invalid_argument when the configuration does not fit the RTL (its table sizes are
  // fixed, vector_size at most 16 lanes, predict at most 7); `vcd_path` non-empty: the core's own
  // waveform (time in core cycles).
  explicit rtl_nvr_prefetcher(const runahead::nvr_config& config, const std::string& vcd_path = {});
  ~rtl_nvr_prefetcher() override;

  void on_instruction(const mem::instruction_event& e) override;

  const runahead::nvr_config& config() const { return m_config; }
  std::uint64_t cycles() const;

  static constexpr unsigned max_vector_size = 16, max_predict = 7;

 private:
  void snoop(const mem::instruction_event& e) override;
  bool step(time_ps horizon) override;
  void demand(const mem::access_event& e) override;
  void disabled() override;
  std::size_t window_lines() const override;
  nlohmann::json model_stats() const override;

  // Runs one operation of the core to its end; its result.
  bool run(unsigned op, time_ps horizon, time_ps event_time);

  struct pins;
  std::unique_ptr<pins> m_pins;
  runahead::nvr_config m_config;
  time_ps m_group_ready = 0, m_bounds_ready = 0, m_vector_ready = 0;
  std::vector<std::uint64_t> m_vector;
  std::uint64_t m_ops = 0;
};

}  // namespace nvr::rtl
