// Command-line and config-file options of nvr-vp (Boost.Program_options, riscv-vp style): one
// description, parsed once, turned into a platform_config handed to the SoC assembly.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <systemc>
#include <vector>

#include "core/trace/session.h"
#include "ip/cache/hierarchy_options.h"
#include "platform/soc.h"

namespace nvr::platform {

// A bad option, value or config file: reported as one line, exit code exit_code::usage.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class log_level { error, warning, info, debug };

// --load FILE@ADDR: a raw binary file copied into memory at a bus address.
struct load_request {
  std::string path;
  std::uint64_t address = 0;
};

struct run_config {
  soc_config soc;
  std::string firmware;
  // --workload NAME: its firmware (unless --firmware is given) and its data image, which main()
  // checks (workloads/image) and loads at WIMG_ADDR before the run.
  std::string workload, workload_image;
  std::vector<load_request> loads;  // in command-line order, after those of a config file
  sc_core::sc_time quantum = sc_core::sc_time(1, sc_core::SC_US);
  sc_core::sc_time max_time = sc_core::SC_ZERO_TIME;  // zero: no limit
  log_level log = log_level::warning;
  std::string stats_file;  // empty: no statistics file
  // --trace-npu-memory: the NPU's demand requests to its memory hierarchy, as a trace file of
  // nvr-trace-sim; --oracle-trace: such a file, the future of the oracle prefetcher.
  std::string npu_memory_trace, oracle_trace;
  // Traces (--vcd, --vcd-groups, --trace-bus). trace.filter (--trace-range, --trace-window)
  // applies to every text trace.
  trace::config trace;
};

class options : public boost::program_options::options_description {
 public:
  options();

  // Parses argv and, when --config is given, that file (the command line wins). Returns
  // std::nullopt when the program should only print something (--help, --version) and exit 0.
  std::optional<run_config> parse(int argc, const char* const* argv);

  void print_help(std::ostream& out) const;

 private:
  boost::program_options::options_description m_file_options;  // everything a config file may set
  mem::hierarchy_options m_memory_options;                     // the NPU's NSB, L2, DRAM timing
};

// Parsers for option values, exposed for tests. Each throws usage_error naming `option`.
sc_core::sc_time parse_time(const std::string& option, const std::string& text);
std::uint64_t parse_size(const std::string& option, const std::string& text);
log_level parse_log_level(const std::string& option, const std::string& text);
bool parse_switch(const std::string& option, const std::string& text);
std::uint64_t parse_frequency_period(const std::string& option, const std::string& text);
load_request parse_load(const std::string& option, const std::string& text);
// "cpu,irq" -> {"cpu", "irq"}; empty items are an error. The names are checked once the SoC exists.
std::vector<std::string> parse_list(const std::string& option, const std::string& text);
std::uint16_t parse_port(const std::string& option, const std::string& text);

// The workloads `dir` offers: names with both NAME.elf in `firmware_dir` and NAME.img in
// `image_dir`, sorted.
std::vector<std::string> available_workloads(const std::string& firmware_dir, const std::string& image_dir);

}  // namespace nvr::platform
