#include "ip/cache/tlm_link.h"

namespace nvr::mem {

namespace {

struct time_scale {
  std::uint64_t units_per_ps = 1;  // resolution <= 1 ps
  std::uint64_t ps_per_unit = 0;   // resolution > 1 ps (then units_per_ps is 0)
};

const time_scale& scale() {
  static const time_scale s = [] {
    time_scale r;
    const sc_core::sc_time one_ps(1, sc_core::SC_PS);
    if (one_ps.value() >= 1) {
      r.units_per_ps = one_ps.value();
    } else {
      r.units_per_ps = 0;
      r.ps_per_unit = static_cast<std::uint64_t>(sc_core::sc_get_time_resolution().to_seconds() * 1e12 + 0.5);
    }
    return r;
  }();
  return s;
}

}  // namespace

time_ps to_ps(const sc_core::sc_time& t) {
  const time_scale& s = scale();
  return s.units_per_ps ? t.value() / s.units_per_ps : t.value() * s.ps_per_unit;
}

sc_core::sc_time from_ps(time_ps t) {
  const time_scale& s = scale();
  return sc_core::sc_time::from_value(s.units_per_ps ? t * s.units_per_ps : t / s.ps_per_unit);
}

time_ps tlm_timing_link::access(time_ps now, const request& r) {
  tlm::tlm_generic_payload p;
  mem_extension ext;
  ext.what = mem_extension::kind::timing_only;
  ext.is_prefetch = r.is_prefetch;
  ext.instruction_id = r.instruction_id;
  ext.values = r.values;
  ext.value_count = r.value_count;
  p.set_command(r.is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  p.set_address(r.address);
  p.set_data_ptr(m_scratch);  // timing only: never read or written
  p.set_data_length(r.size);
  p.set_streaming_width(r.size);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  p.set_extension(&ext);
  const sc_core::sc_time stamp = sc_core::sc_time_stamp();
  const time_ps base = to_ps(stamp);
  sc_core::sc_time delay = from_ps(now > base ? now - base : 0);
  m_socket->b_transport(p, delay);
  p.clear_extension(&ext);
  return to_ps(stamp + delay);
}

prefetch_status tlm_timing_link::prefetch(time_ps now, std::uint64_t address, unsigned depth,
                                          std::uint64_t instruction_id) {
  tlm::tlm_generic_payload p;
  mem_extension ext;
  ext.what = mem_extension::kind::prefetch;
  ext.depth = depth;
  ext.instruction_id = instruction_id;
  p.set_command(tlm::TLM_IGNORE_COMMAND);
  p.set_address(address);
  p.set_data_ptr(m_scratch);
  p.set_data_length(0);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  p.set_extension(&ext);
  const time_ps base = to_ps(sc_core::sc_time_stamp());
  sc_core::sc_time delay = from_ps(now > base ? now - base : 0);
  m_socket->b_transport(p, delay);
  p.clear_extension(&ext);
  return ext.status;
}

void serve_transport(timing_target& model, tlm::tlm_initiator_socket<>& below,
                     tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  mem_extension* ext = trans.get_extension<mem_extension>();
  const mem_extension::kind what = ext ? ext->what : mem_extension::kind::normal;
  const sc_core::sc_time stamp = sc_core::sc_time_stamp();
  const time_ps now = to_ps(stamp + delay);
  if (what == mem_extension::kind::prefetch) {
    ext->status = model.prefetch(now, trans.get_address(), ext->depth, ext->instruction_id);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  if (what != mem_extension::kind::data_only && trans.get_command() != tlm::TLM_IGNORE_COMMAND) {
    request r;
    r.address = trans.get_address();
    r.size = trans.get_data_length();
    r.is_write = trans.is_write();
    if (ext) {
      r.is_prefetch = ext->is_prefetch;
      r.instruction_id = ext->instruction_id;
      r.values = ext->values;
      r.value_count = ext->value_count;
    }
    const time_ps done = model.access(now, r);
    delay = from_ps(done) - stamp;
  }
  if (what == mem_extension::kind::timing_only) {
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  // The data: from the backing store, below every level, with no timing of its own.
  mem_extension local;
  local.what = mem_extension::kind::data_only;
  if (ext) {
    ext->what = mem_extension::kind::data_only;
  } else {
    trans.set_extension(&local);
  }
  sc_core::sc_time ignored = delay;
  below->b_transport(trans, ignored);
  if (ext) {
    ext->what = what;
  } else {
    trans.clear_extension(&local);
  }
}

}  // namespace nvr::mem
