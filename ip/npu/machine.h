// The NPU's architectural state and the functional semantics of every instruction (ip/npu/ISA.md),
// without time: scratchpad, accumulator, configuration. execute() validates one instruction,
// performs it on the local memories and DRAM, and describes the work it did (rows touched, DMA
// lines, compute cycles) so that the timing engine (npu.h) can schedule it. Pure C++, so tests
// and the differential test against the host reference drive it without SystemC.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace nvr::npu {

inline constexpr std::uint32_t spad_rows = 16384;
inline constexpr std::uint32_t acc_rows = 1024;
inline constexpr unsigned lanes = 16;
inline constexpr unsigned instruction_bytes = 32;
inline constexpr unsigned line_bytes = 64;

enum opcode : std::uint8_t {
  op_nop = 0x00,
  op_config_store = 0x01,
  op_mvin = 0x02,
  op_mvout = 0x03,
  op_matmul = 0x04,
  op_gather = 0x05,
  op_scatter = 0x06,
  op_config_sparse = 0x07,
  op_spmm = 0x08,
  op_vector = 0x09,
  op_fence = 0x0a,
  op_irq = 0x0b,
  op_count = 0x0c,
};

enum vector_funct : std::uint8_t {
  vf_add = 0,
  vf_max = 1,
  vf_mul = 2,
  vf_requant = 3,
  vf_clip = 4,
  vf_shift = 5,
  vf_exp = 6,
  vf_copy = 7,
  vf_silu = 8,
  vf_softmax = 16,
  vf_rmsnorm = 17,
  vf_quant = 18,
  vf_argmax = 19,
};

// ERROR register codes.
enum class error : std::uint32_t {
  none = 0,
  illegal_opcode = 1,
  illegal_field = 2,
  local_range = 3,
  dram_range = 4,
  misaligned = 5,
  index_bounds = 6,
  ring_overflow = 7,
  bus_error = 8,
};
const char* to_string(error e);

enum class unit : std::uint8_t { load, execute, store, sparse, none };
inline constexpr unsigned unit_count = 4;
const char* to_string(unit u);
unit unit_of(std::uint8_t opcode);

struct instruction {
  std::array<std::uint32_t, 8> w{};
  std::uint8_t opcode() const { return static_cast<std::uint8_t>(w[0]); }
  std::uint8_t flags() const { return static_cast<std::uint8_t>(w[0] >> 8); }
  std::uint8_t funct() const { return static_cast<std::uint8_t>(w[0] >> 16); }
};

struct fault {
  error code = error::none;
  std::uint32_t info = 0;
  explicit operator bool() const { return code != error::none; }
};

// DRAM as the NPU sees it (the platform's bus, or a test's array). false: the bus answered an
// error (a bus_error fault). Called only for addresses inside the DRAM window.
class memory_port {
 public:
  virtual ~memory_port() = default;
  virtual bool read(std::uint64_t address, std::uint8_t* data, std::uint32_t size) = 0;
  virtual bool write(std::uint64_t address, const std::uint8_t* data, std::uint32_t size) = 0;
};

// Static instruction ids the sparse unit gives its index loads and gathers (prefetchers key on
// them as on a program counter).
enum stream_id : std::uint64_t {
  stream_none = 0,
  stream_fetch = 0x100,
  stream_mvin = 0x200,
  stream_mvout = 0x300,
  stream_gather_index = 0x501,
  stream_gather_table = 0x502,
  stream_scatter_index = 0x601,
  stream_scatter_table = 0x602,
  stream_spmm_row_ptr = 0x801,
  stream_spmm_col_idx = 0x802,
  stream_spmm_values = 0x803,
  stream_spmm_b = 0x804,
};

// One 64-byte DMA request of an instruction, in issue order.
struct dma_op {
  std::uint64_t line = 0;  // 64-byte aligned address
  bool write = false;
  std::int32_t after = -1;         // index of an earlier op whose data this one needs (an index)
  std::uint32_t not_before = 0;    // cycles after the instruction's start (a row to read first)
  std::uint32_t compute = 0;       // local cycles that need this op's data and the ones before it
  std::uint64_t stream = 0;        // stream_id
  std::uint32_t value_offset = 0;  // into work::values: the index values of an index line
  std::uint32_t value_count = 0;
  // The bytes of the line the values cover (an index array's first and last lines are partial):
  // the request names them, so that value i lies at line + value_start + i * element.
  std::uint32_t value_start = 0, value_bytes = 0;
};

// A range of local rows an instruction reads or writes (for dependency tracking).
struct row_range {
  bool acc = false;
  std::uint32_t first = 0;
  std::uint32_t count = 0;
  bool write = false;
};

// What one instruction did, for the timing engine.
struct work {
  unit target = unit::none;
  bool barrier = false;  // fence, irq
  bool irq = false;
  std::uint32_t irq_tag = 0;
  std::uint32_t cycles = 0;  // compute cycles when there is no DMA (or after it)
  std::vector<row_range> rows;
  std::vector<dma_op> dma;
  std::vector<std::int64_t> values;
  void clear() {
    target = unit::none;
    barrier = irq = false;
    irq_tag = 0;
    cycles = 0;
    rows.clear();
    dma.clear();
    values.clear();
  }
};

struct machine_config {
  std::uint64_t dram_base = 0x80000000ull;
  std::uint64_t dram_size = 0x10000000ull;
};

class machine {
 public:
  explicit machine(const machine_config& config = {});

  // Zero local memories, configuration back to reset values.
  void reset();

  // Validates and performs `in`; fills `w`. A fault leaves local memories and DRAM untouched,
  // except a bus_error in the middle of an instruction (its earlier writes stay).
  fault execute(const instruction& in, memory_port& dram, work& w);

  // Local memories (row-major: spad row r = bytes [16 r, 16 r + 16), acc row r = [16 r, 16 r + 16)).
  std::vector<std::int8_t>& spad() { return m_spad; }
  std::vector<std::int32_t>& acc() { return m_acc; }
  const std::vector<std::int8_t>& spad() const { return m_spad; }
  const std::vector<std::int32_t>& acc() const { return m_acc; }
  const machine_config& config() const { return m_config; }

  // matmul preload state, for timing: the b rows in the array, and whether `in` (a matmul just
  // executed) reused them.
  bool last_preload_skipped() const { return m_preload_skipped; }

  // DRAM window checks used by the ring fetch too.
  bool in_dram(std::uint64_t address, std::uint64_t size) const;

 private:
  struct store_config {
    std::int64_t multiplier = 1;
    unsigned shift = 0;
    std::int64_t zero_point = 0;
    std::int64_t clip_min = -128;
    std::int64_t clip_max = 127;
  };
  struct sparse_config {
    bool valid = false;
    std::uint32_t row_ptr = 0, col_idx = 0, values = 0, b_rows = 0;
  };

  fault exec_config_store(const instruction& in, work& w);
  fault exec_mvin(const instruction& in, memory_port& dram, work& w);
  fault exec_mvout(const instruction& in, memory_port& dram, work& w);
  fault exec_matmul(const instruction& in, work& w);
  fault exec_gather_scatter(const instruction& in, memory_port& dram, work& w);
  fault exec_config_sparse(const instruction& in, work& w);
  fault exec_spmm(const instruction& in, memory_port& dram, work& w);
  fault exec_vector(const instruction& in, work& w);

  std::int64_t read_lane(bool acc, std::uint32_t row, unsigned lane) const;
  void write_lane(bool acc, std::uint32_t row, unsigned lane, std::int64_t value, bool accumulate);
  void mark_written(bool acc, std::uint32_t first, std::uint32_t count);

  machine_config m_config;
  std::vector<std::int8_t> m_spad;
  std::vector<std::int32_t> m_acc;
  store_config m_store;
  sparse_config m_sparse;
  // matmul weight reuse: the b rows held in the array, and spad writes since they were loaded.
  bool m_preload_valid = false;
  std::uint32_t m_preload_row = 0;
  bool m_preload_skipped = false;
  std::vector<std::uint8_t> m_scratch;
};

// The integer helpers of ISA.md, exposed for tests.
std::int64_t round_shift(std::int64_t x, unsigned s);
std::int64_t round_div(std::int64_t n, std::int64_t d);
std::int64_t isqrt(std::int64_t v);
std::int64_t iexp(std::int64_t x, unsigned f);
std::int64_t isilu(std::int64_t x, unsigned f);

}  // namespace nvr::npu
