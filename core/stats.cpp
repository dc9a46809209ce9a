#include "core/stats.h"

#include <stdexcept>

#include <systemc>

namespace nvr::stats {

registry& registry::instance() {
  static registry the_registry;
  return the_registry;
}

void registry::add(const std::string& path, getter read, const std::string& description) {
  if (path.empty() || path.front() == '.' || path.back() == '.')
    throw std::invalid_argument("statistics: malformed path '" + path + "'");
  if (!m_entries.emplace(path, entry{std::move(read), description}).second)
    throw std::invalid_argument("statistics: '" + path + "' registered twice");
}

void registry::remove(const std::string& path) { m_entries.erase(path); }

bool registry::contains(const std::string& path) const { return m_entries.count(path) != 0; }

nlohmann::json registry::value(const std::string& path) const {
  auto it = m_entries.find(path);
  if (it == m_entries.end()) throw std::out_of_range("statistics: no value '" + path + "'");
  return it->second.read();
}

nlohmann::json registry::to_json() const {
  nlohmann::json root = nlohmann::json::object();
  for (const auto& [path, entry] : m_entries) {
    nlohmann::json* node = &root;
    std::size_t start = 0;
    for (std::size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', start)) {
      nlohmann::json& child = (*node)[path.substr(start, dot - start)];
      // A value and a group of the same name ("cpu" and "cpu.x") keep both: the value moves
      // to "cpu.value".
      if (!child.is_null() && !child.is_object()) child = nlohmann::json{{"value", child}};
      node = &child;
      start = dot + 1;
    }
    nlohmann::json& leaf = (*node)[path.substr(start)];
    if (leaf.is_object())
      leaf["value"] = entry.read();
    else
      leaf = entry.read();
  }
  return root;
}

std::map<std::string, std::string> registry::descriptions() const {
  std::map<std::string, std::string> result;
  for (const auto& [path, entry] : m_entries) result[path] = entry.description;
  return result;
}

publication::publication(const sc_core::sc_object& owner, const std::string& name, registry::getter read,
                         const std::string& description)
    : publication(std::string(owner.name()) + "." + name, std::move(read), description) {}

publication::publication(std::string path, registry::getter read, const std::string& description)
    : m_path(std::move(path)) {
  registry::instance().add(m_path, std::move(read), description);
}

publication::~publication() { registry::instance().remove(m_path); }

counter::counter(const sc_core::sc_object& owner, const std::string& name, const std::string& description)
    : m_publication(owner, name, [this] { return nlohmann::json(m_value); }, description) {}

}  // namespace nvr::stats
