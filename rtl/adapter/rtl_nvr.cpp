#include "rtl/adapter/rtl_nvr.h"

#include <Vnvr_core.h>
#include <verilated.h>
#include <verilated_vcd_c.h>

#include <stdexcept>

#include "ip/npu/machine.h"

namespace nvr::rtl {

namespace {
// nvr_core.sv: operations and memory requests
enum op : unsigned { op_snoop = 0, op_step = 1, op_demand = 2, op_flush = 3 };
enum kind : unsigned {
  k_release = 0,
  k_load = 1,
  k_stream = 2,
  k_read = 3,
  k_bounds = 4,
  k_wait_bounds = 5,
  k_clear = 7,
  k_position = 8,
  k_vector = 9,
  k_read_vector = 10
};
constexpr std::uint64_t guard_cycles = 1'000'000;  // a core that never finishes is a bug, not a hang
}  // namespace

struct rtl_nvr_prefetcher::pins {
  VerilatedContext context;
  std::unique_ptr<Vnvr_core> core;
  std::unique_ptr<VerilatedVcdC> vcd;
  std::uint64_t cycles = 0;

  void cycle() {
    core->clk = 0;
    core->eval();
    if (vcd) vcd->dump(2 * cycles);
    core->clk = 1;
    core->eval();
    if (vcd) vcd->dump(2 * cycles + 1);
    ++cycles;
  }
};

rtl_nvr_prefetcher::rtl_nvr_prefetcher(const runahead::nvr_config& config, const std::string& vcd_path)
    : runahead_engine("nvr"), m_pins(std::make_unique<pins>()), m_config(config) {
  if (config.vector_size > max_vector_size)
    throw std::invalid_argument("nvr rtl: vector_size " + std::to_string(config.vector_size) +
                                " is more than the core's " + std::to_string(max_vector_size) + " lanes");
  if (config.predict > max_predict)
    throw std::invalid_argument("nvr rtl: predict " + std::to_string(config.predict) +
                                " is more than the core's " + std::to_string(max_predict));
  if (config.sd_entries != 16 || config.lbd_entries != 16 || config.scd_entries != 2)
    throw std::invalid_argument(
        "nvr rtl: the core has 16 SD, 16 LBD and 2 SCD entries (sd_entries, lbd_entries, "
        "scd_entries)");
  m_fill_depth = config.fill_depth;
  m_cycle_ps = config.cycle_ps;
  m_pins->core = std::make_unique<Vnvr_core>(&m_pins->context, "nvr_core");
  if (!vcd_path.empty()) {
    m_pins->context.traceEverOn(true);
    m_pins->vcd = std::make_unique<VerilatedVcdC>();
    m_pins->core->trace(m_pins->vcd.get(), 99);
    m_pins->vcd->open(vcd_path.c_str());
    if (!m_pins->vcd->isOpen())
      throw std::invalid_argument("nvr rtl: cannot write the VCD '" + vcd_path + "'");
  }
  Vnvr_core& c = *m_pins->core;
  c.cfg_sd = config.sd;
  c.cfg_lbd = config.lbd;
  c.cfg_scd = config.scd;
  c.cfg_vector_size = config.vector_size;
  c.cfg_distance = config.distance;
  c.cfg_predict = config.predict;
  c.cfg_index_degree = config.index_degree;
  c.pf_ready = 1;
  c.rst_n = 0;
  m_pins->cycle();
  c.rst_n = 1;
}

rtl_nvr_prefetcher::~rtl_nvr_prefetcher() {
  if (m_pins->vcd) m_pins->vcd->close();
  m_pins->core->final();
}

std::uint64_t rtl_nvr_prefetcher::cycles() const { return m_pins->cycles; }

bool rtl_nvr_prefetcher::run(unsigned op, time_ps horizon, time_ps event_time) {
  if (line() != 64)
    throw std::runtime_error("nvr rtl: the core takes 64-byte lines, the cache has " +
                             std::to_string(line()));
  Vnvr_core& c = *m_pins->core;
  ++m_ops;
  c.npu_position = static_cast<std::uint64_t>(npu_position());
  c.op_code = op;
  c.op_valid = 1;
  m_pins->cycle();
  c.op_valid = 0;
  for (std::uint64_t n = 0; n < guard_cycles; ++n) {
    // The registered outputs of the last edge; the answers go in for the next one.
    c.mem_rsp_valid = 0;
    if (c.op_done) return c.op_result != 0;
    if (c.pf_valid) {
      // one vector per beat
      m_vector.clear();
      for (unsigned i = 0; i < c.pf_count && i < 32; ++i) m_vector.push_back(c.pf_lines[i]);
      queue_lines(m_vector, m_vector_ready, static_cast<std::int64_t>(c.pf_tag));
    }
    if (c.mem_req_valid) {
      bool ok = true;
      std::uint32_t data = 0;
      const std::uint64_t addr = c.mem_req_addr;
      switch (c.mem_req_kind) {
        case k_release:
          start_at(horizon);
          break;
        case k_load: {
          time_ps r = 0;
          ok =
              load_index(addr, horizon, r, c.mem_req_has_tag ? static_cast<std::int64_t>(c.mem_req_tag) : -1);
          if (ok) m_group_ready = c.mem_req_first ? r : std::max(m_group_ready, r);
          break;
        }
        case k_stream:
          prefetch_index(addr, op == op_demand ? event_time : cursor());
          break;
        case k_read: {
          std::int64_t v = 0;
          ok = read_index(addr, v);
          data = static_cast<std::uint32_t>(v);
          break;
        }
        case k_bounds:
          m_bounds_ready = addr == 0 ? m_group_ready : cursor();
          break;
        case k_wait_bounds:
          ok = m_bounds_ready <= horizon;
          if (ok) start_at(m_bounds_ready);
          break;
        case k_vector: {
          // next_vector(): the row's bounds, the vector's index lines, more of the index stream,
          // its data by the horizon; the first that cannot be done ends the step
          ok = m_bounds_ready <= horizon;
          if (!ok) break;
          start_at(m_bounds_ready);
          const auto tag = static_cast<std::int64_t>(c.mem_req_tag);
          const std::uint64_t last = c.mem_req_last;
          for (std::uint64_t l = addr; ok && l <= last; l += line()) {
            time_ps r = 0;
            ok = load_index(l, horizon, r, tag);
            if (ok) m_group_ready = l == addr ? r : std::max(m_group_ready, r);
          }
          if (!ok) break;
          for (unsigned k = 1; k <= c.mem_req_count; ++k) prefetch_index(last + k * line(), cursor());
          ok = m_group_ready <= horizon;
          m_vector_ready = m_group_ready;
          break;
        }
        case k_read_vector: {
          // the lanes' indices (a lane whose index cannot be read drops out)
          std::uint32_t mask = 0;
          for (unsigned i = 0; i < c.mem_req_count && i < 16; ++i) {
            std::int64_t v = 0;
            if ((c.mem_req_mask >> i & 1u) != 0 && read_index(addr + 4 * std::uint64_t{i}, v)) {
              c.mem_rsp_words[i] = static_cast<std::uint32_t>(v);
              mask |= 1u << i;
            }
          }
          c.mem_rsp_mask = mask;
          break;
        }
        case k_clear:
          clear_pending();
          break;
        case k_position:
          set_npu_position(static_cast<std::int64_t>(addr));
          c.npu_position = addr;
          break;
        default:
          throw std::logic_error("nvr rtl: unknown memory request " + std::to_string(c.mem_req_kind));
      }
      c.mem_rsp_valid = 1;
      c.mem_rsp_ok = ok;
      c.mem_rsp_data = data;
    }
    m_pins->cycle();
  }
  throw std::logic_error("nvr rtl: the core did not finish an operation in " + std::to_string(guard_cycles) +
                         " cycles");
}

void rtl_nvr_prefetcher::on_instruction(const mem::instruction_event& e) {
  runahead_engine::on_instruction(e);
  // Off, the engine only latches config.sparse; the core holds that state, so it sees it too.
  if (!enabled() && static_cast<std::uint8_t>(e.words[0]) == npu::op_config_sparse) snoop(e);
}

void rtl_nvr_prefetcher::snoop(const mem::instruction_event& e) {
  for (unsigned i = 0; i < 8; ++i) m_pins->core->snoop_words[i] = e.words[i];
  run(op_snoop, e.time, e.time);
}

bool rtl_nvr_prefetcher::step(time_ps horizon) { return run(op_step, horizon, horizon); }

void rtl_nvr_prefetcher::demand(const mem::access_event& e) {
  m_pins->core->dem_line = e.line_address;
  m_pins->core->dem_id = static_cast<std::uint32_t>(e.instruction_id);
  // Only the index streams the core follows (the others are not worth the cycles).
  switch (e.instruction_id) {
    case npu::stream_spmm_row_ptr:
    case npu::stream_spmm_col_idx:
    case npu::stream_spmm_values:
    case npu::stream_gather_index:
    case npu::stream_scatter_index:
      run(op_demand, e.time, e.time);
      break;
    default:
      break;
  }
}

void rtl_nvr_prefetcher::disabled() { run(op_flush, 0, 0); }

std::size_t rtl_nvr_prefetcher::window_lines() const {
  // As the TLM: the unit's unused lines stay within half the cache.
  return static_cast<std::size_t>(std::max<std::uint64_t>(capacity() / 2, 1));
}

nlohmann::json rtl_nvr_prefetcher::model_stats() const {
  const Vnvr_core& c = *m_pins->core;
  return nlohmann::json{
      {"config", runahead::to_json(m_config)},
      {"tables",
       {{"sd", {{"entries", 16}, {"occupied", c.sd_occupancy}, {"peak", c.peak_sd}}},
        {"lbd", {{"entries", 16}, {"occupied", c.lbd_occupancy}, {"peak", c.peak_lbd}}},
        {"scd", {{"entries", 2}, {"occupied", c.scd_occupancy}, {"peak", c.peak_scd}}}}},
      {"instructions",
       {{"walked", c.cnt_tasks_walked},
        {"predicted", c.cnt_tasks_predicted},
        {"predictions_correct", c.cnt_predict_hits},
        {"predictions_wrong", c.cnt_predict_misses}}},
      {"rows",
       {{"walked", c.cnt_rows}, {"invalid", c.cnt_bad_rows}, {"lines_per_row_x16", c.cnt_lines_per_row_x16}}},
      {"distance_stalls", c.cnt_distance_stalls},
      {"vectors",
       {{"issued", c.cnt_vectors},
        {"active_lanes", c.cnt_active_lanes},
        {"masked_lanes", c.cnt_masked_lanes},
        {"lines", c.cnt_lines}}},
      {"rtl",
       {{"cycles", m_pins->cycles}, {"operations", m_ops}, {"vmig_bytes_errors", c.cnt_bytes_errors}}}};
}

}  // namespace nvr::rtl
