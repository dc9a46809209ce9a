// nvr-rtl-replay [--fake-cache] [--param K=V]... [--rtl-param K=V]... [--min-prefetches N] FILE...
// Replays snoop streams recorded from firmware runs (nvr-vp --record-nvr-events FILE, format in
// rtl/README.md) into the TLM nvr_prefetcher and the RTL core behind its adapter in lock-step.
// By default each gets the recorded run's cache and memory played back: every question it asks
// (line_ready, prefetch_free, prefetch, capacity, a value read) must be the recorded one, in
// order, and gets the recorded answer, so both must redo the recorded run exactly. --fake-cache:
// each gets its own fake cache (tests/rtl/fake_cache.h) and the values the recorded run read, and
// may go its own way as long as both go the same. Either way both must issue the same prefetches
// (order, simulated time, line, depth, stream) and end with the same statistics (the RTL's
// model.rtl block aside), as test_rtl_core does for seeded random streams. --rtl-param gives the
// RTL other parameters (to show a difference is caught).
// Exit: 0 same, 1 different, 2 bad usage or a malformed recording.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <systemc>
#include <vector>

#include "ip/nvr/runahead.h"
#include "rtl/adapter/rtl_nvr.h"
#include "tests/rtl/fake_cache.h"

using namespace nvr;

namespace {

struct bad_input : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct read_record {
  std::uint64_t address;
  std::uint32_t bytes;
  bool ok;
  std::int64_t value;
};

// One recorded event with the memory reads the recorded unit made while handling it.
struct recorded_event {
  char type = 'I';
  mem::instruction_event instruction;
  bool enable = true;
  mem::access_event access;
  std::vector<std::int64_t> values;
  mem::fill_event fill;
  std::vector<read_record> reads;
};

// One question the recorded unit asked its memory side, in order: a value read (R), line_ready
// (L), prefetch_free (P), prefetch (Q), capacity_lines (C); `answer` what it got.
struct call_record {
  char type = 'R';
  std::uint64_t a = 0, b = 0, c = 0, d = 0;
  std::int64_t answer = 0;
  std::vector<recorded_event> nested;  // Q: the hooks the cache called inside prefetch()
};

std::uint64_t number(std::istringstream& in, const char* what) {
  std::string token;
  if (!(in >> token)) throw bad_input(std::string("missing ") + what);
  try {
    std::size_t used = 0;
    const unsigned long long v = std::stoull(token, &used, 0);
    if (used != token.size()) throw std::invalid_argument(token);
    return v;
  } catch (const std::exception&) {
    throw bad_input(std::string("bad ") + what + " '" + token + "'");
  }
}

std::int64_t signed_number(std::istringstream& in, const char* what) {
  std::string token;
  if (!(in >> token)) throw bad_input(std::string("missing ") + what);
  try {
    std::size_t used = 0;
    const long long v = std::stoll(token, &used, 0);
    if (used != token.size()) throw std::invalid_argument(token);
    return v;
  } catch (const std::exception&) {
    throw bad_input(std::string("bad ") + what + " '" + token + "'");
  }
}

struct recording {
  std::vector<recorded_event> events;
  std::vector<call_record> calls;  // in order (capacity_lines apart: a constant)
  std::int64_t capacity = -1;      // -1: never asked
};

recording load(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw bad_input(path + ": cannot read");
  std::string line;
  if (!std::getline(file, line) || line != "nvr-events 1")
    throw bad_input(path + ": not a recording of nvr-vp --record-nvr-events (no 'nvr-events 1' header)");
  recording rec;
  std::vector<recorded_event>& events = rec.events;
  std::vector<recorded_event> pending;  // nested hooks, before the prefetch() they belong to
  for (std::size_t n = 2; std::getline(file, line); ++n) {
    try {
      std::istringstream in(line);
      std::string type;
      in >> type;
      const bool nested = !type.empty() && type[0] == '+';
      if (nested) type.erase(0, 1);
      if (nested && type != "A" && type != "F") throw bad_input("only A and F records nest");
      recorded_event e;
      if (type == "R") {
        if (events.empty()) throw bad_input("a memory read before any event");
        read_record r{};
        r.address = number(in, "address");
        r.bytes = static_cast<std::uint32_t>(number(in, "size"));
        r.ok = number(in, "ok flag") != 0;
        r.value = signed_number(in, "value");
        events.back().reads.push_back(r);
        call_record c;
        c.type = 'R';
        c.a = r.address;
        c.b = r.bytes;
        c.c = r.ok;
        c.answer = r.value;
        rec.calls.push_back(std::move(c));
      } else if (type == "L" || type == "P" || type == "Q" || type == "C") {
        if (events.empty()) throw bad_input("a cache question before any event");
        call_record c;
        c.type = type[0];
        if (type == "L") {
          c.a = number(in, "address");
        } else if (type == "P") {
          c.a = number(in, "time");
        } else if (type == "Q") {
          c.a = number(in, "time");
          c.b = number(in, "address");
          c.c = number(in, "depth");
          c.d = number(in, "instruction id");
        }
        c.answer = static_cast<std::int64_t>(number(in, "answer"));
        if (type != "Q" && !pending.empty()) throw bad_input("nested hooks outside a prefetch");
        if (type == "Q") c.nested = std::move(pending);
        pending.clear();
        if (type == "C")
          rec.capacity = c.answer;
        else
          rec.calls.push_back(std::move(c));
      } else if (type == "I") {
        e.instruction.time = number(in, "time");
        e.instruction.sequence = static_cast<std::uint32_t>(number(in, "sequence"));
        for (auto& w : e.instruction.words) w = static_cast<std::uint32_t>(number(in, "instruction word"));
      } else if (type == "E") {
        e.type = 'E';
        e.instruction.time = number(in, "time");
        e.enable = number(in, "enable flag") != 0;
      } else if (type == "A") {
        e.type = 'A';
        mem::access_event& a = e.access;
        a.time = number(in, "time");
        a.address = number(in, "address");
        a.line_address = number(in, "line address");
        a.size = static_cast<std::uint32_t>(number(in, "size"));
        a.instruction_id = number(in, "instruction id");
        const std::uint64_t flags = number(in, "flags");
        a.is_write = flags & 1;
        a.hit = flags & 2;
        a.in_flight = flags & 4;
        a.prefetch_hit = flags & 8;
        const std::uint64_t count = number(in, "value count");
        if (count > 4096) throw bad_input("too many values");
        for (std::uint64_t i = 0; i < count; ++i) e.values.push_back(signed_number(in, "value"));
      } else if (type == "F") {
        e.type = 'F';
        mem::fill_event& f = e.fill;
        f.time = number(in, "time");
        f.ready = number(in, "ready time");
        f.line_address = number(in, "line address");
        const std::uint64_t flags = number(in, "flags");
        f.prefetch = flags & 1;
        f.evicted = flags & 2;
        f.evicted_unused_prefetch = flags & 4;
        f.evicted_line_address = number(in, "evicted line address");
      } else {
        throw bad_input("unknown record '" + type + "'");
      }
      std::string extra;
      if (in >> extra) throw bad_input("trailing '" + extra + "'");
      if (nested)
        pending.push_back(std::move(e));
      else if (type == "I" || type == "E" || type == "A" || type == "F")
        events.push_back(std::move(e));
    } catch (const bad_input& error) {
      throw bad_input(path + ":" + std::to_string(n) + ": " + error.what());
    }
  }
  if (events.empty()) throw bad_input(path + ": no events");
  if (!pending.empty()) throw bad_input(path + ": nested hooks at the end, outside a prefetch");
  return rec;
}

// The memory as the recorded unit read it: an index word has the value read last up to the
// current event (before its first read, that first value); a line is mapped if the unit ever
// probed it successfully (the memory map does not change during a run).
class recorded_memory final : public mem::value_source {
 public:
  explicit recorded_memory(const std::vector<recorded_event>& events) {
    for (const recorded_event& e : events)
      for (const read_record& r : e.reads) {
        if (r.bytes == 1 && r.ok) m_mapped.insert(r.address);
        m_words.emplace(key(r), r);
      }
  }
  void apply(const recorded_event& e) {
    for (const read_record& r : e.reads) m_words[key(r)] = r;
  }
  bool read(std::uint64_t address, std::uint32_t bytes, std::int64_t& value) const override {
    if (bytes == 1 && m_mapped.count(address)) {
      value = 0;
      return true;
    }
    const auto it = m_words.find({address, bytes});
    if (it == m_words.end() || !it->second.ok) return false;
    value = it->second.value;
    return true;
  }

 private:
  static std::pair<std::uint64_t, std::uint32_t> key(const read_record& r) { return {r.address, r.bytes}; }
  std::map<std::pair<std::uint64_t, std::uint32_t>, read_record> m_words;
  std::set<std::uint64_t> m_mapped;
};

// The recorded run's cache and memory, played back: each question must be the next one the
// recorded unit asked (same kind, same arguments) and gets the answer it got. A replayed unit
// that asks anything else has diverged from the recorded run.
struct diverged : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void deliver(const recorded_event& e, mem::prefetcher& p);

class scripted_side final : public mem::prefetch_sink, public mem::value_source {
 public:
  scripted_side(const std::vector<call_record>& calls, std::int64_t capacity)
      : m_calls(calls), m_capacity(capacity) {}
  mem::prefetch_status prefetch(mem::time_ps now, std::uint64_t address, unsigned depth,
                                std::uint64_t id) override {
    const call_record& c = next('Q', now, address, depth, id);
    issued.push_back({now, address, depth, id});
    for (const recorded_event& e : c.nested) deliver(e, *target);
    return static_cast<mem::prefetch_status>(c.answer);
  }
  std::uint32_t line_size() const override { return 64; }
  mem::time_ps line_ready(std::uint64_t address) const override {
    return static_cast<mem::time_ps>(next('L', address).answer);
  }
  mem::time_ps prefetch_free(mem::time_ps now) const override {
    return static_cast<mem::time_ps>(next('P', now).answer);
  }
  std::uint64_t capacity_lines() const override {
    if (m_capacity < 0) throw diverged("asked the cache's capacity, which the recorded run never did");
    return static_cast<std::uint64_t>(m_capacity);
  }
  bool read(std::uint64_t address, std::uint32_t bytes, std::int64_t& value) const override {
    const call_record& c = next('R', address, bytes);
    value = c.answer;
    return c.c != 0;
  }
  std::size_t left() const { return m_calls.size() - m_next; }

  std::vector<test::fake_cache::record> issued;
  mem::prefetcher* target = nullptr;  // gets the hooks the recorded cache called inside prefetch()

 private:
  const call_record& next(char type, std::uint64_t a = 0, std::uint64_t b = 0, std::uint64_t c = 0,
                          std::uint64_t d = 0) const {
    if (m_next >= m_calls.size())
      throw diverged(std::string("asked '") + type + "' after the recorded run's last question");
    const call_record& r = m_calls[m_next];
    // a value read's third field is its answer (ok), not an argument
    if (r.type != type || r.a != a || r.b != b || (type == 'Q' && (r.c != c || r.d != d))) {
      std::ostringstream m;
      m << "question " << m_next << ": asked " << type << std::hex << " 0x" << a << " 0x" << b << " 0x" << c
        << " 0x" << d << ", the recorded run asked " << r.type << " 0x" << r.a << " 0x" << r.b << " 0x" << r.c
        << " 0x" << r.d;
      throw diverged(m.str());
    }
    ++m_next;
    return r;
  }
  const std::vector<call_record>& m_calls;
  std::int64_t m_capacity;
  mutable std::size_t m_next = 0;
};

void deliver(const recorded_event& e, mem::prefetcher& p) {
  switch (e.type) {
    case 'I':
      p.on_instruction(e.instruction);
      break;
    case 'E':
      p.on_enable(e.instruction.time, e.enable);
      break;
    case 'A': {
      mem::access_event a = e.access;
      a.values = e.values.empty() ? nullptr : e.values.data();
      a.value_count = static_cast<std::uint32_t>(e.values.size());
      p.on_access(a);
      break;
    }
    case 'F':
      p.on_fill(e.fill);
      break;
  }
}

// Exact: the recorded cache's answers; the replayed unit must ask what the recorded one asked.
void replay_exact(const recording& rec, mem::prefetcher& p, scripted_side& side) {
  p.attach(&side, &side);
  side.target = &p;
  for (const recorded_event& e : rec.events) deliver(e, p);
  if (side.left() != 0)
    throw diverged("the recorded run asked " + std::to_string(side.left()) + " more questions");
}

void replay(const std::vector<recorded_event>& events, mem::prefetcher& p, test::fake_cache& cache) {
  recorded_memory memory(events);
  p.attach(&cache, &memory);
  for (const recorded_event& e : events) {
    memory.apply(e);
    if (e.type == 'F') {
      if (e.fill.evicted) cache.evict(e.fill.evicted_line_address);
      if (!e.fill.prefetch) cache.demand_fill(e.fill.line_address, e.fill.ready);
    }
    deliver(e, p);
  }
}

void parse_param(const std::string& text, mem::prefetcher_params& params) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) throw bad_input("parameter '" + text + "' is not KEY=VALUE");
  std::istringstream in(text.substr(eq + 1));
  params[text.substr(0, eq)] = signed_number(in, "parameter value");
}

using prefetch_list = std::vector<test::fake_cache::record>;

// 0 when the two lists are the same.
int same_prefetches(const std::string& path, const char* left, const prefetch_list& a, const char* right,
                    const prefetch_list& b) {
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    if (!(a[i] == b[i])) {
      std::cerr << path << ": prefetch " << i << " differs: " << left << " t=" << a[i].time << " line=0x"
                << std::hex << a[i].line << " depth=" << a[i].depth << " id=0x" << a[i].stream << ", "
                << right << " t=" << std::dec << b[i].time << " line=0x" << std::hex << b[i].line
                << " depth=" << b[i].depth << " id=0x" << b[i].stream << std::dec << '\n';
      return 1;
    }
  if (a.size() != b.size()) {
    std::cerr << path << ": " << left << " issued " << a.size() << " prefetches, " << right << " " << b.size()
              << '\n';
    return 1;
  }
  return 0;
}

// 0 when the two replays agree (and, exact, agree with the recorded run).
int compare(const std::string& path, const recording& rec, const runahead::nvr_config& tlm_config,
            const runahead::nvr_config& rtl_config, std::size_t min_prefetches, bool exact) {
  // The memory sides first: the prefetchers ask them again in final_stats and must not outlive them.
  scripted_side tlm_side(rec.calls, rec.capacity), rtl_side(rec.calls, rec.capacity);
  test::fake_cache tlm_cache, rtl_cache;
  runahead::nvr_prefetcher tlm(tlm_config);
  rtl::rtl_nvr_prefetcher core(rtl_config);
  prefetch_list a, b;
  if (exact) {
    prefetch_list recorded;
    for (const call_record& c : rec.calls)
      if (c.type == 'Q') recorded.push_back({c.a, c.b, static_cast<unsigned>(c.c), c.d});
    try {
      replay_exact(rec, tlm, tlm_side);
    } catch (const diverged& error) {
      std::cerr << path
                << ": the TLM diverged from the recorded run (another build or parameters?): " << error.what()
                << '\n';
      return 1;
    }
    try {
      replay_exact(rec, core, rtl_side);
    } catch (const diverged& error) {
      std::cerr << path << ": the RTL diverged from the recorded run: " << error.what() << '\n';
      if (same_prefetches(path, "TLM", tlm_side.issued, "RTL", rtl_side.issued) == 0)
        std::cerr << path << ": (the prefetches up to there were the same)\n";
      return 1;
    }
    if (same_prefetches(path, "recorded", recorded, "TLM", tlm_side.issued) != 0) return 1;
    a = std::move(tlm_side.issued);
    b = std::move(rtl_side.issued);
  } else {
    replay(rec.events, tlm, tlm_cache);
    replay(rec.events, core, rtl_cache);
    a = std::move(tlm_cache.issued);
    b = std::move(rtl_cache.issued);
  }
  if (same_prefetches(path, "TLM", a, "RTL", b) != 0) return 1;
  nlohmann::json rs = core.final_stats();
  const nlohmann::json rtl_block = rs["model"]["rtl"];
  rs["model"].erase("rtl");
  const nlohmann::json ts = tlm.final_stats();
  if (ts != rs) {
    std::cerr << path << ": the final statistics differ\nTLM: " << ts.dump() << "\nRTL: " << rs.dump()
              << '\n';
    return 1;
  }
  if (a.size() < min_prefetches) {
    std::cerr << path << ": only " << a.size() << " prefetches (at least " << min_prefetches
              << " expected): the recording does not exercise the unit\n";
    return 1;
  }
  std::size_t counts[4] = {};
  for (const recorded_event& e : rec.events)
    ++counts[e.type == 'I' ? 0 : e.type == 'E' ? 1 : e.type == 'A' ? 2 : 3];
  std::cout << path << ": " << (exact ? "recorded cache" : "fake cache") << ", same " << a.size()
            << " prefetches and statistics (" << counts[0] << " instructions, " << counts[1] << " enables, "
            << counts[2] << " accesses, " << counts[3] << " fills, " << rec.calls.size()
            << " memory-side questions; core " << rtl_block["cycles"] << " cycles, "
            << rtl_block["operations"] << " operations)\n";
  return 0;
}

constexpr const char* usage =
    "usage: nvr-rtl-replay [--fake-cache] [--param K=V]... [--rtl-param K=V]... [--min-prefetches N] "
    "FILE...\n";

}  // namespace

// sc_main: the engine takes simulated time from SystemC (the library brings main).
int sc_main(int argc, char** argv) {
  try {
    mem::prefetcher_params params, rtl_only;
    std::size_t min_prefetches = 1;
    std::vector<std::string> files;
    bool exact = true;
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      const bool has_value = i + 1 < argc;
      if (arg == "--fake-cache") {
        exact = false;
      } else if (arg == "--param" && has_value) {
        parse_param(argv[++i], params);
      } else if (arg == "--rtl-param" && has_value) {
        parse_param(argv[++i], rtl_only);
      } else if (arg == "--min-prefetches" && has_value) {
        std::istringstream in(argv[++i]);
        min_prefetches = static_cast<std::size_t>(number(in, "--min-prefetches"));
      } else if (!arg.empty() && arg[0] == '-') {
        throw bad_input("unknown or incomplete option '" + arg + "'\n" + usage);
      } else {
        files.push_back(arg);
      }
    }
    if (files.empty()) throw bad_input(std::string("no recording given\n") + usage);
    mem::prefetcher_params rtl_params = params;
    for (const auto& [k, v] : rtl_only) rtl_params[k] = v;
    const runahead::nvr_config tlm_config = runahead::parse_nvr_config(params);
    const runahead::nvr_config rtl_config = runahead::parse_nvr_config(rtl_params);
    int status = 0;
    for (const std::string& path : files)
      if (compare(path, load(path), tlm_config, rtl_config, min_prefetches, exact) != 0) status = 1;
    return status;
  } catch (const bad_input& error) {
    std::cerr << "nvr-rtl-replay: " << error.what() << '\n';
    return 2;
  } catch (const diverged& error) {
    std::cerr << "nvr-rtl-replay: diverged from the recorded run: " << error.what() << '\n';
    return 1;
  } catch (const std::invalid_argument& error) {
    std::cerr << "nvr-rtl-replay: " << error.what() << '\n';
    return 2;
  }
}
