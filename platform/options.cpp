#include "platform/options.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "platform/version.h"

namespace po = boost::program_options;

namespace nvr::platform {

namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// Splits "12.5us" into 12.5 and "us"; false when there is no leading number.
bool split_number(const std::string& text, double& number, std::string& unit) {
  const std::string trimmed = trim(text);
  if (trimmed.empty() || trimmed[0] == '-' || trimmed[0] == '+') return false;
  const char* begin = trimmed.c_str();
  char* end = nullptr;
  errno = 0;
  number = std::strtod(begin, &end);
  if (end == begin || errno != 0 || !std::isfinite(number)) return false;
  unit = trim(std::string(end));
  return true;
}

}  // namespace

sc_core::sc_time parse_time(const std::string& option, const std::string& text) {
  double number = 0;
  std::string unit;
  if (split_number(text, number, unit)) {
    static const std::pair<const char*, sc_core::sc_time_unit> units[] = {{"ps", sc_core::SC_PS},
                                                                          {"ns", sc_core::SC_NS},
                                                                          {"us", sc_core::SC_US},
                                                                          {"ms", sc_core::SC_MS},
                                                                          {"s", sc_core::SC_SEC}};
    for (const auto& [name, sc_unit] : units)
      if (unit == name) {
        const sc_core::sc_time time(number, sc_unit);
        if (number > 0 && time == sc_core::SC_ZERO_TIME)
          throw usage_error("--" + option + ": '" + text + "' is below the time resolution (" +
                            sc_core::sc_get_time_resolution().to_string() + ")");
        return time;
      }
  }
  throw usage_error("--" + option + ": '" + text +
                    "' is not a time; write a number and a unit (ps, ns, us, ms, s), e.g. 1us");
}

std::uint64_t parse_size(const std::string& option, const std::string& text) {
  const std::string trimmed = trim(text);
  const char* begin = trimmed.c_str();
  char* end = nullptr;
  errno = 0;
  const unsigned long long number = trimmed.empty() || trimmed[0] == '-' ? 0 : std::strtoull(begin, &end, 0);
  if (end != nullptr && end != begin && errno == 0) {
    const std::string unit = trim(std::string(end));
    static const std::pair<const char*, std::uint64_t> units[] = {{"", 1},           {"B", 1},
                                                                  {"K", 1ull << 10}, {"KiB", 1ull << 10},
                                                                  {"M", 1ull << 20}, {"MiB", 1ull << 20},
                                                                  {"G", 1ull << 30}, {"GiB", 1ull << 30}};
    for (const auto& [name, scale] : units)
      if (unit == name && number <= UINT64_MAX / scale) return number * scale;
  }
  throw usage_error("--" + option + ": '" + text +
                    "' is not a size; write bytes with an optional K, M or G, e.g. 256M");
}

log_level parse_log_level(const std::string& option, const std::string& text) {
  if (text == "error") return log_level::error;
  if (text == "warning") return log_level::warning;
  if (text == "info") return log_level::info;
  if (text == "debug") return log_level::debug;
  throw usage_error("--" + option + ": '" + text +
                    "' is not a log level; choose error, warning, info or debug");
}

std::uint16_t parse_port(const std::string& option, const std::string& text) {
  const std::string trimmed = trim(text);
  char* end = nullptr;
  errno = 0;
  const unsigned long port =
      trimmed.empty() || trimmed[0] == '-' ? 0 : std::strtoul(trimmed.c_str(), &end, 10);
  if (end != nullptr && end != trimmed.c_str() && *end == '\0' && errno == 0 && port <= 65535)
    return static_cast<std::uint16_t>(port);
  throw usage_error("--" + option + ": '" + text + "' is not a TCP port (0 to 65535; 0 picks a free one)");
}

bool parse_switch(const std::string& option, const std::string& text) {
  if (text == "on" || text == "true" || text == "1" || text == "yes") return true;
  if (text == "off" || text == "false" || text == "0" || text == "no") return false;
  throw usage_error("--" + option + ": '" + text + "' is not on or off");
}

// "1GHz", "800MHz", "500000kHz" -> clock period in whole picoseconds.
std::uint64_t parse_frequency_period(const std::string& option, const std::string& text) {
  double number = 0;
  std::string unit;
  const std::string message =
      "--" + option + ": '" + text + "' is not a frequency with a whole period in ps (e.g. 1GHz, 800MHz)";
  if (!split_number(text, number, unit)) throw usage_error(message);
  double hz = 0;
  if (unit == "GHz")
    hz = number * 1e9;
  else if (unit == "MHz")
    hz = number * 1e6;
  else if (unit == "kHz")
    hz = number * 1e3;
  else
    throw usage_error(message);
  const double period = hz > 0 ? 1e12 / hz : 0;
  if (!(period >= 1 && period <= 1e9) || period != static_cast<double>(static_cast<std::uint64_t>(period)))
    throw usage_error(message);
  return static_cast<std::uint64_t>(period);
}

// "data.bin@0x88000000" -> path and address (any base strtoull accepts); the last '@' splits, so
// a path may contain '@'.
load_request parse_load(const std::string& option, const std::string& text) {
  const auto at = text.rfind('@');
  const std::string message =
      "--" + option + ": '" + text + "' is not FILE@ADDRESS (e.g. data.bin@0x88000000)";
  if (at == std::string::npos || at == 0 || at + 1 == text.size()) throw usage_error(message);
  const std::string address = text.substr(at + 1);
  if (address[0] == '-' || address[0] == '+' || address[0] == ' ') throw usage_error(message);
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(address.c_str(), &end, 0);
  if (errno != 0 || end == address.c_str() || *end != '\0' || value > UINT32_MAX) throw usage_error(message);
  return {text.substr(0, at), value};
}

std::vector<std::string> available_workloads(const std::string& firmware_dir, const std::string& image_dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(image_dir, error)) {
    const std::filesystem::path path = entry.path();
    if (path.extension() != ".img") continue;
    const std::string name = path.stem().string();
    if (std::filesystem::is_regular_file(std::filesystem::path(firmware_dir) / (name + ".elf"), error))
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> parse_list(const std::string& option, const std::string& text) {
  std::vector<std::string> items;
  std::size_t from = 0;
  while (true) {
    const std::size_t comma = text.find(',', from);
    const std::string item =
        trim(text.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
    if (item.empty())
      throw usage_error("--" + option + ": '" + text +
                        "' has an empty item; write names separated by commas, e.g. cpu,irq");
    items.push_back(item);
    if (comma == std::string::npos) return items;
    from = comma + 1;
  }
}

options::options() : po::options_description("nvr-vp options"), m_file_options("settings") {
  // Settings are strings here and parsed below, so every bad value gets one clear message that
  // names its option.
  m_file_options.add_options()("firmware,f", po::value<std::string>()->value_name("ELF"),
                               "firmware ELF to run (RV32, bare metal)")(
      "quantum", po::value<std::string>()->default_value("1us")->value_name("TIME"),
      "time the CPU may run ahead of the SystemC kernel (e.g. 10ns, 1us, 100us)")(
      "max-time", po::value<std::string>()->value_name("TIME"),
      "stop after this much simulated time (timeout exit code)")(
      "max-instructions", po::value<std::string>()->value_name("N"),
      "stop after N instructions (timeout exit code)")(
      "log-level", po::value<std::string>()->default_value("warning")->value_name("LEVEL"),
      "error, warning, info or debug")("stats", po::value<std::string>()->value_name("FILE"),
                                       "write all statistics as JSON to FILE at the end")(
      "uart-out", po::value<std::string>()->value_name("FILE"),
      "write the UART's output to FILE instead of stdout")(
      "dram-size", po::value<std::string>()->default_value("256M")->value_name("SIZE"),
      "DRAM size (e.g. 256M)")(
      "dmi", po::value<std::string>()->default_value("on")->value_name("on|off"),
      "let the CPU access memory directly (DMI); off sends every access through the bus")(
      "misaligned", po::value<std::string>()->default_value("emulate")->value_name("emulate|trap"),
      "misaligned loads and stores: performed (as QEMU virt does) or trapped (causes 4 and 6)")(
      "npu-clock", po::value<std::string>()->default_value("1GHz")->value_name("FREQ"),
      "NPU clock (e.g. 1GHz, 800MHz)")(
      "npu-outstanding", po::value<std::string>()->default_value("16")->value_name("N"),
      "NPU DMA requests in flight at most")("workload", po::value<std::string>()->value_name("NAME"),
                                            "run a workload: its firmware and its checked data image (llm, "
                                            "occ, det; `--workload list` lists them)")(
      "workload-dir", po::value<std::string>()->value_name("DIR"),
      "where --workload finds NAME.elf and NAME.img (default: this build's firmware and image folders)")(
      "workload-image", po::value<std::string>()->value_name("FILE"),
      "the data image of --workload instead of the built one (e.g. one made with other generator options)")(
      "load", po::value<std::vector<std::string>>()->composing()->value_name("FILE@ADDR"),
      "copy a raw binary file into memory at ADDR before the run, after the firmware (repeatable)");
  m_file_options.add(m_memory_options);
  // Traces (#3).
  m_file_options.add_options()(
      "vcd", po::value<std::string>()->value_name("FILE"),
      "write a VCD timeline to FILE and a GTKWave save file next to it (FILE with .gtkw for .vcd)")(
      "vcd-groups", po::value<std::string>()->value_name("LIST"),
      "signal groups of the VCD, comma-separated (default: all; e.g. cpu,irq,uart)")(
      "trace-bus", po::value<std::string>()->value_name("FILE"), "write every bus transaction to FILE")(
      "trace-range", po::value<std::vector<std::string>>()->value_name("START:END"),
      "trace only accesses to [START, END) (repeatable; e.g. 0x10000000:0x10000100)")(
      "trace-window", po::value<std::string>()->value_name("T0:T1"),
      "trace only from simulated time T0 to T1 (either may be empty; e.g. 10us:2ms)")(
      "trace-npu-memory", po::value<std::string>()->value_name("FILE"),
      "write every demand request of the NPU to its memory hierarchy to FILE, an nvr-trace-sim trace "
      "(binary if FILE ends in .bin, else text)")("oracle-trace",
                                                  po::value<std::string>()->value_name("FILE"),
                                                  "the future of --prefetcher oracle: a trace recorded by "
                                                  "--trace-npu-memory from the same firmware and inputs");
  // Debugging and the instruction trace (issue #3, GDB stub).
  m_file_options.add_options()(
      "gdb", po::value<std::string>()->value_name("PORT"),
      "serve the GDB remote protocol on 127.0.0.1:PORT (0: a free port, printed on stderr)")(
      "gdb-wait", po::bool_switch(), "halt at reset until a debugger connects (needs --gdb)")(
      "trace-insn", po::value<std::string>()->value_name("FILE"),
      "write every retired instruction (time, pc, word, disassembly, registers written) to FILE");
  // RTL co-simulation (#7).
  m_file_options.add_options()(
      "nvr", po::value<std::string>()->default_value("tlm")->value_name("tlm|rtl"),
      "the NVR of --prefetcher nvr: the TLM model or the verilated RTL core (rtl/nvr/nvr_core.sv)")(
      "rtl-vcd", po::value<std::string>()->value_name("FILE"),
      "write the RTL core's own waveform to FILE (needs --nvr=rtl; time in core cycles)")(
      "record-nvr-events", po::value<std::string>()->value_name("FILE"),
      "write every event the NVR receives to FILE, for lock-step replay (tests/rtl/nvr-rtl-replay)");
  add_options()("help,h", "print this help and exit")("version", "print the version and exit")(
      "config", po::value<std::string>()->value_name("FILE"),
      "read settings from FILE (one `name = value` per line, the long option names; the command line wins)");
  add(m_file_options);
}

void options::print_help(std::ostream& out) const {
  out << "Usage: nvr-vp [options] --firmware ELF | --workload NAME\n"
         "Runs bare-metal RV32IMAC firmware on the nvr-vp SoC (CPU, UART, CLINT, PLIC, DRAM).\n"
         "Exit code: the firmware's exit code; "
      << exit_code::timeout << " when --max-time or --max-instructions ends the run; " << exit_code::usage
      << " for bad options; " << exit_code::bad_firmware << " for a firmware file that cannot be loaded.\n\n"
      << static_cast<const po::options_description&>(*this) << '\n';
}

std::optional<run_config> options::parse(int argc, const char* const* argv) {
  po::variables_map values;
  po::positional_options_description positional;
  positional.add("firmware", 1);
  try {
    po::store(po::command_line_parser(argc, argv).options(*this).positional(positional).run(), values);
    if (values.count("help")) {
      print_help(std::cout);
      return std::nullopt;
    }
    if (values.count("version")) {
      std::cout << "nvr-vp " << version << '\n';
      return std::nullopt;
    }
    if (values.count("config")) {
      const std::string path = values["config"].as<std::string>();
      std::ifstream file(path);
      if (!file) throw usage_error("--config: cannot open '" + path + "'");
      // store() keeps values already present, so the command line wins over the file.
      po::store(po::parse_config_file(file, m_file_options, /*allow_unregistered=*/false), values);
    }
    po::notify(values);
  } catch (const po::error& error) {
    throw usage_error(error.what());
  }

  run_config config;
  auto text = [&](const char* name) { return values[name].as<std::string>(); };
  if (values.count("workload")) {
    const std::string firmware_dir =
        values.count("workload-dir") ? text("workload-dir") : NVR_DEFAULT_FIRMWARE_DIR;
    const std::string image_dir = values.count("workload-dir") ? text("workload-dir") : NVR_DEFAULT_IMAGE_DIR;
    const std::vector<std::string> available = available_workloads(firmware_dir, image_dir);
    std::string names;
    for (const std::string& name : available) names += (names.empty() ? "" : ", ") + name;
    if (names.empty()) names = "none";
    config.workload = text("workload");
    if (config.workload == "list") {
      std::cout << "workloads in " << firmware_dir << (firmware_dir == image_dir ? "" : " and " + image_dir)
                << ": " << names << '\n';
      return std::nullopt;
    }
    if (std::find(available.begin(), available.end(), config.workload) == available.end())
      throw usage_error("--workload: no workload '" + config.workload + "' (firmware " + firmware_dir + "/" +
                        config.workload + ".elf and image " + image_dir + "/" + config.workload +
                        ".img); available: " + names);
    config.firmware = firmware_dir + "/" + config.workload + ".elf";
    config.workload_image = image_dir + "/" + config.workload + ".img";
    if (values.count("workload-image")) config.workload_image = text("workload-image");
  } else if (values.count("workload-dir") || values.count("workload-image")) {
    throw usage_error(std::string("--") + (values.count("workload-dir") ? "workload-dir" : "workload-image") +
                      ": only with --workload NAME");
  }
  if (values.count("firmware")) {
    config.firmware = text("firmware");
  } else if (config.workload.empty()) {
    throw usage_error("no firmware: give --firmware ELF or --workload NAME (see --help)");
  }
  if (values.count("load"))
    for (const std::string& load : values["load"].as<std::vector<std::string>>())
      config.loads.push_back(parse_load("load", load));
  config.quantum = parse_time("quantum", text("quantum"));
  if (config.quantum == sc_core::SC_ZERO_TIME) throw usage_error("--quantum: must be greater than zero");
  if (values.count("max-time")) config.max_time = parse_time("max-time", text("max-time"));
  if (values.count("max-instructions")) {
    config.soc.cpu.max_instructions = parse_size("max-instructions", text("max-instructions"));
    if (config.soc.cpu.max_instructions == 0)
      throw usage_error("--max-instructions: must be greater than zero");
  }
  config.log = parse_log_level("log-level", text("log-level"));
  if (values.count("stats")) config.stats_file = text("stats");
  if (values.count("uart-out")) config.soc.uart_output = text("uart-out");
  config.soc.dram_size = parse_size("dram-size", text("dram-size"));
  if (config.soc.dram_size == 0 || config.soc.dram_size > max_dram_size)
    throw usage_error("--dram-size: must be between 1 byte and " + std::to_string(max_dram_size >> 20) +
                      " MiB");
  config.soc.cpu.dmi = parse_switch("dmi", text("dmi"));
  const std::string misaligned = text("misaligned");
  if (misaligned != "emulate" && misaligned != "trap")
    throw usage_error("--misaligned: '" + misaligned + "' is not emulate or trap");
  config.soc.cpu.trap_misaligned = misaligned == "trap";
  config.soc.npu.clock_period_ps = parse_frequency_period("npu-clock", text("npu-clock"));
  config.soc.npu.max_outstanding =
      static_cast<unsigned>(parse_size("npu-outstanding", text("npu-outstanding")));
  if (config.soc.npu.max_outstanding == 0 || config.soc.npu.max_outstanding > 1024)
    throw usage_error("--npu-outstanding: must be between 1 and 1024");
  config.soc.npu.quantum = config.quantum;
  try {
    config.soc.npu.memory = m_memory_options.to_config(values);
  } catch (const std::invalid_argument& error) {
    throw usage_error(error.what());
  }

  // Traces (#3).
  if (values.count("vcd")) config.trace.vcd_file = text("vcd");
  if (values.count("vcd-groups")) {
    if (config.trace.vcd_file.empty()) throw usage_error("--vcd-groups: needs --vcd FILE");
    config.trace.vcd_groups = parse_list("vcd-groups", text("vcd-groups"));
  }
  if (values.count("trace-bus")) config.trace.bus_file = text("trace-bus");
  try {
    if (values.count("trace-range"))
      for (const std::string& range : values["trace-range"].as<std::vector<std::string>>())
        config.trace.filter.ranges.push_back(trace::parse_address_range(trim(range)));
  } catch (const std::invalid_argument& error) {
    throw usage_error(std::string("--trace-range: ") + error.what());
  }
  try {
    if (values.count("trace-window"))
      config.trace.filter.window =
          trace::parse_time_window(trim(text("trace-window")),
                                   [](const std::string& time) { return parse_time("trace-window", time); });
  } catch (const std::invalid_argument& error) {
    throw usage_error(std::string("--trace-window: ") + error.what());
  }
  if (values.count("vcd") && config.trace.vcd_file.empty()) throw usage_error("--vcd: needs a file name");
  if (values.count("trace-bus") && config.trace.bus_file.empty())
    throw usage_error("--trace-bus: needs a file name");

  // The NPU's memory trace and the oracle's future (read by the main program).
  if (values.count("trace-npu-memory")) {
    config.npu_memory_trace = text("trace-npu-memory");
    if (config.npu_memory_trace.empty()) throw usage_error("--trace-npu-memory: needs a file name");
  }
  const bool oracle = config.soc.npu.memory.prefetcher == "oracle";
  if (values.count("oracle-trace")) {
    config.oracle_trace = text("oracle-trace");
    if (config.oracle_trace.empty()) throw usage_error("--oracle-trace: needs a file name");
    if (!oracle) throw usage_error("--oracle-trace: only --prefetcher oracle uses it");
  } else if (oracle) {
    throw usage_error(
        "--prefetcher oracle: needs the future demand sequence; record a trace first with "
        "--trace-npu-memory FILE (any other prefetcher), then run with --prefetcher oracle "
        "--oracle-trace FILE");
  }

  // RTL co-simulation.
  const std::string nvr = text("nvr");
  if (nvr != "tlm" && nvr != "rtl") throw usage_error("--nvr: '" + nvr + "' is not tlm or rtl");
  config.soc.nvr_rtl = nvr == "rtl";
#ifndef NVR_HAVE_RTL
  if (config.soc.nvr_rtl)
    throw usage_error("--nvr=rtl: this build has no RTL (configured with -DNVR_RTL=OFF)");
#endif
  if (config.soc.nvr_rtl && config.soc.npu.memory.prefetcher != "nvr")
    throw usage_error("--nvr=rtl: only --prefetcher nvr has an RTL core");
  if (values.count("rtl-vcd")) {
    config.soc.rtl_vcd = text("rtl-vcd");
    if (config.soc.rtl_vcd.empty()) throw usage_error("--rtl-vcd: needs a file name");
    if (!config.soc.nvr_rtl) throw usage_error("--rtl-vcd: needs --nvr=rtl");
  }
  if (values.count("record-nvr-events")) {
    config.soc.record_nvr_events = text("record-nvr-events");
    if (config.soc.record_nvr_events.empty()) throw usage_error("--record-nvr-events: needs a file name");
    if (config.soc.npu.memory.prefetcher != "nvr")
      throw usage_error("--record-nvr-events: needs --prefetcher nvr");
  }

  // Debugging and the instruction trace.
  if (values.count("gdb")) config.soc.cpu_debug.gdb_port = parse_port("gdb", text("gdb"));
  config.soc.cpu_debug.gdb_wait = values["gdb-wait"].as<bool>();
  if (config.soc.cpu_debug.gdb_wait && !config.soc.cpu_debug.gdb_port)
    throw usage_error("--gdb-wait: needs --gdb PORT");
  if (values.count("trace-insn")) {
    config.soc.cpu_debug.trace_insn = text("trace-insn");
    if (config.soc.cpu_debug.trace_insn.empty()) throw usage_error("--trace-insn: needs a file name");
  }
  // --trace-range / --trace-window filter the instruction trace (by pc) as they filter the bus trace.
  config.soc.cpu_debug.trace_filter.ranges = config.trace.filter.ranges;
  config.soc.cpu_debug.trace_filter.window = config.trace.filter.window;
  return config;
}

}  // namespace nvr::platform
