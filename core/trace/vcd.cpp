#include "core/trace/vcd.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>

namespace nvr::trace {

namespace {

std::vector<signal*>& registry() {
  static std::vector<signal*> signals;
  return signals;
}

// GTKWave trace flags (.gtkw "@" lines): right-justified binary, hex, decimal; group begin/end
// markers are blank (comment) traces with the group flags.
constexpr const char* gtkw_binary = "@28";
constexpr const char* gtkw_hex = "@22";
constexpr const char* gtkw_decimal = "@24";
constexpr const char* gtkw_group_begin = "@800200";
constexpr const char* gtkw_group_end = "@1000200";

// The scope tree of the VCD header, built from the dotted signal names.
struct scope {
  std::string name;
  std::vector<std::unique_ptr<scope>> children;
  std::vector<std::pair<std::string, std::size_t>> vars;  // local name, traced index

  scope& child(const std::string& child_name) {
    for (auto& c : children)
      if (c->name == child_name) return *c;
    children.push_back(std::make_unique<scope>());
    children.back()->name = child_name;
    return *children.back();
  }
};

}  // namespace

// --- signal -------------------------------------------------------------------------------------

signal::signal(const sc_core::sc_object& owner, const std::string& name, unsigned width, std::string group,
               format display, std::uint64_t initial)
    : signal(std::string(owner.name()) + "." + name, width, std::move(group), display, initial) {}

signal::signal(std::string full_name, unsigned width, std::string group, format display,
               std::uint64_t initial)
    : m_name(std::move(full_name)),
      m_group(std::move(group)),
      m_width(width),
      m_display(display),
      m_initial(initial) {
  if (m_name.empty() || m_name.front() == '.' || m_name.back() == '.' ||
      m_name.find_first_of(" \t\n[]") != std::string::npos)
    throw std::invalid_argument("trace signal '" + m_name + "': not a valid hierarchical name");
  if (width < 1 || width > 64)
    throw std::invalid_argument("trace signal '" + m_name + "': width must be 1..64 bits");
  if (m_group.empty()) throw std::invalid_argument("trace signal '" + m_name + "': no group");
  for (const signal* other : registry())
    if (other->m_name == m_name) throw std::invalid_argument("trace signal '" + m_name + "' exists twice");
  registry().push_back(this);
}

signal::~signal() {
  if (m_writer != nullptr) m_writer->m_signals[m_index].source = nullptr;
  auto& all = registry();
  all.erase(std::remove(all.begin(), all.end(), this), all.end());
}

const std::vector<signal*>& signal::all() { return registry(); }

void signal::forward(const sc_core::sc_time& at, std::uint64_t value) {
  m_writer->record(m_index, at, value);
}

void signal::forward_pulse(const sc_core::sc_time& at) {
  m_writer->record(m_index, at, 1);
  m_writer->record(m_index, at + pulse_width(), 0);
}

// --- vcd_writer ---------------------------------------------------------------------------------

std::vector<std::string> vcd_writer::available_groups() {
  std::vector<std::string> groups;
  for (const signal* s : registry())
    if (std::find(groups.begin(), groups.end(), s->group()) == groups.end()) groups.push_back(s->group());
  return groups;
}

std::string vcd_writer::identifier(std::size_t n) {
  // Bijective base 94 over the printable characters '!'..'~': every code is distinct.
  constexpr std::size_t base = 94;
  std::string code;
  while (true) {
    code.push_back(static_cast<char>('!' + n % base));
    if (n < base) break;
    n = n / base - 1;
  }
  return code;
}

vcd_writer::vcd_writer(const std::string& path, const options& settings)
    : m_path(path), m_options(settings), m_flush_at(std::max<std::size_t>(settings.buffer_limit, 1)) {
  const std::vector<std::string> available = available_groups();
  if (settings.groups.empty()) {
    m_groups = available;
  } else {
    for (const std::string& group : settings.groups) {
      if (std::find(available.begin(), available.end(), group) == available.end()) {
        std::string known;
        for (const std::string& g : available) known += (known.empty() ? "" : ", ") + g;
        throw std::invalid_argument("unknown VCD signal group '" + group + "' (groups: " + known + ")");
      }
      if (std::find(m_groups.begin(), m_groups.end(), group) == m_groups.end()) m_groups.push_back(group);
    }
  }

  m_file.open(path, std::ios::binary | std::ios::trunc);
  if (!m_file) throw std::runtime_error("cannot write '" + path + "'");

  for (signal* s : registry()) {
    if (std::find(m_groups.begin(), m_groups.end(), s->group()) == m_groups.end()) continue;
    if (s->m_writer != nullptr) throw std::runtime_error("trace signal '" + s->name() + "' is traced twice");
    traced t;
    t.source = s;
    t.code = identifier(m_signals.size());
    t.mask = s->width() == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << s->width()) - 1;
    t.current = s->initial() & t.mask;
    m_signals.push_back(std::move(t));
  }
  write_header();
  if (!settings.save_file.empty()) write_save_file(settings.save_file, path);
  // Attach last: nothing is recorded into a writer whose constructor may still throw.
  for (std::size_t i = 0; i < m_signals.size(); ++i) {
    m_signals[i].source->m_writer = this;
    m_signals[i].source->m_index = static_cast<unsigned>(i);
  }
  m_open = true;
}

vcd_writer::~vcd_writer() { close(); }

void vcd_writer::write_header() {
  m_file << "$version\n  " << m_options.version << "\n$end\n";
  m_file << "$timescale " << sc_core::sc_get_time_resolution().to_string() << " $end\n";

  scope root;
  for (std::size_t i = 0; i < m_signals.size(); ++i) {
    const std::string& name = m_signals[i].source->name();
    scope* level = &root;
    std::size_t from = 0;
    for (std::size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', from)) {
      level = &level->child(name.substr(from, dot - from));
      from = dot + 1;
    }
    // A name without a dot is declared in a scope "top": VCD variables live inside scopes.
    if (level == &root) level = &root.child("top");
    level->vars.emplace_back(name.substr(from), i);
  }
  const auto write_scope = [this](const scope& s, auto& self) -> void {
    m_file << "$scope module " << s.name << " $end\n";
    for (const auto& [local, index] : s.vars) {
      const unsigned width = m_signals[index].source->width();
      m_file << "$var wire " << width << ' ' << m_signals[index].code << ' ' << local;
      if (width > 1) m_file << " [" << width - 1 << ":0]";
      m_file << " $end\n";
    }
    for (const auto& child : s.children) self(*child, self);
    m_file << "$upscope $end\n";
  };
  for (const auto& top : root.children) write_scope(*top, write_scope);
  m_file << "$enddefinitions $end\n#0\n$dumpvars\n";
  for (const traced& t : m_signals) write_value(t, t.current);
  m_file << "$end\n";
  m_last_time = 0;
}

void vcd_writer::write_save_file(const std::string& path, const std::string& vcd_path) const {
  std::ofstream save(path, std::ios::trunc);
  if (!save) throw std::runtime_error("cannot write '" + path + "'");
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(vcd_path, error);
  save << "[*] GTKWave save file written by " << m_options.version << "\n";
  save << "[dumpfile] \"" << (error ? vcd_path : absolute.string()) << "\"\n";
  save << "[timestart] 0\n";
  std::vector<std::string> tops;
  for (const traced& t : m_signals) {
    const std::string top = t.source->name().substr(0, t.source->name().find('.'));
    if (std::find(tops.begin(), tops.end(), top) == tops.end()) tops.push_back(top);
  }
  for (const std::string& top : tops) save << "[treeopen] " << top << ".\n";
  save << "[sst_expanded] 1\n";
  for (const std::string& group : m_groups) {
    save << gtkw_group_begin << "\n-" << group << "\n";
    const char* last_flags = nullptr;
    for (const traced& t : m_signals) {
      const signal& s = *t.source;
      if (s.group() != group) continue;
      format display = s.display();
      if (display == format::automatic) display = s.width() == 1 ? format::binary : format::hex;
      const char* flags = display == format::binary ? gtkw_binary
                          : display == format::hex  ? gtkw_hex
                                                    : gtkw_decimal;
      if (flags != last_flags) save << flags << "\n";
      last_flags = flags;
      save << s.name();
      if (s.width() > 1) save << '[' << s.width() - 1 << ":0]";
      save << "\n";
    }
    save << gtkw_group_end << "\n-" << group << "\n";
  }
  if (!save.flush()) throw std::runtime_error("cannot write '" + path + "'");
}

void vcd_writer::record(unsigned index, const sc_core::sc_time& at, std::uint64_t value) {
  std::uint64_t time = at.value();
  if (time < m_open_from) {
    // Earlier than what is already written: the rule "never before the kernel time" was broken.
    time = m_open_from;
    ++m_late;
  }
  m_buffer.push_back({time, m_sequence++, index, value});
  if (m_buffer.size() >= m_flush_at) flush();
}

void vcd_writer::flush() {
  if (!m_open) return;
  emit_until(sc_core::sc_time_stamp().value());
  // Whatever lies at or after the kernel time stays; the next attempt waits until the buffer
  // has doubled, so sorting stays amortised even when the CPU runs far ahead.
  m_flush_at = std::max(m_options.buffer_limit, 2 * m_buffer.size());
}

void vcd_writer::emit_until(std::uint64_t horizon) {
  if (horizon <= m_open_from) return;
  std::sort(m_buffer.begin(), m_buffer.end(), [](const change& a, const change& b) {
    return a.time != b.time ? a.time < b.time : a.sequence < b.sequence;
  });
  const auto cut = std::lower_bound(m_buffer.begin(), m_buffer.end(), horizon,
                                    [](const change& c, std::uint64_t h) { return c.time < h; });
  for (auto it = m_buffer.begin(); it != cut;) {
    const std::uint64_t time = it->time;
    // The last change of a signal at one time wins; unchanged values are not written.
    for (; it != cut && it->time == time; ++it) {
      traced& t = m_signals[it->index];
      t.staged = it->value & t.mask;
      if (!t.touched) {
        t.touched = true;
        m_touched.push_back(it->index);
      }
    }
    for (std::uint32_t index : m_touched) {
      traced& t = m_signals[index];
      t.touched = false;
      if (t.staged == t.current) continue;
      if (time != m_last_time) {
        m_file << '#' << time << '\n';
        m_last_time = time;
      }
      write_value(t, t.staged);
      t.current = t.staged;
      ++m_changes_written;
    }
    m_touched.clear();
  }
  m_buffer.erase(m_buffer.begin(), cut);
  m_open_from = horizon;
}

void vcd_writer::write_value(const traced& t, std::uint64_t value) {
  m_line.clear();
  if (t.mask == 1) {
    m_line.push_back(value ? '1' : '0');
  } else {
    m_line.push_back('b');
    int bit = 63;
    while (bit > 0 && ((value >> bit) & 1) == 0) --bit;
    for (; bit >= 0; --bit) m_line.push_back(((value >> bit) & 1) ? '1' : '0');
    m_line.push_back(' ');
  }
  m_line += t.code;
  m_line.push_back('\n');
  m_file << m_line;
}

void vcd_writer::detach() {
  for (traced& t : m_signals) {
    if (t.source != nullptr) t.source->m_writer = nullptr;
    t.source = nullptr;
  }
}

bool vcd_writer::close() {
  if (!m_open) return m_written;
  m_open = false;
  emit_until(std::numeric_limits<std::uint64_t>::max());
  const std::uint64_t end = std::max<std::uint64_t>(sc_core::sc_time_stamp().value(), m_last_time);
  if (end != m_last_time) m_file << '#' << end << '\n';
  m_file.flush();
  m_written = static_cast<bool>(m_file);
  m_file.close();
  detach();
  if (m_late != 0)
    SC_REPORT_WARNING(
        "nvr/trace",
        (std::to_string(m_late) + " VCD changes were recorded for times already written and were moved later")
            .c_str());
  return m_written;
}

}  // namespace nvr::trace
