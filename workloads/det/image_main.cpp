// nvr-det-image: the det workload's data image (issue #8): the KITTI scan's points, the seeded
// synthetic PillarHist network as the NPU runs it and the host reference's golden outputs, for
// `nvr-vp --workload det` (firmware/workloads/det).
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "workloads/det/image.h"

#ifndef NVR_DET_DATA_DIR
#define NVR_DET_DATA_DIR "workloads/data"
#endif

namespace po = boost::program_options;

namespace {

namespace exit_code {
constexpr int ok = 0;
constexpr int usage = 64;     // EX_USAGE
constexpr int data = 65;      // EX_DATAERR: malformed scan, or nothing of it in the grid
constexpr int no_input = 66;  // EX_NOINPUT
constexpr int io_error = 74;  // EX_IOERR: the image cannot be written
}  // namespace exit_code

struct usage_error {
  std::string what;
};

unsigned long number(const po::variables_map& vm, const char* name, unsigned long lo, unsigned long hi) {
  const std::string text = vm[name].as<std::string>();
  char* end = nullptr;
  errno = 0;
  const unsigned long v =
      text.empty() || text[0] == '-' || text[0] == '+' ? 0 : std::strtoul(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || text[0] == '+' || *end != '\0' || errno != 0 || v < lo || v > hi)
    throw usage_error{std::string("--") + name + ": '" + text + "' is not a number in " + std::to_string(lo) +
                      ".." + std::to_string(hi)};
  return v;
}

int run(int argc, char** argv) {
  po::options_description opts("nvr-det-image options");
  opts.add_options()("help,h", "print this help and exit")(
      "output,o", po::value<std::string>()->value_name("FILE"), "write the image to FILE (required)")(
      "canvas", po::value<std::string>()->default_value("small")->value_name("small|full"),
      "small: 216 x 248 at 0.32 m (the default, a few seconds on nvr-vp); full: 432 x 496 at 0.16 m")(
      "small", po::bool_switch(), "--canvas small (as nvr-det-ref --small)")("full", po::bool_switch(),
                                                                             "--canvas full")(
      "seed", po::value<std::string>()->default_value("1")->value_name("N"),
      "seed of the synthetic weights (0..4294967295)")(
      "top-k", po::value<std::string>()->default_value("10")->value_name("K"),
      "heatmap peaks to keep (1..1000)")("max-pillars",
                                         po::value<std::string>()->default_value("16000")->value_name("P"),
                                         "pillars kept at most (1..1000000)")(
      "scan",
      po::value<std::string>()->default_value(NVR_DET_DATA_DIR "/kitti_000008.bin")->value_name("FILE"),
      "KITTI velodyne scan (float32 x, y, z, intensity per point)");
  po::variables_map vm;
  det::image_options o;
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout
          << "Usage: nvr-det-image [options] -o FILE\n"
             "Packs the PillarHist detection workload (SYNTHETIC seeded weights, the KITTI scan, golden\n"
             "outputs of the host reference) into an image for `nvr-vp --workload det`.\n\n"
          << opts;
      return exit_code::ok;
    }
    const std::string canvas = vm["canvas"].as<std::string>();
    if (canvas != "small" && canvas != "full")
      throw usage_error{"--canvas: '" + canvas + "' is neither small nor full"};
    o.full = canvas == "full";
    const bool small = vm["small"].as<bool>(), full = vm["full"].as<bool>();
    if ((small && full) || ((small || full) && !vm["canvas"].defaulted() && full != o.full))
      throw usage_error{"--small, --full and --canvas disagree"};
    o.full = o.full || full;
    o.seed = static_cast<std::uint32_t>(number(vm, "seed", 0, 0xffffffffUL));
    o.top_k = number(vm, "top-k", 1, DET_MAX_TOP_K);
    o.max_pillars = number(vm, "max-pillars", 1, 1000000);
    if (!vm.count("output")) throw usage_error{"no output file (-o FILE)"};
  } catch (const po::error& e) {
    std::cerr << "nvr-det-image: " << e.what() << " (see --help)\n";
    return exit_code::usage;
  } catch (const usage_error& e) {
    std::cerr << "nvr-det-image: " << e.what << " (see --help)\n";
    return exit_code::usage;
  }

  const std::string scan_path = vm["scan"].as<std::string>(), output = vm["output"].as<std::string>();
  std::vector<det::point> scan;
  try {
    scan = det::read_scan(scan_path);
  } catch (const det::scan_error& e) {
    std::cerr << "nvr-det-image: " << e.what() << "\n";
    return e.missing() ? exit_code::no_input : exit_code::data;
  }
  det::result r;
  std::vector<std::uint8_t> bytes;
  try {
    bytes = det::make_image(scan, o, &r).finish();
  } catch (const std::invalid_argument& e) {
    std::cerr << "nvr-det-image: " << scan_path << ": " << e.what() << "\n";
    return exit_code::data;
  }
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!file) {
    std::cerr << "nvr-det-image: cannot write '" << output << "'\n";
    return exit_code::io_error;
  }
  std::cout << "det image " << output << ": SYNTHETIC weights (seed " << o.seed << "), "
            << (o.full ? "full" : "small") << " canvas " << r.canvas.w << " x " << r.canvas.h << ", "
            << scan.size() << " points, " << r.p.ids.size() << " pillars, " << r.peaks.size() << " peaks\n";
  return exit_code::ok;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "nvr-det-image: " << e.what() << "\n";
    return 70;  // EX_SOFTWARE
  }
}
