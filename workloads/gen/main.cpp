// nvr-kernel-images [--seed N] [--large] OUTPUT: writes the standard kernel-test image (see
// kernel_image.h) for `nvr-vp --load OUTPUT@0x88000000 npu_kernels.elf`.
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "workloads/gen/kernel_image.h"

namespace {

int usage(const std::string& problem) {
  std::cerr << "nvr-kernel-images: " << problem << "\nUsage: nvr-kernel-images [--seed N] [--large] OUTPUT\n";
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint32_t seed = 1;
  std::string output;
  bool large = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seed") {
      if (i + 1 >= argc) return usage("--seed needs a value");
      const std::string text = argv[++i];
      char* end = nullptr;
      errno = 0;
      const unsigned long long value = std::strtoull(text.c_str(), &end, 0);
      if (text.empty() || text[0] == '-' || *end != '\0' || errno != 0 || value > UINT32_MAX)
        return usage("--seed: '" + text + "' is not a 32-bit number");
      seed = static_cast<std::uint32_t>(value);
    } else if (arg == "--large") {
      large = true;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << "Usage: nvr-kernel-images [--seed N] [--large] OUTPUT\n"
                   "Writes the NPU kernel-test image (inputs and golden outputs of the host reference);\n"
                   "--large: bigger shapes for measurements instead of the test set.\n";
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      return usage("unknown option '" + arg + "'");
    } else if (!output.empty()) {
      return usage("more than one output file");
    } else {
      output = arg;
    }
  }
  if (output.empty()) return usage("no output file");
  const std::vector<std::uint8_t> image =
      large ? nvr::gen::large_image(seed) : nvr::gen::standard_image(seed);
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
  if (!file.flush()) {
    std::cerr << "nvr-kernel-images: cannot write '" << output << "'\n";
    return 74;
  }
  return 0;
}
