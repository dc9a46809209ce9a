// nvr-vp: parses the options, assembles the SoC, loads the firmware, runs, reports.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <systemc>
#include <vector>
// The TLM utilities need <systemc> first.
#include <tlm_utils/tlm_quantumkeeper.h>

#include "core/debug/run_control.h"
#include "core/stats.h"
#include "core/trace/session.h"
#include "platform/elf_loader.h"
#include "platform/npu_memory_trace.h"
#include "platform/options.h"
#include "platform/soc.h"
#include "platform/version.h"
#include "workloads/image/workload_image.h"

namespace {

using namespace nvr::platform;

void apply_log_level(log_level level) {
  using namespace sc_core;
  sc_report_handler::set_verbosity_level(level == log_level::debug ? SC_DEBUG : SC_MEDIUM);
  if (level < log_level::info) sc_report_handler::set_actions(SC_INFO, SC_DO_NOTHING);
  if (level < log_level::warning) sc_report_handler::set_actions(SC_WARNING, SC_DO_NOTHING);
}

struct run_result {
  int exit_code = 0;
  std::string reason;
};

run_result classify_end(const soc& top, const run_config& config) {
  if (top.testdev.exited())
    return {top.testdev.exit_code() & 0xff,
            "firmware exited with code " + std::to_string(top.testdev.exit_code())};
  // Ended by the debugger, Ctrl-C or SIGTERM.
  if (top.cpu.killed_by_debugger()) return {exit_code::interrupted, "ended by the debugger"};
  if (top.cpu.stopped_by_request() || nvr::debug::stop_signal() != 0) {
    const bool term = nvr::debug::stop_signal() == SIGTERM;
    return {term ? exit_code::terminated : exit_code::interrupted,
            term ? "stopped by SIGTERM" : "interrupted (SIGINT)"};
  }
  if (top.cpu.instruction_limit_reached())
    return {exit_code::timeout,
            "instruction limit of " + std::to_string(config.soc.cpu.max_instructions) + " reached"};
  if (config.max_time != sc_core::SC_ZERO_TIME && sc_core::sc_time_stamp() >= config.max_time)
    return {exit_code::timeout, "time limit of " + config.max_time.to_string() + " reached"};
  return {exit_code::timeout, "no further events: the firmware waits for an interrupt that cannot come"};
}

bool write_stats(const std::string& path, const run_result& result, double host_seconds, const soc& top) {
  nlohmann::json document = nvr::stats::registry::instance().to_json();
  document["run"] = {
      {"exit_code", result.exit_code},
      {"reason", result.reason},
      {"simulated_time_ps", sc_core::sc_time_stamp().value()},
      {"host_seconds", host_seconds},
      {"mips", host_seconds > 0 ? top.cpu.instructions_retired() / host_seconds / 1e6 : 0.0},
  };
  std::ofstream file(path, std::ios::trunc);
  file << std::setw(2) << document << '\n';
  return static_cast<bool>(file.flush());
}

int run(int argc, char** argv) {
  options description;
  std::optional<run_config> parsed;
  try {
    parsed = description.parse(argc, argv);
  } catch (const usage_error& error) {
    std::cerr << "nvr-vp: " << error.what() << '\n';
    return exit_code::usage;
  }
  if (!parsed) return 0;
  const run_config& config = *parsed;

  elf_image image;
  try {
    image = read_elf(config.firmware);
  } catch (const elf_error& error) {
    std::cerr << "nvr-vp: " << error.what() << '\n';
    return exit_code::bad_firmware;
  }
  // The workload's data image is checked (size, checksum, workload name) before anything runs:
  // firmware reading a damaged image would fail far from the cause.
  std::optional<nvr::wimg::image> workload_image;
  if (!config.workload_image.empty()) {
    try {
      workload_image = nvr::wimg::image::read(config.workload_image, config.workload);
    } catch (const nvr::wimg::image_error& error) {
      std::cerr << "nvr-vp: --workload " << config.workload << ": image " << error.what() << '\n';
      return exit_code::bad_firmware;
    }
  }

  apply_log_level(config.log);
  tlm_utils::tlm_quantumkeeper::set_global_quantum(config.quantum);

  soc_config soc_settings = config.soc;
  soc_settings.cpu.reset_pc = image.entry;
  // The oracle's future: the demand lines its cache saw in a recorded run. The NPU calls its
  // hierarchy in program order whatever the timing, so they are this run's future too.
  if (!config.oracle_trace.empty()) {
    try {
      soc_settings.npu.memory_environment.future_lines =
          oracle_future(config.oracle_trace, soc_settings.npu.memory);
    } catch (const trace_file_error& error) {
      std::cerr << "nvr-vp: --oracle-trace: " << error.what() << '\n';
      return exit_code::bad_firmware;
    } catch (const std::invalid_argument& error) {
      std::cerr << "nvr-vp: " << error.what() << '\n';
      return exit_code::usage;
    }
  }
  std::unique_ptr<soc> top;
  try {
    top = std::make_unique<soc>("soc", soc_settings);
  } catch (const std::exception& error) {
    std::cerr << "nvr-vp: " << error.what() << '\n';
    return exit_code::usage;
  }
  top->preload(std::move(image), config.firmware);
  std::unique_ptr<npu_memory_trace> memory_trace;
  if (!config.npu_memory_trace.empty()) {
    try {
      memory_trace = std::make_unique<npu_memory_trace>(
          config.npu_memory_trace,
          std::string("nvr-vp ") + version + " NPU memory trace of " + config.firmware +
              ": [@TIME_PS] OP ADDRESS SIZE STREAM [VALUE...]; F = instruction fetch, entering at the L2");
    } catch (const trace_file_error& error) {
      std::cerr << "nvr-vp: --trace-npu-memory: " << error.what() << '\n';
      return exit_code::io_error;
    }
    top->npu.memory().set_observer(&memory_trace->observer());
  }
  if (workload_image) {
    std::vector<std::uint8_t> bytes = workload_image->bytes();
    workload_image.reset();
    top->preload_data(WIMG_ADDR, std::move(bytes), config.workload_image);
  }
  for (const load_request& load : config.loads) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(load.path, error)) {
      std::cerr << "nvr-vp: --load: cannot read '" << load.path << "' (no such file)\n";
      return exit_code::bad_firmware;
    }
    std::ifstream file(load.path, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (!file.is_open() || file.bad()) {
      std::cerr << "nvr-vp: --load: cannot read '" << load.path << "'\n";
      return exit_code::bad_firmware;
    }
    top->preload_data(load.address, std::move(bytes), load.path);
  }

  // Traces (#3): opened once every model, and so every trace signal, exists; closed at every
  // end of the run (the destructor covers the early returns).
  std::unique_ptr<nvr::trace::session> traces;
  try {
    traces = std::make_unique<nvr::trace::session>(config.trace, std::string("nvr-vp ") + version);
  } catch (const std::invalid_argument& error) {
    std::cerr << "nvr-vp: " << error.what() << '\n';
    return exit_code::usage;
  } catch (const std::exception& error) {
    std::cerr << "nvr-vp: " << error.what() << '\n';
    return exit_code::io_error;
  }
  top->bus.attach_trace(traces->bus());

  // The GDB port (--gdb 0 picks one) and stop signals: Ctrl-C and SIGTERM end the run at the
  // CPU's next synchronisation point, with statistics.
  if (top->cpu_debug && config.soc.cpu_debug.gdb_port)
    std::cerr << "nvr-vp: gdb: listening on 127.0.0.1:" << top->cpu_debug->gdb_port()
              << (config.soc.cpu_debug.gdb_wait ? " (halted until a debugger connects)" : "") << std::endl;
  nvr::debug::install_stop_signal_handlers();

  const auto host_start = std::chrono::steady_clock::now();
  try {
    if (config.max_time != sc_core::SC_ZERO_TIME)
      sc_core::sc_start(config.max_time);
    else
      sc_core::sc_start();
  } catch (const elf_error& error) {
    std::cerr << "nvr-vp: " << error.what() << '\n';
    return exit_code::bad_firmware;
  } catch (const std::exception& error) {
    std::cerr << "nvr-vp: simulation failed: " << error.what() << '\n';
    return exit_code::internal;
  }
  const double host_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();

  std::cout.flush();
  const run_result result = classify_end(*top, config);
  if (top->cpu_debug) top->cpu_debug->finish(result.exit_code);  // W packet, trace flushed
  if (config.log >= log_level::warning || result.exit_code == exit_code::timeout ||
      result.exit_code == exit_code::interrupted || result.exit_code == exit_code::terminated) {
    const double instructions = static_cast<double>(top->cpu.instructions_retired());
    std::cerr << "nvr-vp: " << result.reason << "; " << top->cpu.instructions_retired() << " instructions in "
              << sc_core::sc_time_stamp().to_string() << " simulated, " << std::fixed << std::setprecision(3)
              << host_seconds << " s host (" << std::setprecision(1)
              << (host_seconds > 0 ? instructions / host_seconds / 1e6 : 0.0) << " MIPS)\n";
  }
  int code = result.exit_code;
  if (const std::string errors = traces->close(); !errors.empty()) {
    std::cerr << "nvr-vp: " << errors << '\n';
    code = exit_code::io_error;
  }
  if (memory_trace) {
    if (const std::string error = memory_trace->close(); !error.empty()) {
      std::cerr << "nvr-vp: --trace-npu-memory: " << error << '\n';
      code = exit_code::io_error;
    } else if (config.log >= log_level::warning && memory_trace->values_dropped() != 0) {
      std::cerr << "nvr-vp: --trace-npu-memory: " << memory_trace->records() << " requests recorded; "
                << memory_trace->values_dropped()
                << " without their index values (a partial index line: the values do not tile the request)\n";
    }
  }
  if (!config.stats_file.empty() && !write_stats(config.stats_file, result, host_seconds, *top)) {
    std::cerr << "nvr-vp: --stats: cannot write '" << config.stats_file << "'\n";
    return exit_code::io_error;
  }
  return code;
}

}  // namespace

extern "C" int sc_main(int argc, char** argv) { return run(argc, argv); }

// Our own main() takes precedence over the one in libsystemc: SystemC prints its banner before
// sc_main() runs, and users asked for the firmware's output, not the kernel's.
int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", /*overwrite=*/0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
