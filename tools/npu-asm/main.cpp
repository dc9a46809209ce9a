// nvr-npu-asm / nvr-npu-disasm: NPU assembly text <-> binary command stream (32 bytes per
// instruction). One program; the name (or -d) picks the direction. Syntax: README.md.
#include <boost/program_options.hpp>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "tools/npu-asm/npu_asm.h"

namespace po = boost::program_options;

namespace {

namespace exit_code {
constexpr int ok = 0;
constexpr int usage = 64;        // EX_USAGE
constexpr int data = 65;         // EX_DATAERR: assembly errors, truncated binary
constexpr int no_input = 66;     // EX_NOINPUT
constexpr int cant_create = 73;  // EX_CANTCREAT
}  // namespace exit_code

bool read_all(const std::string& path, std::string& out) {
  if (path == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), {});
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), {});
  return true;
}

bool write_all(const std::string& path, const std::string& data) {
  if (path == "-") {
    std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
    return static_cast<bool>(std::cout.flush());
  }
  std::ofstream out(path, std::ios::binary);
  return out && out.write(data.data(), static_cast<std::streamsize>(data.size())) && out.flush();
}

int run(int argc, char** argv) {
  const char* slash = std::strrchr(argv[0], '/');
  const std::string self = slash ? slash + 1 : argv[0];
  bool disasm = self.find("disasm") != std::string::npos;
  po::options_description general(self + " options");
  general.add_options()("help,h", "print this help")("output,o", po::value<std::string>()->default_value("-"),
                                                     "output file ('-': standard output)")(
      "disassemble,d", po::bool_switch(), "binary to text (the default of nvr-npu-disasm)");
  po::options_description hidden;
  hidden.add_options()("input", po::value<std::string>(), "input file");
  po::options_description all;
  all.add(general).add(hidden);
  po::positional_options_description positional;
  positional.add("input", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << self << ": " << e.what() << "\n";
    return exit_code::usage;
  }
  if (vm.count("help")) {
    std::cout << "Usage: " << self << " [options] INPUT ('-': standard input)\n"
              << (disasm ? "Binary NPU command stream to assembly text.\n"
                         : "NPU assembly text to a binary command stream.\n")
              << "\n"
              << general << "\n";
    return exit_code::ok;
  }
  disasm = disasm || vm["disassemble"].as<bool>();
  if (!vm.count("input")) {
    std::cerr << self << ": no input file given (see --help)\n";
    return exit_code::usage;
  }
  const std::string input = vm["input"].as<std::string>(), output = vm["output"].as<std::string>();
  std::string data;
  if (!read_all(input, data)) {
    std::cerr << self << ": cannot read '" << input << "': " << std::strerror(errno) << "\n";
    return exit_code::no_input;
  }
  std::string result;
  int code = exit_code::ok;
  if (disasm) {
    std::string error;
    result = npu_asm::disassemble(std::vector<std::uint8_t>(data.begin(), data.end()), &error);
    if (!error.empty()) {
      std::cerr << input << ": error: " << error << "\n";
      code = exit_code::data;
    }
  } else {
    const npu_asm::assembly a = npu_asm::assemble(data);
    if (!a.errors.empty()) {
      for (const auto& d : a.errors) std::cerr << input << ":" << d.line << ": error: " << d.message << "\n";
      return exit_code::data;  // no output from a bad source
    }
    const auto bytes = npu_asm::to_bytes(a.program);
    result.assign(bytes.begin(), bytes.end());
  }
  if (!write_all(output, result)) {
    std::cerr << self << ": cannot write '" << output << "'\n";
    return exit_code::cant_create;
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 70;
  }
}
