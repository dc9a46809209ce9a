#include "ip/prefetch/factory.h"

#include <stdexcept>

#include "ip/nvr/runahead.h"
#include "ip/prefetch/baselines.h"

namespace nvr::mem {

prefetcher_factory& prefetcher_factory::instance() {
  static prefetcher_factory the_factory;
  return the_factory;
}

prefetcher_factory::prefetcher_factory() {
  add("none", "no prefetching", [](const prefetcher_params& p, const prefetcher_environment&) {
    if (!p.empty()) throw std::invalid_argument("prefetcher none takes no parameters");
    return std::unique_ptr<prefetcher>();
  });
  add("next_line", "the next line(s) after every access (degree, on_miss_only)",
      [](const prefetcher_params& p, const prefetcher_environment&) {
        return std::unique_ptr<prefetcher>(new next_line_prefetcher(p));
      });
  add("stride", "per-instruction reference prediction table (entries, degree, distance, threshold)",
      [](const prefetcher_params& p, const prefetcher_environment&) {
        return std::unique_ptr<prefetcher>(new stride_prefetcher(p));
      });
  add("stream", "ascending/descending line streams (streams, degree, distance, threshold, window)",
      [](const prefetcher_params& p, const prefetcher_environment&) {
        return std::unique_ptr<prefetcher>(new stream_prefetcher(p));
      });
  add("imp", "indirect memory prefetcher, gem5 defaults (pt_entries, ipd_entries, shift_mask, ...)",
      [](const prefetcher_params& p, const prefetcher_environment&) {
        return std::unique_ptr<prefetcher>(new imp_prefetcher(p));
      });
  add("dvr", "DVR-like runahead: 128-lane episodes, 200-operation budget, no CSR bounds (lanes, budget, ...)",
      [](const prefetcher_params& p, const prefetcher_environment&) {
        return std::unique_ptr<prefetcher>(new runahead::dvr_prefetcher(runahead::parse_dvr_config(p)));
      });
  add("nvr", "NPU vector runahead: SD, SCD, LBD, vector generator (vector_size, distance, sd, scd, lbd, ...)",
      [](const prefetcher_params& p, const prefetcher_environment&) {
        return std::unique_ptr<prefetcher>(new runahead::nvr_prefetcher(runahead::parse_nvr_config(p)));
      });
  add("oracle", "knows the future trace: perfect prefetching, the upper bound (distance)",
      [](const prefetcher_params& p, const prefetcher_environment& env) {
        return std::unique_ptr<prefetcher>(new oracle_prefetcher(p, env.future_lines));
      });
}

void prefetcher_factory::add(const std::string& name, const std::string& description, maker make) {
  if (contains(name)) throw std::invalid_argument("prefetcher '" + name + "' registered twice");
  m_makers.push_back(info{name, description, std::move(make)});
}

std::unique_ptr<prefetcher> prefetcher_factory::make(const std::string& name, const prefetcher_params& params,
                                                     const prefetcher_environment& env) const {
  for (const info& i : m_makers)
    if (i.name == name) return i.make(params, env);
  std::string known;
  for (const info& i : m_makers) known += (known.empty() ? "" : ", ") + i.name;
  throw std::invalid_argument("unknown prefetcher '" + name + "' (" + known + ")");
}

bool prefetcher_factory::contains(const std::string& name) const {
  for (const info& i : m_makers)
    if (i.name == name) return true;
  return false;
}

std::vector<std::string> prefetcher_factory::names() const {
  std::vector<std::string> n;
  for (const info& i : m_makers) n.push_back(i.name);
  return n;
}

std::string prefetcher_factory::description(const std::string& name) const {
  for (const info& i : m_makers)
    if (i.name == name) return i.description;
  return {};
}

void parse_prefetcher_param(const std::string& text, prefetcher_params& params) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw std::invalid_argument("prefetcher parameter '" + text + "' is not key=value");
  const std::string key = text.substr(0, eq), value = text.substr(eq + 1);
  std::size_t used = 0;
  std::int64_t v = 0;
  try {
    v = std::stoll(value, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size())
    throw std::invalid_argument("prefetcher parameter " + key + ": '" + value + "' is not an integer");
  params[key] = v;
}

}  // namespace nvr::mem
