#include "tools/trace-sim/recorder.h"

#include <stdexcept>

namespace nvr::trace {

void recorder::on_request(mem::time_ps now, const mem::request& r, mem::entry_level at) {
  const bool fetch = at == mem::entry_level::l2;
  if (fetch && r.is_write)
    throw std::logic_error("memory trace: a write entering at the L2 cannot be recorded (only reads, op F)");
  record rec;
  rec.address = r.address;
  rec.size = r.size;
  rec.is_write = r.is_write;
  rec.fetch = fetch;
  rec.instruction_id = r.instruction_id;
  rec.time = now;
  rec.value_count = r.values ? r.value_count : 0;
  if (rec.value_count != 0 && (rec.value_count > 0xffff || r.size % rec.value_count != 0)) {
    // The format places element i at address + i * size / count, so values that do not tile the
    // request cannot be written (the NPU sends the few indices of a partial index line with the
    // whole line's address and size).
    rec.value_count = 0;
    ++m_values_dropped;
  }
  m_writer.add(rec, r.values);
}

}  // namespace nvr::trace
