#include "ip/nvr/detectors.h"

#include <algorithm>
#include <stdexcept>

namespace nvr::runahead {

namespace {
template <typename Entry>
Entry& lookup_or_allocate(std::vector<Entry>& entries, std::uint64_t key) {
  for (Entry& e : entries)
    if (e.valid && e.key == key) return e;
  // A free entry, else the least recently used.
  Entry* victim = &entries.front();
  for (Entry& e : entries) {
    if (!e.valid) {
      victim = &e;
      break;
    }
    if (e.stamp < victim->stamp) victim = &e;
  }
  *victim = Entry{};
  victim->key = key;
  return *victim;
}

template <typename Entry>
const Entry* lookup(const std::vector<Entry>& entries, std::uint64_t key) {
  for (const Entry& e : entries)
    if (e.valid && e.key == key) return &e;
  return nullptr;
}

template <typename Entry>
unsigned count_valid(const std::vector<Entry>& entries) {
  return static_cast<unsigned>(
      std::count_if(entries.begin(), entries.end(), [](const Entry& e) { return e.valid; }));
}

std::uint8_t up(std::uint8_t c) { return c < 3 ? c + 1 : 3; }
std::uint8_t down(std::uint8_t c) { return c > 0 ? c - 1 : 0; }
}  // namespace

// ---- stride detector ----

stride_detector::stride_detector(unsigned entries) : m_entries(entries) {
  if (entries == 0) throw std::invalid_argument("stride detector: needs at least one entry");
}

const stride_detector::entry& stride_detector::observe(std::uint64_t key, std::int64_t value) {
  entry& e = lookup_or_allocate(m_entries, key);
  e.stamp = ++m_clock;
  if (!e.valid) {
    e.valid = true;
    e.last = value;
    return e;
  }
  const std::int64_t delta = value - e.last;
  if (!e.seen) {
    e.stride = delta;
    e.seen = true;
  } else {
    e.prefetch_confidence =
        value == e.last_prediction ? up(e.prefetch_confidence) : down(e.prefetch_confidence);
    if (delta == e.stride) {
      e.confidence = up(e.confidence);
    } else {
      // A different stride lowers the confidence; at zero it replaces the stride, so a loop's
      // wrap-around does not unlearn the stride of its body.
      e.confidence = down(e.confidence);
      if (e.confidence == 0) e.stride = delta;
    }
  }
  e.last = value;
  e.last_prediction = value + e.stride;
  return e;
}

const stride_detector::entry* stride_detector::find(std::uint64_t key) const {
  return lookup(m_entries, key);
}
stride_detector::entry* stride_detector::find(std::uint64_t key) {
  return const_cast<entry*>(static_cast<const stride_detector&>(*this).find(key));
}

std::optional<std::int64_t> stride_detector::predict(std::uint64_t key) const {
  const entry* e = find(key);
  if (!e || !confident(*e)) return std::nullopt;
  return e->last + e->stride;
}

unsigned stride_detector::occupancy() const { return count_valid(m_entries); }

void stride_detector::reset() {
  std::fill(m_entries.begin(), m_entries.end(), entry{});
  m_clock = 0;
}

// ---- loop bound detector ----

loop_bound_detector::loop_bound_detector(unsigned entries) : m_entries(entries) {
  if (entries == 0) throw std::invalid_argument("loop bound detector: needs at least one entry");
}

void loop_bound_detector::observe(std::uint64_t key, std::int64_t value) {
  entry& e = lookup_or_allocate(m_entries, key);
  e.stamp = ++m_clock;
  if (!e.valid) {
    e.valid = true;
    e.start = e.last = value;
    return;
  }
  const std::int64_t delta = value - e.last;
  if (!e.seen) {
    e.increment = delta;
    e.seen = true;
    e.iteration = 1;
  } else if (delta == e.increment) {
    e.iteration = std::min(e.iteration + 1, max_count);
  } else {
    // The run ended after iteration + 1 values: its trip count enters the EWMA (weight 1/4).
    const std::uint32_t trip = std::min(e.iteration + 1, max_count);
    std::uint32_t next = e.ewma == 0 ? trip : std::min((3 * e.ewma + trip + 2) / 4, max_count);
    // Integer rounding alone stalls within [trip - 1, trip + 2] and would never match the trip
    // count again: step at least one toward it.
    if (next == e.ewma && trip != e.ewma) next = trip > e.ewma ? e.ewma + 1 : e.ewma - 1;
    e.ewma = next;
    e.confidence = trip == e.ewma ? up(e.confidence) : down(e.confidence);
    e.start_delta = value - e.start;
    e.start = value;
    e.iteration = 0;
  }
  e.last = value;
}

const loop_bound_detector::entry* loop_bound_detector::find(std::uint64_t key) const {
  return lookup(m_entries, key);
}

std::optional<std::uint32_t> loop_bound_detector::trip_count(std::uint64_t key) const {
  const entry* e = find(key);
  if (!e || e->confidence < 2 || e->ewma == 0) return std::nullopt;
  return e->ewma;
}

bool loop_bound_detector::wraps_after(std::uint64_t key, std::uint32_t iteration) const {
  const std::optional<std::uint32_t> trip = trip_count(key);
  return trip && iteration + 1 >= *trip;
}

unsigned loop_bound_detector::occupancy() const { return count_valid(m_entries); }

void loop_bound_detector::reset() {
  std::fill(m_entries.begin(), m_entries.end(), entry{});
  m_clock = 0;
}

// ---- sparse chain detector ----

chain_detector::chain_detector(unsigned entries) : m_entries(entries) {
  if (entries == 0) throw std::invalid_argument("chain detector: needs at least one entry");
}

void chain_detector::program(unsigned slot, const entry& e) {
  if (e.vector_size == 0) throw std::invalid_argument("chain detector: vector size must be positive");
  entry& d = m_entries.at(slot);
  d = e;
  d.valid = true;
  d.last_prefetched = e.ss_start;
}

void chain_detector::set_bounds(unsigned slot, std::int64_t ss_start, std::int64_t ss_end) {
  entry& d = m_entries.at(slot);
  d.ss_start = ss_start;
  d.ss_end = ss_end;
  d.last_prefetched = ss_start;
}

bool chain_detector::exhausted(unsigned slot) const {
  const entry& d = m_entries.at(slot);
  return !d.valid || d.last_prefetched >= d.ss_end;
}

std::vector<lane> chain_detector::next_vector(unsigned slot) {
  std::vector<lane> lanes;
  entry& d = m_entries.at(slot);
  if (exhausted(slot)) return lanes;
  lanes.resize(d.vector_size);
  for (unsigned i = 0; i < d.vector_size; ++i) {
    lanes[i].position = d.last_prefetched + i;
    lanes[i].active = lanes[i].position >= d.ss_start && lanes[i].position < d.ss_end;
  }
  d.last_prefetched = std::min(d.last_prefetched + static_cast<std::int64_t>(d.vector_size), d.ss_end);
  return lanes;
}

bool chain_detector::resolve(unsigned slot, lane& l, std::int64_t index) const {
  const entry& d = m_entries.at(slot);
  if (!l.active || index < 0 || static_cast<std::uint64_t>(index) >= d.index_bound) {
    l.active = false;
    return false;
  }
  l.address = d.target_base + static_cast<std::uint64_t>(index) * d.target_stride;
  return true;
}

unsigned chain_detector::occupancy() const { return count_valid(m_entries); }

void chain_detector::reset() { std::fill(m_entries.begin(), m_entries.end(), entry{}); }

// ---- vector micro-instruction generator ----

std::vector<std::uint64_t> vector_generator::lines(const std::vector<lane>& lanes, std::uint32_t bytes) {
  std::vector<std::uint64_t> out;
  const std::uint64_t mask = ~std::uint64_t{m_line - 1};
  ++m_vectors;
  for (const lane& l : lanes) {
    if (!l.active) {
      ++m_masked;
      continue;
    }
    ++m_active;
    const std::uint64_t first = l.address & mask,
                        last = (l.address + std::max<std::uint32_t>(bytes, 1) - 1) & mask;
    for (std::uint64_t line = first; line <= last; line += m_line)
      if (std::find(out.begin(), out.end(), line) == out.end()) out.push_back(line);
  }
  m_lines += out.size();
  return out;
}

}  // namespace nvr::runahead
