// nvr-occ-image: the occupancy workload's data image for `nvr-vp --workload occ` (or
// occ_panoptic with --panoptic): inputs, BEVPool indices, weights and golden outputs of the host
// reference, all seeded synthetic.
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <string>

#include "workloads/occ/image.h"

namespace po = boost::program_options;

namespace {

namespace exit_code {
constexpr int ok = 0;
constexpr int usage = 64;     // EX_USAGE
constexpr int software = 70;  // EX_SOFTWARE
constexpr int io = 74;        // EX_IOERR
}  // namespace exit_code

const char* const self = "nvr-occ-image";

int usage(const std::string& problem) {
  std::cerr << self << ": " << problem << " (see --help)\n";
  return exit_code::usage;
}

int run(int argc, char** argv) {
  po::options_description general(std::string(self) + " options");
  general.add_options()("help,h", "print this help")("output,o", po::value<std::string>()->value_name("FILE"),
                                                     "the image to write (required)")(
      "grid", po::value<std::string>()->value_name("small|full")->default_value("small"),
      "small: 50x50x8, 8 classes, C 16 (default); full: 200x200x16, 18 classes, C 32")(
      "seed", po::value<std::string>()->value_name("N")->default_value("1"),
      "seed of the synthetic rig, inputs and weights (0..4294967295)")(
      "panoptic", po::bool_switch(), "add the panoptic head (workload occ_panoptic)")(
      "pool", po::value<std::string>()->value_name("spmm|gemm")->default_value("spmm"),
      "how the firmware pools: one CSR SpMM over all intervals (default), or a gather and one GEMM "
      "per interval as the reference (same results, for comparison)");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(general).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage(e.what());
  }
  if (vm.count("help")) {
    std::cout << "Usage: " << self << " [options] -o FILE\n"
              << "The data image of the occupancy workload (issue #8). Weights and inputs are seeded\n"
              << "synthetic: no trained model is available offline.\n\n"
              << general << "\n";
    return exit_code::ok;
  }
  occ::image_options o;
  o.grid = vm["grid"].as<std::string>();
  if (o.grid != "small" && o.grid != "full")
    return usage("--grid: '" + o.grid + "' is neither small nor full");
  const std::string seed = vm["seed"].as<std::string>();
  char* end = nullptr;
  errno = 0;
  const unsigned long long s = std::strtoull(seed.c_str(), &end, 10);
  if (seed.empty() || seed[0] < '0' || seed[0] > '9' || *end != '\0' || errno != 0 || s > 0xffffffffULL)
    return usage("--seed: '" + seed + "' is not a number in 0..4294967295");
  o.seed = static_cast<std::uint32_t>(s);
  o.panoptic = vm["panoptic"].as<bool>();
  const std::string pool = vm["pool"].as<std::string>();
  if (pool != "spmm" && pool != "gemm") return usage("--pool: '" + pool + "' is neither spmm nor gemm");
  o.pool_gemm = pool == "gemm";
  if (!vm.count("output")) return usage("no output file: give -o FILE");
  const std::string output = vm["output"].as<std::string>();
  const nvr::wimg::writer w = occ::make_image(o);
  try {
    w.write(output);
  } catch (const std::runtime_error& e) {
    std::cerr << self << ": " << e.what() << "\n";
    return exit_code::io;
  }
  return exit_code::ok;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << self << ": " << e.what() << "\n";
    return exit_code::software;
  }
}
