// Helpers for the trace tests: temporary file names, reading a file, the value-change lines of a
// VCD (everything after $enddefinitions).
#pragma once

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace nvr::test {

// A file name in /tmp that no other test uses (removed when the object goes).
class temporary_path {
 public:
  explicit temporary_path(const std::string& suffix) {
    char name[] = "/tmp/nvr-trace-XXXXXX";
    const int fd = mkstemp(name);
    if (fd >= 0) close(fd);
    std::remove(name);
    m_path = std::string(name) + suffix;
  }
  ~temporary_path() { std::remove(m_path.c_str()); }
  temporary_path(const temporary_path&) = delete;
  temporary_path& operator=(const temporary_path&) = delete;
  const std::string& str() const { return m_path; }
  operator const std::string&() const { return m_path; }

 private:
  std::string m_path;
};

inline std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The lines after "$enddefinitions $end".
inline std::vector<std::string> vcd_body(const std::string& path) {
  const std::string text = read_file(path);
  const auto at = text.find("$enddefinitions $end\n");
  if (at == std::string::npos) return {};
  return lines_of(text.substr(at + 21));
}

}  // namespace nvr::test
