#include "core/trace/session.h"

#include <stdexcept>

namespace nvr::trace {

std::string save_file_for(const std::string& vcd_file) {
  const std::string extension = ".vcd";
  if (vcd_file.size() > extension.size() &&
      vcd_file.compare(vcd_file.size() - extension.size(), extension.size(), extension) == 0)
    return vcd_file.substr(0, vcd_file.size() - extension.size()) + ".gtkw";
  return vcd_file + ".gtkw";
}

session::session(const config& settings, const std::string& version) {
  if (!settings.vcd_file.empty()) {
    vcd_writer::options options;
    options.groups = settings.vcd_groups;
    options.save_file = save_file_for(settings.vcd_file);
    options.version = version;
    try {
      m_vcd = std::make_unique<vcd_writer>(settings.vcd_file, options);
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument(std::string("--vcd-groups: ") + error.what());
    } catch (const std::runtime_error& error) {
      throw std::runtime_error(std::string("--vcd: ") + error.what());
    }
  }
  if (!settings.bus_file.empty()) {
    try {
      m_bus = std::make_unique<bus_trace>(settings.bus_file, settings.filter);
    } catch (const std::runtime_error& error) {
      throw std::runtime_error(std::string("--trace-bus: ") + error.what());
    }
  }
}

session::~session() { close(); }

std::string session::close() {
  std::string errors;
  if (m_vcd && !m_vcd->close()) errors += "--vcd: writing '" + m_vcd->path() + "' failed";
  if (m_bus && !m_bus->close())
    errors +=
        (errors.empty() ? "" : "; ") + std::string("--trace-bus: writing '") + m_bus->path() + "' failed";
  return errors;
}

}  // namespace nvr::trace
