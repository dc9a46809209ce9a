#include "tools/trace-sim/replay.h"

#include <algorithm>
#include <stdexcept>

namespace nvr::trace {

namespace {

// Where a request enters: F records at the L2 of a hierarchy; a bare timing target has only a top.
mem::time_ps enter(mem::timing_target& top, const mem::request& q, bool fetch, mem::time_ps issue) {
  (void)fetch;
  return top.access(issue, q);
}
mem::time_ps enter(mem::hierarchy& top, const mem::request& q, bool fetch, mem::time_ps issue) {
  return fetch ? top.l2().access(issue, q) : top.access(issue, q);
}

template <typename Target>
replay_result replay_through(Target& top, const trace& t, const replay_config& config) {
  if (config.max_outstanding == 0) throw std::invalid_argument("replay: max_outstanding must be at least 1");
  // The requests are built once: every pass issues the same ones.
  std::vector<mem::request> requests;
  std::vector<bool> fetch;
  requests.reserve(t.records.size());
  fetch.reserve(t.records.size());
  std::uint64_t pass_bytes = 0;
  for (const record& r : t.records) {
    requests.push_back(t.request_of(r));
    fetch.push_back(r.fetch);
    pass_bytes += r.size;
  }
  std::vector<mem::time_ps> in_flight(config.max_outstanding, 0);  // completion per slot, a ring
  std::size_t slot = 0;
  mem::time_ps next_issue = 0, end = 0;
  std::uint64_t total_latency = 0;
  for (std::uint32_t pass = 0; pass < config.repeat; ++pass) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const mem::time_ps issue = std::max(next_issue, in_flight[slot]);
      const mem::time_ps done = enter(top, requests[i], fetch[i], issue);
      in_flight[slot] = done;
      if (++slot == in_flight.size()) slot = 0;
      next_issue = issue + config.issue_interval;
      end = std::max(end, done);
      total_latency += done - issue;
    }
  }
  replay_result result;
  result.accesses = std::uint64_t{config.repeat} * requests.size();
  result.bytes = std::uint64_t{config.repeat} * pass_bytes;
  result.end = end;
  result.total_latency_ps = total_latency;
  return result;
}

}  // namespace

replay_result replay(mem::timing_target& top, const trace& t, const replay_config& config) {
  return replay_through(top, t, config);
}

replay_result replay(mem::hierarchy& top, const trace& t, const replay_config& config) {
  return replay_through(top, t, config);
}

namespace {
void push_lines(std::vector<std::uint64_t>& lines, std::uint64_t address, std::uint32_t size,
                std::uint32_t line) {
  const std::uint64_t end = address + (size ? size : 1);
  for (std::uint64_t l = address & ~std::uint64_t{line - 1}; l < end; l += line) lines.push_back(l);
}

// Collects the line addresses of the demand requests a cache is asked for.
class line_collector final : public mem::access_observer {
 public:
  line_collector(std::vector<std::uint64_t>& lines, std::uint32_t line) : m_lines(lines), m_line(line) {}
  void observe(mem::time_ps, const mem::request& r) override {
    push_lines(m_lines, r.address, r.size, m_line);
  }

 private:
  std::vector<std::uint64_t>& m_lines;
  std::uint32_t m_line;
};
}  // namespace

std::shared_ptr<const std::vector<std::uint64_t>> demand_lines(const trace& t, std::uint32_t line,
                                                               std::uint32_t repeat) {
  auto lines = std::make_shared<std::vector<std::uint64_t>>();
  for (std::uint32_t pass = 0; pass < repeat; ++pass)
    for (const record& r : t.records) push_lines(*lines, r.address, r.size, line);
  return lines;
}

std::shared_ptr<const std::vector<std::uint64_t>> demand_lines(const trace& t,
                                                               const mem::hierarchy_config& config,
                                                               std::uint32_t repeat) {
  auto lines = std::make_shared<std::vector<std::uint64_t>>();
  if (config.prefetch_level == "nsb" && config.nsb.size != 0) {
    // The NSB sees the records that enter at the top, and nothing else.
    for (std::uint32_t pass = 0; pass < repeat; ++pass)
      for (const record& r : t.records)
        if (!r.fetch) push_lines(*lines, r.address, r.size, config.nsb.line);
    return lines;
  }
  if (config.nsb.size == 0) {
    // The bypassed NSB passes every request down unchanged.
    for (std::uint32_t pass = 0; pass < repeat; ++pass)
      for (const record& r : t.records) push_lines(*lines, r.address, r.size, config.l2.line);
    return lines;
  }
  // The L2 behind an NSB sees the NSB's fills and write-backs between the fetches. They follow
  // from the order of the records alone (no timing decides a replacement and the NSB has no
  // prefetcher when the L2 has it), so a replay without prefetcher gives the same sequence.
  mem::hierarchy_config plain = config;
  plain.prefetcher = "none";
  plain.prefetcher_params.clear();
  mem::hierarchy h("", plain);
  line_collector collect(*lines, config.l2.line);
  h.l2().set_observer(&collect);
  replay_config rc;
  rc.repeat = repeat;
  replay(h, t, rc);
  return lines;
}

}  // namespace nvr::trace
