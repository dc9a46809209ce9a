#include "ip/prefetch/prefetcher.h"

#include <stdexcept>

namespace nvr::mem {

prefetch_status prefetcher::issue(time_ps now, std::uint64_t address, std::uint64_t instruction_id) {
  ++m_requested;
  if (!m_sink) return prefetch_status::unsupported;
  const prefetch_status s = m_sink->prefetch(now, line_of(address), m_fill_depth, instruction_id);
  switch (s) {
    case prefetch_status::issued:
      ++m_issued;
      break;
    case prefetch_status::redundant:
      ++m_redundant;
      break;
    case prefetch_status::dropped:
    case prefetch_status::unsupported:
      ++m_dropped;
      break;
  }
  return s;
}

nlohmann::json prefetcher::final_stats() const {
  return nlohmann::json{{"name", m_name},     {"fill_depth", m_fill_depth}, {"requested", m_requested},
                        {"issued", m_issued}, {"redundant", m_redundant},   {"dropped", m_dropped}};
}

std::int64_t param_reader::get(const std::string& key, std::int64_t fallback, std::int64_t min,
                               std::int64_t max) {
  m_used.insert(key);
  auto it = m_params.find(key);
  if (it == m_params.end()) return fallback;
  if (it->second < min || it->second > max)
    throw std::invalid_argument("prefetcher " + m_prefetcher + ": " + key + " = " +
                                std::to_string(it->second) + " is outside [" + std::to_string(min) + ", " +
                                std::to_string(max) + "]");
  return it->second;
}

void param_reader::finish() const {
  for (const auto& [key, value] : m_params) {
    (void)value;
    if (!m_used.count(key)) {
      std::string known;
      for (const auto& k : m_used) known += (known.empty() ? "" : ", ") + k;
      throw std::invalid_argument("prefetcher " + m_prefetcher + " has no parameter '" + key + "' (" + known +
                                  ")");
    }
  }
}

}  // namespace nvr::mem
