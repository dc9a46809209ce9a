// The reference NPU: scratchpad, accumulator, configuration and a DRAM image, executing
// instructions one at a time in program order exactly as ip/npu/ISA.md says, errors included.
// No timing and no units: the model must produce the same memories whatever its overlap.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "workloads/ref/arith.h"
#include "workloads/ref/isa.h"

namespace npu_ref {

struct sparse_config {
  std::uint32_t row_ptr = 0;
  std::uint32_t col_idx = 0;
  std::uint32_t values = 0;
  std::uint32_t b_rows = 0;
};

struct run_result {
  std::uint64_t executed = 0;  // instructions completed
  fault error;                 // none if the whole program ran
  std::uint64_t fault_index = 0;
};

class machine {
 public:
  // DRAM of dram_size bytes at bus address dram_base (zero-filled).
  machine(std::uint64_t dram_base, std::uint64_t dram_size);

  // CTRL.reset: local memories and configuration keep nothing, error cleared, sequence 0.
  void reset();

  // Executes one instruction (sequence number = instructions seen since reset). On a fault the
  // instruction has no effect and the machine halts: later calls do nothing and return it.
  fault execute(const words& w);
  fault execute(const instruction& i) { return execute(i.encode()); }
  // Executes a program until its end or the first fault.
  run_result run(const std::vector<words>& program);
  run_result run(const std::vector<instruction>& program);

  bool halted() const { return static_cast<bool>(m_error); }
  fault error() const { return m_error; }
  std::uint64_t fault_index() const { return m_fault_index; }
  std::uint64_t sequence() const { return m_sequence; }
  std::uint64_t retired() const { return m_retired; }
  std::uint32_t irq_tag() const { return m_irq_tag; }
  std::uint64_t irq_count() const { return m_irq_count; }
  const store_config& store() const { return m_store; }
  const std::optional<sparse_config>& sparse() const { return m_sparse; }

  // Local memories, element-wise.
  std::int8_t& spad_at(std::uint32_t row, std::uint32_t lane) { return m_spad[row * lanes + lane]; }
  std::int32_t& acc_at(std::uint32_t row, std::uint32_t lane) { return m_acc[row * lanes + lane]; }
  std::int8_t spad_at(std::uint32_t row, std::uint32_t lane) const { return m_spad[row * lanes + lane]; }
  std::int32_t acc_at(std::uint32_t row, std::uint32_t lane) const { return m_acc[row * lanes + lane]; }
  const std::vector<std::int8_t>& spad_data() const { return m_spad; }
  const std::vector<std::int32_t>& acc_data() const { return m_acc; }

  // DRAM by bus address; the accessors throw std::out_of_range outside the image.
  std::uint64_t dram_base() const { return m_dram_base; }
  std::uint64_t dram_size() const { return m_dram.size(); }
  std::vector<std::uint8_t>& dram() { return m_dram; }
  const std::vector<std::uint8_t>& dram() const { return m_dram; }
  std::uint8_t* dram_ptr(std::uint64_t addr, std::uint64_t bytes);
  void write_dram(std::uint64_t addr, const void* data, std::uint64_t bytes);
  void read_dram(std::uint64_t addr, void* data, std::uint64_t bytes) const;
  std::int32_t dram_i32(std::uint64_t addr) const;
  std::int8_t dram_i8(std::uint64_t addr) const;
  void set_dram_i32(std::uint64_t addr, std::int32_t v);
  void set_dram_i8(std::uint64_t addr, std::int8_t v);

 private:
  fault do_execute(const words& w);
  // DRAM checks (ISA.md, "Element sizes in DRAM") of rows of `row_bytes` at base + r * stride.
  fault check_region(std::uint32_t base, std::uint64_t rows, std::uint64_t stride, std::uint64_t row_bytes,
                     unsigned element) const;
  bool in_dram(std::uint64_t addr, std::uint64_t bytes) const;
  std::int32_t read_local(std::uint32_t laddr, std::uint64_t row_offset, std::uint32_t lane) const;
  // Saturating vector write: to int8 or int32, accumulate bit adds and saturates again.
  void write_vector(std::uint32_t laddr, std::uint64_t row_offset, std::uint32_t lane, std::int64_t v);

  fault exec_mvin(const words& w);
  fault exec_mvout(const words& w);
  void exec_matmul(const words& w);
  fault exec_gather_scatter(const words& w);
  fault exec_spmm(const words& w);
  void exec_vector(const words& w);

  std::uint64_t m_dram_base;
  std::vector<std::uint8_t> m_dram;
  std::vector<std::int8_t> m_spad;
  std::vector<std::int32_t> m_acc;
  store_config m_store;
  std::optional<sparse_config> m_sparse;
  fault m_error;
  std::uint64_t m_fault_index = 0;
  std::uint64_t m_sequence = 0;
  std::uint64_t m_retired = 0;
  std::uint32_t m_irq_tag = 0;
  std::uint64_t m_irq_count = 0;
};

}  // namespace npu_ref
