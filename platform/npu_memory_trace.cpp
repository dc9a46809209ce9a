#include "platform/npu_memory_trace.h"

#include "tools/trace-sim/recorder.h"
#include "tools/trace-sim/replay.h"
#include "tools/trace-sim/trace.h"

namespace nvr::platform {

struct npu_memory_trace::impl {
  explicit impl(const std::string& path, const std::string& comment)
      : recorder(path, trace::format::automatic, comment) {}
  trace::recorder recorder;
};

npu_memory_trace::npu_memory_trace(const std::string& path, const std::string& comment) {
  try {
    m_impl = std::make_unique<impl>(path, comment);
  } catch (const trace::trace_error& error) {
    throw trace_file_error(error.what());
  }
}

npu_memory_trace::~npu_memory_trace() = default;

mem::request_observer& npu_memory_trace::observer() { return m_impl->recorder; }

std::string npu_memory_trace::close() { return m_impl->recorder.close(); }

std::uint64_t npu_memory_trace::records() const { return m_impl->recorder.records(); }

std::uint64_t npu_memory_trace::values_dropped() const { return m_impl->recorder.values_dropped(); }

std::shared_ptr<const std::vector<std::uint64_t>> oracle_future(const std::string& path,
                                                                const mem::hierarchy_config& config) {
  trace::trace recorded;
  try {
    recorded = trace::read_file(path);
  } catch (const trace::trace_error& error) {
    throw trace_file_error(error.what());
  }
  return trace::demand_lines(recorded, config);
}

}  // namespace nvr::platform
