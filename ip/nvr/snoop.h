// What the NPU tells the runahead unit beside it: each instruction as it issues to its unit, and
// CTRL.nvr_enable. The NPU holds an sc_port of this interface (optional); the runahead unit
// (runahead_unit.h) exports it.
#pragma once

#include <systemc>

#include "ip/prefetch/prefetcher.h"

namespace nvr::runahead {

class snoop_if : public virtual sc_core::sc_interface {
 public:
  // An instruction's words at its issue time (before its DMA is scheduled).
  virtual void issued(const mem::instruction_event& e) = 0;
  // CTRL.nvr_enable from simulated time `time` on.
  virtual void enable(mem::time_ps time, bool on) = 0;
};

}  // namespace nvr::runahead
