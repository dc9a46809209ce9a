// Publishes a model's counters to nvr::stats under a hierarchical name, for models that are plain
// C++ objects (no sc_object to name them): "memory.nsb" + "hits" -> "memory.nsb.hits".
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/stats.h"

namespace nvr::mem {

class stat_group {
 public:
  // An empty prefix publishes nothing (a model used without statistics, e.g. a scratch twin).
  explicit stat_group(std::string prefix) : m_prefix(std::move(prefix)) {}

  const std::string& prefix() const { return m_prefix; }

  // Publishes the counter `value` (owned by the caller, which must outlive this group).
  void add(const std::string& name, const std::uint64_t& value, const std::string& description) {
    if (m_prefix.empty()) return;
    m_entries.push_back(std::make_unique<nvr::stats::publication>(
        m_prefix + "." + name, [&value] { return nlohmann::json(value); }, description));
  }

  // Publishes a value computed when the registry is read.
  void add_derived(const std::string& name, std::function<nlohmann::json()> read,
                   const std::string& description) {
    if (m_prefix.empty()) return;
    m_entries.push_back(
        std::make_unique<nvr::stats::publication>(m_prefix + "." + name, std::move(read), description));
  }

 private:
  std::string m_prefix;
  std::vector<std::unique_ptr<nvr::stats::publication>> m_entries;
};

// a / b as a JSON number, 0 when b is 0 (a ratio of counters that may both still be zero).
inline nlohmann::json ratio(std::uint64_t a, std::uint64_t b) {
  return b == 0 ? nlohmann::json(0.0) : nlohmann::json(static_cast<double>(a) / static_cast<double>(b));
}

}  // namespace nvr::mem
