// The SiFive test finisher (QEMU virt's "sifive,test0"): firmware ends the simulation with an exit code.
#pragma once

#include <cstdint>
#include <functional>
#include <systemc>

#include "core/peripheral.h"

namespace nvr::testdev {

class sifive_test : public core::peripheral {
 public:
  static constexpr std::uint32_t finisher_fail = 0x3333, finisher_pass = 0x5555, finisher_reset = 0x7777;
  // nvr-vp models no system reset: a reset request ends the simulation with this exit code.
  static constexpr int reset_exit_code = 0x77;

  // Offset 0. Low 16 bits: command; high 16 bits: the exit code of a fail command. Reads 0.
  core::reg<std::uint32_t> finisher{*this, "finisher", 0x0, 0};

  explicit sifive_test(const sc_core::sc_module_name& name);

  bool exited() const { return m_exited; }
  int exit_code() const { return m_exit_code; }
  // The writer's local time of the finishing write.
  const sc_core::sc_time& exit_time() const { return m_exit_time; }
  bool reset_requested() const { return m_reset_requested; }

  // Called once, at the finishing write, before sc_stop().
  void on_exit(std::function<void(int exit_code)> callback) { m_on_exit = std::move(callback); }

  // Forgets an exit (the simulation must be restarted by the caller).
  void reset() override;

 private:
  void finish(int code, const sc_core::sc_time& at);

  bool m_exited = false;
  bool m_reset_requested = false;
  int m_exit_code = 0;
  sc_core::sc_time m_exit_time;
  std::function<void(int)> m_on_exit;
};

}  // namespace nvr::testdev
