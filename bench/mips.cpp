// Simulation speed of the CPU: runs the compute benchmark firmware on nvr-vp for several quanta,
// with DMI on and off, and reports guest instructions per host second (MIPS). Each point is the
// median of --repeat runs, each a separate nvr-vp process; the figures come from the run's
// statistics file (host time of the simulation only, without start-up and ELF loading).
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

namespace po = boost::program_options;

namespace {

struct point {
  std::string quantum;
  bool dmi;
};

std::string quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

nlohmann::json run_once(const std::string& vp, const std::string& firmware, const point& where,
                        const std::string& stats_path) {
  const std::string command = quote(vp) + " --firmware " + quote(firmware) + " --quantum " + where.quantum +
                              " --dmi " + (where.dmi ? "on" : "off") + " --stats " + quote(stats_path) +
                              " --uart-out /dev/null --log-level error";
  const int status = std::system(command.c_str());
  if (status != 0) throw std::runtime_error("benchmark run failed (status " + std::to_string(status) + "): " + command);
  std::ifstream file(stats_path);
  return nlohmann::json::parse(file);
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description description("nvr-bench-mips options");
  description.add_options()("help,h", "print this help")
      ("vp", po::value<std::string>()->required(), "path of nvr-vp")
      ("firmware", po::value<std::string>()->required(), "compute benchmark ELF")
      ("output", po::value<std::string>()->default_value("mips.json"), "JSON result file")
      ("repeat", po::value<unsigned>()->default_value(3), "runs per point (the median is reported)");
  po::variables_map values;
  try {
    po::store(po::parse_command_line(argc, argv, description), values);
    if (values.count("help")) {
      std::cout << description << '\n';
      return 0;
    }
    po::notify(values);
  } catch (const po::error& error) {
    std::cerr << "nvr-bench-mips: " << error.what() << '\n';
    return 64;
  }
  const auto vp = values["vp"].as<std::string>();
  const auto firmware = values["firmware"].as<std::string>();
  const auto output = values["output"].as<std::string>();
  const unsigned repeat = std::max(1u, values["repeat"].as<unsigned>());

  const std::vector<point> points = {{"10ns", true}, {"1us", true}, {"100us", true},
                                     {"10ns", false}, {"1us", false}, {"100us", false}};
  nlohmann::json results = nlohmann::json::array();
  std::cout << std::left << std::setw(10) << "quantum" << std::setw(6) << "dmi" << std::right << std::setw(14)
            << "instructions" << std::setw(12) << "host s" << std::setw(10) << "MIPS" << '\n';
  try {
    for (const auto& where : points) {
      std::vector<nlohmann::json> runs;
      for (unsigned i = 0; i < repeat; ++i)
        runs.push_back(run_once(vp, firmware, where, output + ".run.json")["run"]);
      std::sort(runs.begin(), runs.end(),
                [](const auto& a, const auto& b) { return a["mips"].template get<double>() < b["mips"].template get<double>(); });
      const auto& median = runs[runs.size() / 2];
      const double mips = median["mips"];
      const double seconds = median["host_seconds"];
      const auto instructions = static_cast<std::uint64_t>(mips * 1e6 * seconds + 0.5);
      std::cout << std::left << std::setw(10) << where.quantum << std::setw(6) << (where.dmi ? "on" : "off")
                << std::right << std::setw(14) << instructions << std::setw(12) << std::fixed << std::setprecision(3)
                << seconds << std::setw(10) << std::setprecision(1) << mips << '\n';
      results.push_back({{"quantum", where.quantum}, {"dmi", where.dmi}, {"instructions", instructions},
                         {"host_seconds", seconds}, {"mips", mips}, {"runs", repeat}});
    }
  } catch (const std::exception& error) {
    std::cerr << "nvr-bench-mips: " << error.what() << '\n';
    return 1;
  }
  std::remove((output + ".run.json").c_str());
  std::ofstream(output) << std::setw(2) << nlohmann::json{{"benchmark", "cpu-mips"}, {"firmware", firmware},
                                                           {"points", results}}
                        << '\n';
  std::cout << "written " << output << '\n';
  return 0;
}
