#include "ip/cache/hierarchy.h"

#include <stdexcept>

#include "ip/prefetch/factory.h"

namespace nvr::mem {

cache_config hierarchy_config::default_nsb() {
  cache_config c;
  c.size = 16 * 1024;
  c.line = 64;
  c.ways = 16;
  c.replacement = replacement_policy::plru;
  c.mshrs = 16;
  // Prefetches have their own 16, so that a prefetch never holds an MSHR one of the NPU's 16 DMA
  // requests in flight needs (with one shared pool they would take turns).
  c.prefetch_mshrs = 16;
  c.hit_latency = 2;
  c.ports = 1;
  c.clock_period = 1000;
  return c;
}

cache_config hierarchy_config::default_l2() {
  cache_config c;
  c.size = 256 * 1024;
  c.line = 64;
  c.ways = 8;
  c.replacement = replacement_policy::plru;
  c.mshrs = 32;
  c.prefetch_mshrs = 16;
  c.hit_latency = 12;
  c.ports = 1;
  c.clock_period = 1000;
  c.seed = 2;
  return c;
}

namespace {
const hierarchy_config& checked(const hierarchy_config& c) {
  if (c.prefetch_level != "nsb" && c.prefetch_level != "l2")
    throw std::invalid_argument("prefetch level '" + c.prefetch_level + "' is neither nsb nor l2");
  return c;
}
}  // namespace

hierarchy::hierarchy(const std::string& name, const hierarchy_config& config,
                     const prefetcher_environment& env, const value_source* values)
    : m_config(checked(config)),
      m_dram(name.empty() ? "" : name + ".dram", config.dram),
      m_l2(name.empty() ? "" : name + ".l2", config.l2, &m_dram),
      m_nsb(name.empty() ? "" : name + ".nsb", config.nsb, &m_l2),
      m_prefetcher(prefetcher_factory::instance().make(config.prefetcher, config.prefetcher_params, env)),
      m_values(values) {
  if (m_prefetcher) prefetch_cache().set_prefetcher(m_prefetcher.get(), values);
}

void hierarchy::attach_prefetcher(prefetcher* p) {
  if (m_prefetcher) throw std::logic_error("hierarchy: it has a prefetcher of its own");
  m_external = p;
  prefetch_cache().set_prefetcher(p, m_values);
}

void hierarchy::set_observer(request_observer* o) {
  m_observer = o;
  m_l2.set_observer(o ? &m_l2_tap : nullptr);
}

time_ps hierarchy::observed_access(time_ps now, const request& r) {
  if (!r.is_prefetch) m_observer->on_request(now, r, entry_level::nsb);
  m_inside = true;
  const time_ps done = m_nsb.access(now, r);
  m_inside = false;
  return done;
}

prefetch_status hierarchy::observed_prefetch(time_ps now, std::uint64_t address, unsigned depth,
                                             std::uint64_t instruction_id) {
  // A prefetch that evicts a dirty NSB line writes it back to the L2: not an outside request.
  m_inside = true;
  const prefetch_status status = m_nsb.prefetch(now, address, depth, instruction_id);
  m_inside = false;
  return status;
}

void hierarchy::enable_tracing(const std::string& prefix) {
  m_nsb.enable_tracing(prefix + ".nsb");
  m_l2.enable_tracing(prefix + ".l2");
  m_dram.enable_tracing(prefix + ".dram");
  if (m_prefetcher) m_prefetcher->enable_tracing(prefix + "." + m_prefetcher->name());
}

}  // namespace nvr::mem
