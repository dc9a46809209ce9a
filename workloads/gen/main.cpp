// nvr-kernel-images [--seed N] [--set NAME | --large] [--case NAME]... [--list] OUTPUT: writes a
// kernel-test image (see kernel_image.h) for `nvr-vp --load OUTPUT@0x88000000 npu_kernels.elf`.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>

#include "workloads/gen/kernel_image.h"

namespace {

const char* const synopsis =
    "Usage: nvr-kernel-images [--seed N] [--set standard|large|sparse|sparse-small] [--case NAME]...\n"
    "                         OUTPUT\n"
    "       nvr-kernel-images [--set NAME] [--case NAME]... --list\n";

int usage(const std::string& problem) {
  std::cerr << "nvr-kernel-images: " << problem << "\n" << synopsis;
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint32_t seed = 1;
  std::string output;
  std::optional<nvr::gen::case_set> set;
  std::set<std::string> only;
  bool list = false;
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
    } else if (arg == "--set" || arg == "--large") {
      // --large is the older spelling of --set large.
      std::string name = "large";
      if (arg == "--set") {
        if (i + 1 >= argc) return usage("--set needs a value");
        name = argv[++i];
      }
      const auto chosen = nvr::gen::case_set_from_name(name);
      if (!chosen) return usage("--set: unknown set '" + name + "' (standard, large, sparse, sparse-small)");
      if (set && *set != *chosen) return usage("more than one case set");
      set = chosen;
    } else if (arg == "--case") {
      if (i + 1 >= argc) return usage("--case needs a value");
      only.insert(argv[++i]);
    } else if (arg == "--list") {
      list = true;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << synopsis
                << "Writes the NPU kernel-test image (inputs and golden outputs of the host reference).\n"
                   "  --set NAME   the case set: standard (the ctest, default), large (bigger shapes for\n"
                   "               measurements; also --large), sparse (the sparse suite of the NVR\n"
                   "               experiment), sparse-small (its kinds at ctest size)\n"
                   "  --case NAME  keep only this case of the set (repeatable)\n"
                   "  --list       print the case names of the set (or of the --case selection), one a line\n"
                   "  --seed N     the inputs' seed (default 1)\n";
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      return usage("unknown option '" + arg + "'");
    } else if (!output.empty()) {
      return usage("more than one output file");
    } else {
      output = arg;
    }
  }
  const nvr::gen::case_set chosen = set.value_or(nvr::gen::case_set::standard);
  if (list) {
    if (!output.empty()) return usage("--list takes no output file");
    const std::vector<std::string> names = nvr::gen::case_names(chosen, seed);
    for (const std::string& name : only)
      if (std::find(names.begin(), names.end(), name) == names.end())
        return usage("--case: no case '" + name + "' in set " + nvr::gen::to_string(chosen));
    for (const std::string& name : names)
      if (only.empty() || only.count(name) != 0) std::cout << name << "\n";
    return 0;
  }
  if (output.empty()) return usage("no output file");
  std::vector<std::uint8_t> image;
  try {
    image = nvr::gen::make_image(chosen, seed, only);
  } catch (const std::invalid_argument& error) {
    return usage(std::string("--case: ") + error.what());
  }
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
  if (!file.flush()) {
    std::cerr << "nvr-kernel-images: cannot write '" << output << "'\n";
    return 74;
  }
  return 0;
}
