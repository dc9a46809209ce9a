// VCD signals of the plain C++ memory models (cache, DRAM). They exist only once a model is given
// a trace name (enable_tracing), so standalone runs create none. Times are the models' integer
// picoseconds, converted to sc_time only on the recording path.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/trace/vcd.h"
#include "ip/cache/memory_types.h"

namespace nvr::mem {

inline sc_core::sc_time to_sc_time(time_ps t) {
  return sc_core::sc_time(static_cast<double>(t), sc_core::SC_PS);
}

// A count of resources held over [acquire, release) (MSHRs, DRAM requests in flight), traced as a
// value. The release of a resource lies in the future when it is acquired, and later acquisitions
// may come before it, so the changes at every pending release are recorded again on each
// acquisition (the writer keeps the last record of a signal at a time). Exact when acquisitions
// arrive in time order, which is how the models are called.
class occupancy_trace {
 public:
  occupancy_trace(const std::string& name, std::string group, unsigned width)
      : m_signal(name, width, std::move(group), trace::format::decimal) {}

  bool enabled() const { return m_signal.enabled(); }
  void acquire(time_ps at, time_ps release) {
    if (!m_signal.enabled()) return;
    // Releases up to `at` are over: their changes were recorded and nothing earlier comes.
    m_pending.erase(m_pending.begin(), std::upper_bound(m_pending.begin(), m_pending.end(), at));
    if (release <= at) return;  // held for no time: no visible change
    m_pending.insert(std::upper_bound(m_pending.begin(), m_pending.end(), release), release);
    const std::size_t n = m_pending.size();
    m_signal.record(to_sc_time(at), n);
    for (std::size_t i = 0; i < n; ++i) m_signal.record(to_sc_time(m_pending[i]), n - i - 1);
  }

 private:
  trace::signal m_signal;
  std::vector<time_ps> m_pending;  // release times after the latest acquisition, sorted
};

}  // namespace nvr::mem
