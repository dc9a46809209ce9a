// Command-line options of the memory hierarchy (Boost.Program_options), shared by the trace
// driver and, later, the platform: --nsb-*, --l2-*, --dram-*, --prefetcher, --prefetcher-param.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <string>

#include "ip/cache/hierarchy.h"

namespace nvr::mem {

class hierarchy_options : public boost::program_options::options_description {
 public:
  hierarchy_options();
  // std::invalid_argument naming the option on a bad value.
  hierarchy_config to_config(const boost::program_options::variables_map& vm) const;
};

// "16K", "16KiB", "2M", "0x4000", "4096" -> bytes. std::invalid_argument naming `option`.
std::uint64_t parse_size(const std::string& option, const std::string& text);

}  // namespace nvr::mem
