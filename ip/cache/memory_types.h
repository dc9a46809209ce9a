// Types shared by every level of the NPU memory hierarchy (NSB, L2, DRAM) and its prefetchers:
// integer time, the access request, and the timing interface one level offers the level above.
#pragma once

#include <cstdint>

namespace nvr::mem {

// Simulated time in integer picoseconds. Every timing answer of the hierarchy is exact integer
// arithmetic on this type, so the same inputs give the same times bit for bit.
using time_ps = std::uint64_t;

// One access as a level sees it. `values` optionally carries the data an index load returned
// (the NPU's sparse unit supplies index values so that indirect prefetchers such as IMP can
// learn addr = base + (index << shift)): element i of value_count equal elements lives at
// address + i * (size / value_count).
struct request {
  std::uint64_t address = 0;
  std::uint32_t size = 0;
  bool is_write = false;
  bool is_prefetch = false;  // a fill requested by a prefetch above, not a demand
  std::uint64_t instruction_id = 0;
  const std::int64_t* values = nullptr;
  std::uint32_t value_count = 0;
};

// What became of a prefetch request.
enum class prefetch_status : std::uint8_t {
  issued,       // an MSHR was allocated and the line is being filled
  redundant,    // the line is already present or in flight
  dropped,      // no free MSHR: prefetches are non-binding and never stall
  unsupported,  // the target cannot hold lines (DRAM)
};

// The timing interface of one level: given the time an access arrives, answer when it completes.
// Pure C++: no SystemC process switching, no allocation on the hot path.
class timing_target {
 public:
  virtual ~timing_target() = default;

  // Completion time of `r` arriving at `now` (>= now). Reserves the shared resources it uses.
  virtual time_ps access(time_ps now, const request& r) = 0;

  // A non-binding prefetch of the line holding `address` into the level `depth` steps below
  // this one (0: this level).
  virtual prefetch_status prefetch(time_ps now, std::uint64_t address, unsigned depth,
                                   std::uint64_t instruction_id) {
    (void)now, (void)address, (void)depth, (void)instruction_id;
    return prefetch_status::unsupported;
  }

  // Convenience form of access().
  time_ps access(time_ps now, std::uint64_t address, std::uint32_t size, bool is_write,
                 std::uint64_t instruction_id = 0) {
    request r;
    r.address = address;
    r.size = size;
    r.is_write = is_write;
    r.instruction_id = instruction_id;
    return access(now, r);
  }
};

// Sees the demand requests a level is asked for, in call order, before it handles them (the NPU
// memory trace of the platform). Not called for prefetch requests.
class access_observer {
 public:
  virtual ~access_observer() = default;
  virtual void observe(time_ps now, const request& r) = 0;
};

constexpr bool is_power_of_two(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

constexpr unsigned log2_exact(std::uint64_t v) {
  unsigned n = 0;
  while (v > 1) {
    v >>= 1;
    ++n;
  }
  return n;
}

}  // namespace nvr::mem
