#include "ip/plic/plic.h"

#include <stdexcept>
#include <string>

namespace nvr::plic {

namespace {

unsigned checked(const char* name, unsigned num_sources) {
  if (num_sources < 2 || num_sources > 1024)
    throw std::invalid_argument(std::string(name) +
                                ": the number of interrupt sources must be 2..1024, not " +
                                std::to_string(num_sources));
  return num_sources;
}

std::size_t words(unsigned num_sources) { return (num_sources + 31) / 32; }

}  // namespace

plic::plic(const sc_core::sc_module_name& name, unsigned num_sources)
    : peripheral(name),
      irq_sources("irq_sources", checked(this->name(), num_sources)),
      priority(*this, "priority", priority_base, num_sources, 4),
      pending(*this, "pending", pending_base, words(num_sources), 4, 0, core::access_policy::read_only),
      enable(*this, "enable", enable_base, words(num_sources), 4),
      threshold(*this, "threshold", context_base, 0),
      claim(*this, "claim", context_base + 4, 0),
      enable1(*this, "enable1", enable_base + enable_stride, words(num_sources), 4),
      threshold1(*this, "threshold1", context_base + context_stride, 0),
      claim1(*this, "claim1", context_base + context_stride + 4, 0),
      m_num_sources(num_sources),
      m_pending(num_sources, false),
      m_claimed(num_sources, false),
      m_claims(num_sources, 0),
      m_claims_stat(
          *this, "claims", [this] { return nlohmann::json(m_claims); },
          "claims per source (array indexed by source number)") {
  const auto update = [this](const core::access_context& context) { update_irq(context.time); };
  // QEMU's PLIC takes 32-bit accesses only.
  for (core::reg_base* r : registers()) r->set_min_access_size(4);

  for (std::size_t i = 0; i < priority.size(); ++i) {
    priority[i].set_write_mask(i == 0 ? 0 : max_priority);  // source 0 does not exist
    priority[i].on_write([this, i, update](std::uint32_t value, const core::access_context& context) {
      priority[i].set(value);
      update(context);
    });
  }
  for (std::size_t w = 0; w < pending.size(); ++w) {
    pending[w].on_read([this, w](const core::access_context&) {
      std::uint32_t bits = 0;
      for (unsigned b = 0; b < 32 && w * 32 + b < m_num_sources; ++b)
        if (m_pending[w * 32 + b]) bits |= 1u << b;
      return bits;
    });
  }
  for (std::size_t w = 0; w < enable.size(); ++w) {
    // Bits of source 0 and of sources beyond the last read as zero.
    std::uint32_t mask = ~0u;
    if (w == 0) mask &= ~1u;
    if ((w + 1) * 32 > num_sources) mask &= (1u << (num_sources - w * 32)) - 1;
    enable[w].set_write_mask(mask);
    enable1[w].set_write_mask(mask);
    enable[w].on_write([this, w, update](std::uint32_t value, const core::access_context& context) {
      enable[w].set(value);
      update(context);
    });
  }
  threshold.set_write_mask(max_priority);
  threshold1.set_write_mask(max_priority);
  threshold.on_write([this, update](std::uint32_t value, const core::access_context& context) {
    threshold.set(value);
    update(context);
  });

  claim.on_read([this](const core::access_context& context) -> std::uint32_t {
    const unsigned source = best();
    if (context.debug) return source;
    if (source != 0) {
      m_pending[source] = false;
      m_claimed[source] = true;
      ++m_claims[source];
    } else {
      ++m_empty_claims;
    }
    update_irq(context.time);
    return source;
  });
  claim.on_write([this](std::uint32_t source, const core::access_context& context) {
    // Completion: ids that are not in flight are ignored (as QEMU does, without an enable check).
    if (source == 0 || source >= m_num_sources || !m_claimed[source]) return;
    m_claimed[source] = false;
    // Level-triggered gateway: a source still asserted requests again.
    if (irq_sources[source].read()) m_pending[source] = true;
    update_irq(context.time);
  });
  claim1.on_read([](const core::access_context&) -> std::uint32_t { return 0; });
  claim1.on_write([](std::uint32_t, const core::access_context&) {});

  SC_METHOD(sample_sources);
  for (auto& source : irq_sources) sensitive << source;
}

void plic::before_end_of_elaboration() {
  for (auto& source : irq_sources)
    if (source.bind_count() == 0) source.bind(m_tie_off);
}

unsigned plic::best() const {
  unsigned source = 0;
  std::uint32_t level = threshold.get();
  for (unsigned i = 1; i < m_num_sources; ++i) {
    if (m_pending[i] && !m_claimed[i] && enabled(i) && priority[i].get() > level) {
      source = i;
      level = priority[i].get();
    }
  }
  return source;
}

void plic::sample_sources() {
  // Gateway: an asserted source becomes pending once; it requests again only after completion.
  bool changed = false;
  for (unsigned i = 1; i < m_num_sources; ++i) {
    if (irq_sources[i].read() && !m_pending[i] && !m_claimed[i]) {
      m_pending[i] = true;
      changed = true;
    }
  }
  if (changed) update_irq(sc_core::sc_time_stamp());
}

void plic::update_irq(const sc_core::sc_time& at) { m_irq_driver.set(best() != 0, at); }

void plic::reset() {
  peripheral::reset();
  m_pending.assign(m_num_sources, false);
  m_claimed.assign(m_num_sources, false);
  m_irq_driver.reset();
  // Sources still asserted request again (their ports can be read once the simulation started).
  const auto status = sc_core::sc_get_status();
  if (status == sc_core::SC_RUNNING || status == sc_core::SC_PAUSED) sample_sources();
}

}  // namespace nvr::plic
