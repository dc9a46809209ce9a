// nvr-wimg: inspects, checks and packs workload data images (firmware/include/workload_image.h).
//
//   nvr-wimg info IMAGE                      header and section table (checks the image first)
//   nvr-wimg pack --workload NAME [--variant V] [--seed N] -o IMAGE SECTION=FILE...
//
// `pack` lets a user wrap their own inputs for a workload firmware of their own without writing a
// generator; `info` says why an image is refused.
#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "workloads/image/workload_image.h"

namespace po = boost::program_options;

namespace {

constexpr int exit_usage = 64;
constexpr int exit_bad_input = 65;

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void print_usage(std::ostream& out, const po::options_description& pack_options) {
  out << "Usage: nvr-wimg info IMAGE\n"
         "       nvr-wimg pack --workload NAME [--variant V] [--seed N] -o IMAGE SECTION=FILE...\n"
         "Inspects or packs workload data images (the format of firmware/include/workload_image.h).\n"
         "Exit code: 0; 64 for bad usage; 65 for an image or input file that cannot be read or is "
         "malformed.\n\n"
      << pack_options << '\n';
}

int info(const std::string& path) {
  const nvr::wimg::image image = nvr::wimg::image::read(path);
  const wimg_header& h = image.header();
  std::cout << path << ": workload image version " << h.version << ", workload '" << image.workload()
            << "', variant '" << image.variant() << "', " << h.image_bytes << " bytes, seed " << h.seed
            << ", flags 0x" << std::hex << h.flags << ", crc32 0x" << std::setw(8) << std::setfill('0')
            << h.crc32 << std::dec << std::setfill(' ') << ", " << image.sections().size() << " sections\n";
  for (const nvr::wimg::section& s : image.sections())
    std::cout << "  " << std::left << std::setw(32) << s.name << std::right << " offset " << std::setw(10)
              << s.offset << "  " << std::setw(10) << s.bytes << " bytes\n";
  return 0;
}

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw nvr::wimg::image_error("cannot read '" + path + "'");
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

int pack(const po::variables_map& values) {
  if (!values.count("workload")) throw usage_error("pack: --workload NAME is required");
  if (!values.count("output")) throw usage_error("pack: -o IMAGE is required");
  if (!values.count("section")) throw usage_error("pack: give at least one SECTION=FILE");
  nvr::wimg::writer writer(values["workload"].as<std::string>(), values["variant"].as<std::string>(),
                           values["seed"].as<std::uint32_t>());
  for (const std::string& item : values["section"].as<std::vector<std::string>>()) {
    const auto equals = item.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == item.size())
      throw usage_error("pack: '" + item + "' is not SECTION=FILE");
    writer.add(item.substr(0, equals), read_file(item.substr(equals + 1)));
  }
  writer.write(values["output"].as<std::string>());
  return 0;
}

int run(int argc, char** argv) {
  po::options_description pack_options("pack options");
  pack_options.add_options()("help,h", "print this help and exit")(
      "workload", po::value<std::string>()->value_name("NAME"),
      "the workload the image is for (1-15 characters)")(
      "variant", po::value<std::string>()->default_value("")->value_name("V"),
      "free text, at most 15 characters")(
      "seed", po::value<std::uint32_t>()->default_value(0)->value_name("N"), "recorded in the header")(
      "output,o", po::value<std::string>()->value_name("IMAGE"), "the image to write");
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::string>())("section", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(pack_options).add(hidden);
  po::positional_options_description positional;
  positional.add("command", 1).add("section", -1);
  po::variables_map values;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), values);
    po::notify(values);
  } catch (const po::error& error) {
    throw usage_error(error.what());
  }
  if (values.count("help")) {
    print_usage(std::cout, pack_options);
    return 0;
  }
  if (!values.count("command")) throw usage_error("give a command: info or pack (see --help)");
  const std::string command = values["command"].as<std::string>();
  if (command == "info") {
    const auto sections = values.count("section") ? values["section"].as<std::vector<std::string>>()
                                                  : std::vector<std::string>{};
    if (sections.size() != 1) throw usage_error("info: give exactly one IMAGE");
    if (values.count("workload") || values.count("output")) throw usage_error("info takes no options");
    return info(sections.front());
  }
  if (command == "pack") return pack(values);
  throw usage_error("unknown command '" + command + "' (info or pack)");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const usage_error& error) {
    std::cerr << "nvr-wimg: " << error.what() << '\n';
    return exit_usage;
  } catch (const std::invalid_argument& error) {
    std::cerr << "nvr-wimg: " << error.what() << '\n';
    return exit_usage;
  } catch (const std::exception& error) {
    std::cerr << "nvr-wimg: " << error.what() << '\n';
    return exit_bad_input;
  }
}
