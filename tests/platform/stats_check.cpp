// stats-check: checks statistics files written by `nvr-vp --stats` (an independent JSON parse).
//   stats-check has FILE PATH[=VALUE]...  every dotted PATH exists (and equals VALUE, if given)
//   stats-check same FILE1 FILE2          identical apart from host-dependent figures
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

namespace {

nlohmann::json read(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot open " + path);
  return nlohmann::json::parse(file);
}

nlohmann::json::json_pointer pointer_of(const std::string& dotted) {
  std::string pointer;
  for (char c : dotted) pointer += c == '.' ? '/' : c;
  return nlohmann::json::json_pointer("/" + pointer);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 2 ? argv[1] : "";
    if (mode == "has") {
      const auto document = read(argv[2]);
      for (int i = 3; i < argc; ++i) {
        const std::string argument = argv[i];
        const auto equals = argument.find('=');
        const auto where = pointer_of(argument.substr(0, equals));
        if (!document.contains(where)) throw std::runtime_error("missing " + argument.substr(0, equals));
        if (equals != std::string::npos && document[where].dump() != argument.substr(equals + 1))
          throw std::runtime_error(argument.substr(0, equals) + " is " + document[where].dump() + ", expected " +
                                   argument.substr(equals + 1));
        std::cout << argument.substr(0, equals) << " = " << document[where].dump() << '\n';
      }
      return 0;
    }
    if (mode == "same" && argc == 4) {
      auto first = read(argv[2]), second = read(argv[3]);
      for (auto* document : {&first, &second})
        for (const char* host_dependent : {"host_seconds", "mips"}) (*document)["run"].erase(host_dependent);
      if (first != second) {
        std::cerr << "statistics differ:\n" << nlohmann::json::diff(first, second).dump(2) << '\n';
        return 1;
      }
      std::cout << "identical (" << first.flatten().size() << " values)\n";
      return 0;
    }
    std::cerr << "usage: stats-check has FILE PATH[=VALUE]... | stats-check same FILE1 FILE2\n";
    return 64;
  } catch (const std::exception& error) {
    std::cerr << "stats-check: " << error.what() << '\n';
    return 1;
  }
}
