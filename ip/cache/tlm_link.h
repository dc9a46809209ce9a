// The TLM-2.0 side of the memory hierarchy's timing models: a payload extension, time
// conversion, the timing link (a timing_target that talks through an initiator socket) and the
// b_transport every level's wrapper shares. See README.md ("TLM wrappers").
#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>

#include "ip/cache/memory_types.h"

namespace nvr::mem {

// Rides on a tlm_generic_payload through NSB -> L2 -> DRAM.
//  normal:      (no extension either) the level computes timing and forwards the data access;
//  timing_only: a line fill or write-back between levels: timing, no data, not forwarded;
//  data_only:   the functional part of a demand access, forwarded down to the backing store;
//  prefetch:    a prefetch hint for the level `depth` below the receiver; the answer in status.
// An initiator (the NPU DMA) may attach one with kind normal to pass the instruction id and the
// index values of an index load.
class mem_extension : public tlm::tlm_extension<mem_extension> {
 public:
  enum class kind : std::uint8_t { normal, timing_only, data_only, prefetch };
  kind what = kind::normal;
  bool is_prefetch = false;
  unsigned depth = 0;
  std::uint64_t instruction_id = 0;
  const std::int64_t* values = nullptr;
  std::uint32_t value_count = 0;
  prefetch_status status = prefetch_status::unsupported;

  tlm::tlm_extension_base* clone() const override { return new mem_extension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const mem_extension&>(other);
  }
};

// Conversions between sc_time and integer picoseconds (exact for resolutions of 1 ps or finer,
// and for coarser ones on multiples of the resolution).
time_ps to_ps(const sc_core::sc_time& t);
sc_core::sc_time from_ps(time_ps t);

// A timing_target whose answers come from the level bound to `socket`: each request travels as
// a timing-only payload whose delay is (request time - sc_time_stamp()) and comes back as
// (completion - sc_time_stamp()).
class tlm_timing_link final : public timing_target {
 public:
  explicit tlm_timing_link(tlm::tlm_initiator_socket<>& socket) : m_socket(socket) {}
  using timing_target::access;
  time_ps access(time_ps now, const request& r) override;
  prefetch_status prefetch(time_ps now, std::uint64_t address, unsigned depth,
                           std::uint64_t instruction_id) override;

 private:
  tlm::tlm_initiator_socket<>& m_socket;
  std::uint8_t m_scratch[8] = {};
};

// The b_transport of a level's wrapper: timing from `model` (the annotated delay becomes its
// completion time), data forwarded through `below` without timing (the backing store's own
// delay is ignored, its response status kept).
void serve_transport(timing_target& model, tlm::tlm_initiator_socket<>& below,
                     tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

}  // namespace nvr::mem
