// The statistics registry: every model publishes its counters here under its hierarchical
// SystemC name, and the platform writes them all as one JSON document at the end of a run.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace sc_core {
class sc_object;
}

namespace nvr::stats {

// A value published under a dotted path ("soc.cpu.instructions"). Counters are plain integers
// owned by their model (hot paths increment them without indirection); derived values are
// computed when the registry is read.
class registry {
 public:
  using getter = std::function<nlohmann::json()>;

  static registry& instance();

  // Registers `read` under `path`; a second registration of the same path is an error
  // (std::invalid_argument), since two models would silently overwrite each other's figures.
  void add(const std::string& path, getter read, const std::string& description = {});
  void remove(const std::string& path);
  bool contains(const std::string& path) const;
  nlohmann::json value(const std::string& path) const;

  // All values, nested by the dots of their paths: {"soc": {"cpu": {"instructions": 5}}}.
  nlohmann::json to_json() const;
  // Path -> description, for documentation and --help-stats.
  std::map<std::string, std::string> descriptions() const;

 private:
  struct entry {
    getter read;
    std::string description;
  };
  std::map<std::string, entry> m_entries;
};

// Registers a value on construction and removes it on destruction, so a model that dies takes
// its figures with it and the registry never holds dangling references. Not copyable.
class publication {
 public:
  publication(const sc_core::sc_object& owner, const std::string& name, registry::getter read,
              const std::string& description = {});
  publication(std::string path, registry::getter read, const std::string& description = {});
  ~publication();
  publication(const publication&) = delete;
  publication& operator=(const publication&) = delete;

  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

// A monotonically increasing event count owned by a model. Increment cost: one add.
class counter {
 public:
  counter(const sc_core::sc_object& owner, const std::string& name, const std::string& description = {});

  counter& operator++() {
    ++m_value;
    return *this;
  }
  counter& operator+=(std::uint64_t n) {
    m_value += n;
    return *this;
  }
  std::uint64_t value() const { return m_value; }
  void reset() { m_value = 0; }

 private:
  std::uint64_t m_value = 0;
  publication m_publication;  // declared after m_value: it reads it
};

}  // namespace nvr::stats
