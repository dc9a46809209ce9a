// Prefetchers by name, so `--prefetcher NAME` can select any of them: the baselines and the
// runahead prefetchers of ip/nvr.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ip/prefetch/prefetcher.h"

namespace nvr::mem {

class prefetcher_factory {
 public:
  using maker =
      std::function<std::unique_ptr<prefetcher>(const prefetcher_params&, const prefetcher_environment&)>;

  // The factory with none, next_line, stride, stream, imp, dvr, nvr, oracle.
  static prefetcher_factory& instance();

  // std::invalid_argument when the name is taken.
  void add(const std::string& name, const std::string& description, maker make);
  // nullptr for "none"; std::invalid_argument for an unknown name or bad parameters.
  std::unique_ptr<prefetcher> make(const std::string& name, const prefetcher_params& params = {},
                                   const prefetcher_environment& env = {}) const;
  bool contains(const std::string& name) const;
  std::vector<std::string> names() const;
  std::string description(const std::string& name) const;

 private:
  prefetcher_factory();
  struct info {
    std::string name, description;
    maker make;
  };
  std::vector<info> m_makers;
};

// "key=value" (value a decimal or 0x integer) into params; std::invalid_argument otherwise.
void parse_prefetcher_param(const std::string& text, prefetcher_params& params);

}  // namespace nvr::mem
