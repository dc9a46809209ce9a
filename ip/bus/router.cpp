#include "ip/bus/router.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace nvr::bus {

namespace {

std::string hex(std::uint64_t value) {
  std::ostringstream text;
  text << "0x" << std::hex << value;
  return text.str();
}

std::string describe(const std::string& name, std::uint64_t base, std::uint64_t size) {
  return "'" + name + "' [" + hex(base) + ", " + hex(base + size - 1) + "]";
}

}  // namespace

router::router(const sc_core::sc_module_name& name, const sc_core::sc_time& latency)
    : sc_module(name), in("in"), out("out"), m_latency(latency) {
  in.register_b_transport(this, &router::b_transport);
  in.register_transport_dbg(this, &router::transport_dbg);
  in.register_get_direct_mem_ptr(this, &router::get_direct_mem_ptr);
  out.register_invalidate_direct_mem_ptr(this, &router::invalidate_direct_mem_ptr);
}

void router::map(tlm::tlm_target_socket<32>& target, std::uint64_t base, std::uint64_t size,
                 const std::string& name) {
  const std::string prefix = std::string(this->name()) + ": cannot map ";
  if (name.empty()) throw std::invalid_argument(prefix + "a target without a name");
  if (size == 0) throw std::invalid_argument(prefix + "'" + name + "': its size is zero");
  if (base + (size - 1) < base)
    throw std::invalid_argument(prefix + "'" + name + "' at " + hex(base) + " with size " + hex(size) +
                                ": the range passes the end of the address space");
  for (const auto& other : m_by_base) {
    if (other->name == name)
      throw std::invalid_argument(prefix + "'" + name + "': the name is already mapped");
    if (base <= other->end() && other->base <= base + (size - 1))
      throw std::invalid_argument(prefix + describe(name, base, size) + ": it overlaps " +
                                  describe(other->name, other->base, other->size));
  }
  auto entry = std::make_unique<mapping>();
  entry->name = name;
  entry->base = base;
  entry->size = size;
  entry->port = static_cast<unsigned>(m_by_port.size());
  entry->transactions =
      std::make_unique<stats::counter>(*this, "transactions." + name, "transactions routed to " + name);
  out.bind(target);
  m_by_port.push_back(entry.get());
  const auto where =
      std::upper_bound(m_by_base.begin(), m_by_base.end(), base,
                       [](std::uint64_t b, const std::unique_ptr<mapping>& m) { return b < m->base; });
  m_by_base.insert(where, std::move(entry));
}

const router::mapping* router::find(std::uint64_t address) const {
  auto it = std::upper_bound(m_by_base.begin(), m_by_base.end(), address,
                             [](std::uint64_t a, const std::unique_ptr<mapping>& m) { return a < m->base; });
  if (it == m_by_base.begin()) return nullptr;
  const mapping* candidate = std::prev(it)->get();
  return address <= candidate->end() ? candidate : nullptr;
}

std::vector<const router::mapping*> router::mappings() const {
  std::vector<const mapping*> result;
  for (const auto& m : m_by_base) result.push_back(m.get());
  return result;
}

void router::b_transport(int id, tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  if (__builtin_expect(m_trace != nullptr, 0)) {
    // The initiator's local time when it issued the transaction (the target may wait).
    const sc_core::sc_time at = sc_core::sc_time_stamp() + delay;
    route(payload, delay);
    m_trace->record(at, initiator_name(id), payload);
    return;
  }
  route(payload, delay);
}

unsigned int router::transport_dbg(int id, tlm::tlm_generic_payload& payload) {
  const unsigned done = route_debug(payload);
  if (m_trace != nullptr) m_trace->record_debug(initiator_name(id), payload, done);
  return done;
}

void router::route(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  delay += m_latency;
  const std::uint64_t address = payload.get_address();
  const unsigned length = payload.get_data_length();
  const unsigned streaming = payload.get_streaming_width();
  const std::uint64_t extent = std::max(1u, streaming != 0 && streaming < length ? streaming : length);
  const mapping* target = find(address);
  if (target == nullptr || extent - 1 > target->end() - address) {
    payload.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    ++m_errors;
    if (target == nullptr) ++m_unmapped;
    report_error(payload,
                 target == nullptr ? "no target mapped there" : "the access crosses the end of a target");
    return;
  }
  ++*target->transactions;
  payload.set_address(address - target->base);
  out[target->port]->b_transport(payload, delay);
  payload.set_address(address);
  if (payload.is_response_error()) ++m_errors;
}

unsigned int router::route_debug(tlm::tlm_generic_payload& payload) {
  const std::uint64_t address = payload.get_address();
  const unsigned length = payload.get_data_length();
  const mapping* target = find(address);
  if (target == nullptr) return 0;
  // Clipped at the end of the target: the caller learns how many bytes reached it.
  const std::uint64_t room = target->end() - address + 1;
  const unsigned clipped = room < length ? static_cast<unsigned>(room) : length;
  payload.set_address(address - target->base);
  payload.set_data_length(clipped);
  const unsigned done = out[target->port]->transport_dbg(payload);
  payload.set_address(address);
  payload.set_data_length(length);
  return done;
}

bool router::get_direct_mem_ptr(int, tlm::tlm_generic_payload& payload, tlm::tlm_dmi& dmi) {
  const std::uint64_t address = payload.get_address();
  const mapping* target = find(address);
  if (target == nullptr) {
    // Deny DMI over the whole unmapped gap around the address.
    auto next =
        std::upper_bound(m_by_base.begin(), m_by_base.end(), address,
                         [](std::uint64_t a, const std::unique_ptr<mapping>& m) { return a < m->base; });
    dmi.set_start_address(next == m_by_base.begin() ? 0 : (*std::prev(next))->end() + 1);
    dmi.set_end_address(next == m_by_base.end() ? ~sc_dt::uint64{0} : (*next)->base - 1);
    dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
    return false;
  }
  payload.set_address(address - target->base);
  const bool granted = out[target->port]->get_direct_mem_ptr(payload, dmi);
  payload.set_address(address);

  // Target-local range -> global, clipped to the mapping (the pointer follows the start).
  const std::uint64_t local_start = dmi.get_start_address();
  const std::uint64_t local_end = dmi.get_end_address();
  const std::uint64_t start = std::min(local_start, target->size - 1);
  const std::uint64_t end = std::min(local_end, target->size - 1);
  if (granted && dmi.get_dmi_ptr() != nullptr) dmi.set_dmi_ptr(dmi.get_dmi_ptr() + (start - local_start));
  dmi.set_start_address(target->base + start);
  dmi.set_end_address(target->base + std::max(start, end));
  if (granted) {
    dmi.set_read_latency(dmi.get_read_latency() + m_latency);
    dmi.set_write_latency(dmi.get_write_latency() + m_latency);
  }
  return granted;
}

void router::invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end) {
  if (port < 0 || static_cast<std::size_t>(port) >= m_by_port.size()) return;
  const mapping& target = *m_by_port[port];
  if (start > target.size - 1 || start > end) return;
  const sc_dt::uint64 global_start = target.base + start;
  const sc_dt::uint64 global_end = target.base + std::min<sc_dt::uint64>(end, target.size - 1);
  for (unsigned i = 0; i < in.size(); ++i) in[i]->invalidate_direct_mem_ptr(global_start, global_end);
}

const std::string& router::initiator_name(int id) {
  if (m_initiator_names.size() != in.size()) name_initiators();
  return m_initiator_names.at(static_cast<std::size_t>(id));
}

void router::name_initiators() {
  // Each initiator bound to `in` holds one of the socket's binders as its interface: find the
  // initiator ports whose interface is that binder (the outermost one for hierarchical binding).
  using fw_port = sc_core::sc_port_b<tlm::tlm_fw_transport_if<>>;
  const auto& binders = static_cast<tlm_utils::multi_target_base_if<>&>(in).get_binders();
  m_initiator_names.assign(binders.size(), std::string());
  const auto visit = [&](const std::vector<sc_core::sc_object*>& objects, auto& self) -> void {
    for (sc_core::sc_object* object : objects) {
      if (auto* port = dynamic_cast<fw_port*>(object)) {
        for (int i = 0; i < port->size(); ++i)
          for (std::size_t b = 0; b < binders.size(); ++b)
            if (m_initiator_names[b].empty() &&
                (*port)[i] == static_cast<tlm::tlm_fw_transport_if<>*>(binders[b]))
              m_initiator_names[b] = port->name();
      }
      self(object->get_child_objects(), self);
    }
  };
  visit(sc_core::sc_get_top_level_objects(), visit);
  for (std::size_t b = 0; b < binders.size(); ++b)
    if (m_initiator_names[b].empty()) m_initiator_names[b] = "in[" + std::to_string(b) + "]";
}

void router::report_error(const tlm::tlm_generic_payload& payload, const char* what) const {
  if (sc_core::sc_report_handler::get_verbosity_level() < sc_core::SC_DEBUG) return;
  std::ostringstream message;
  message << name() << ": " << (payload.is_read() ? "read" : "write") << " of " << payload.get_data_length()
          << " bytes at 0x" << std::hex << payload.get_address() << ": " << what;
  SC_REPORT_INFO_VERB("nvr/bus", message.str().c_str(), sc_core::SC_DEBUG);
}

}  // namespace nvr::bus
