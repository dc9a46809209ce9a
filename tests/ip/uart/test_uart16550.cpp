// The 16550 UART: registers, DLAB, output, FIFOs, IIR priority, THR-empty rule, RX interrupt,
// loopback, debug reads, interrupt timing.
#include <gtest/gtest.h>

#include <sstream>
#include <systemc>

#include "core/stats.h"
#include "ip/uart/uart16550.h"
#include "tests/core/tlm_test_support.h"

namespace {

using nvr::test::ns;
using nvr::uart::uart16550;

enum : std::uint64_t {
  RBR = 0,
  THR = 0,
  DLL = 0,
  IER = 1,
  DLM = 1,
  IIR = 2,
  FCR = 2,
  LCR = 3,
  MCR = 4,
  LSR = 5,
  MSR = 6,
  SCR = 7
};

struct uart_test : ::testing::Test {
  std::ostringstream output;
  uart16550 uart{"uart", output};
  sc_core::sc_signal<bool> irq{"irq"};
  nvr::test::line_monitor monitor{"monitor", irq};
  nvr::test::initiator cpu{"cpu"};

  uart_test() {
    uart.irq.bind(irq);
    cpu.out.bind(uart.in);
  }
  void run(std::function<void()> body) {
    cpu.run(std::move(body));
    sc_core::sc_start();
  }
  std::uint64_t reg(std::uint64_t offset) { return cpu.read(offset, 1).data; }
  void set(std::uint64_t offset, std::uint64_t value, const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME) {
    EXPECT_TRUE(cpu.write(offset, value, 1, delay).ok()) << "offset " << offset;
  }
  void print(const std::string& text) {
    for (char c : text) set(THR, static_cast<std::uint8_t>(c));
  }
};

TEST_F(uart_test, registers_have_their_reset_values) {
  run([&] {
    EXPECT_EQ(reg(IER), 0x00u);
    EXPECT_EQ(reg(IIR), 0x01u);
    EXPECT_EQ(reg(LCR), 0x00u);
    EXPECT_EQ(reg(MCR), 0x00u);
    EXPECT_EQ(reg(LSR), 0x60u);
    EXPECT_EQ(reg(MSR), 0xb0u);
    EXPECT_EQ(reg(SCR), 0x00u);
    EXPECT_EQ(reg(RBR), 0x00u);  // nothing received
    set(LCR, 0x80);
    EXPECT_EQ(reg(DLL), 0x0cu);
    EXPECT_EQ(reg(DLM), 0x00u);
  });
  EXPECT_FALSE(irq.read());
}

TEST_F(uart_test, bad_accesses_are_errors) {
  run([&] {
    EXPECT_EQ(cpu.write(LSR, 0, 1).status, tlm::TLM_COMMAND_ERROR_RESPONSE);
    EXPECT_EQ(cpu.write(MSR, 0, 1).status, tlm::TLM_COMMAND_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(0, 4).status, tlm::TLM_BURST_ERROR_RESPONSE);  // byte registers only
    EXPECT_EQ(cpu.read(2, 2).status, tlm::TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(8, 1).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(cpu.write(0xff, 0, 1).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  });
}

TEST_F(uart_test, transmitted_bytes_reach_the_stream) {
  run([&] {
    print("hello\nworld");
    EXPECT_EQ(reg(LSR) & 0x60u, 0x60u);  // transmission is instant
  });
  EXPECT_EQ(output.str(), "hello\nworld");
  EXPECT_EQ(nvr::stats::registry::instance().value("uart.bytes_transmitted"), 11);
}

TEST_F(uart_test, dlab_switches_offsets_0_and_1_to_the_divisor_latch) {
  run([&] {
    set(LCR, 0x83);
    set(DLL, 0x01);
    set(DLM, 0x02);
    EXPECT_EQ(reg(DLL), 0x01u);
    EXPECT_EQ(reg(DLM), 0x02u);
    set(LCR, 0x03);
    EXPECT_EQ(reg(IER), 0x00u);
    set(IER, 0xff);
    EXPECT_EQ(reg(IER), 0x0fu);  // four enable bits
    set(THR, 'x');
  });
  EXPECT_EQ(uart.dll.get(), 0x01u);
  EXPECT_EQ(uart.dlm.get(), 0x02u);
  EXPECT_EQ(uart.lcr.get(), 0x03u);
  EXPECT_EQ(output.str(), "x");
}

TEST_F(uart_test, scratch_register_holds_a_byte) {
  run([&] {
    set(SCR, 0x5a);
    EXPECT_EQ(reg(SCR), 0x5au);
  });
}

TEST_F(uart_test, thr_empty_interrupt_follows_the_16550_rules) {
  run([&] {
    set(IER, 0x02, ns(10));                           // THR is empty: the interrupt is pending at once
    EXPECT_EQ(cpu.read(IIR, 1, ns(20)).data, 0x02u);  // reading IIR acknowledges it
    EXPECT_EQ(cpu.read(IIR, 1, ns(21)).data, 0x01u);
    set(THR, 'a', ns(30));  // THR empties again at once: pending again
    EXPECT_EQ(cpu.read(IIR, 1, ns(31)).data, 0x02u);
    set(THR, 'b', ns(40));
    set(IER, 0x00, ns(50));  // disabling drops it
    EXPECT_EQ(cpu.read(IIR, 1, ns(51)).data, 0x01u);
  });
  using change = std::pair<sc_core::sc_time, bool>;
  EXPECT_EQ(monitor.changes, (std::vector<change>{{ns(10), true},
                                                  {ns(20), false},
                                                  {ns(30), true},
                                                  {ns(31), false},
                                                  {ns(40), true},
                                                  {ns(50), false}}));
}

TEST_F(uart_test, received_data_interrupts_with_priority_over_thr_empty) {
  run([&] {
    set(IER, 0x03);
    sc_core::wait(ns(100));
    uart.receive('k');
    EXPECT_EQ(reg(LSR) & 0x01u, 0x01u);
    EXPECT_EQ(reg(IIR), 0x04u);
    EXPECT_EQ(cpu.read(RBR, 1, ns(5)).data, static_cast<std::uint64_t>('k'));
    EXPECT_EQ(reg(LSR) & 0x01u, 0x00u);
    EXPECT_EQ(reg(IIR), 0x02u);  // the THR-empty interrupt is still there
    EXPECT_EQ(reg(IIR), 0x01u);
  });
  using change = std::pair<sc_core::sc_time, bool>;
  EXPECT_EQ(monitor.changes, (std::vector<change>{{ns(0), true}, {ns(100), false}}));
  EXPECT_EQ(nvr::stats::registry::instance().value("uart.bytes_received"), 1);
}

TEST_F(uart_test, rx_interrupt_rises_when_data_arrives) {
  run([&] {
    set(IER, 0x01);
    sc_core::wait(ns(7));
    uart.receive('a');
    sc_core::wait(ns(3));
    EXPECT_EQ(reg(RBR), static_cast<std::uint64_t>('a'));
  });
  using change = std::pair<sc_core::sc_time, bool>;
  EXPECT_EQ(monitor.changes, (std::vector<change>{{ns(7), true}, {ns(10), false}}));
}

TEST_F(uart_test, input_waits_for_room_and_fifos_hold_sixteen_bytes) {
  run([&] {
    uart.receive("abc");
    EXPECT_EQ(uart.rx_pending(), 3u);
    EXPECT_EQ(reg(RBR), static_cast<std::uint64_t>('a'));  // holding register, then the next byte
    set(FCR, 0x01);              // switching the FIFOs on clears them: 'b' is lost, 'c' moves in
    EXPECT_EQ(reg(IIR), 0xc1u);  // FIFOs enabled
    EXPECT_EQ(reg(RBR), static_cast<std::uint64_t>('c'));
    EXPECT_EQ(reg(LSR) & 0x01u, 0x00u);
    uart.receive("0123456789abcdefXYZ");
    set(FCR, 0x03);  // clears the receive FIFO: 16 bytes are gone, the rest moves in
    EXPECT_EQ(uart.rx_pending(), 3u);
    EXPECT_EQ(reg(RBR), static_cast<std::uint64_t>('X'));
  });
}

TEST_F(uart_test, loopback_returns_transmitted_bytes) {
  run([&] {
    set(MCR, 0x10 | 0x0b);
    EXPECT_EQ(reg(MSR) & 0xf0u, 0xb0u);  // DTR->DSR, RTS->CTS, OUT2->DCD
    set(THR, 'z');
    EXPECT_EQ(reg(LSR) & 0x01u, 0x01u);
    EXPECT_EQ(reg(RBR), static_cast<std::uint64_t>('z'));
  });
  EXPECT_EQ(output.str(), "");
}

TEST_F(uart_test, debug_reads_have_no_side_effects) {
  run([&] {
    set(IER, 0x02);
    uart.receive('q');
    std::uint8_t byte = 0;
    EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, RBR, &byte, 1), 1u);
    EXPECT_EQ(byte, 'q');
    EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, IIR, &byte, 1), 1u);
    EXPECT_EQ(byte, 0x02);
    byte = '!';
    EXPECT_EQ(cpu.debug(tlm::TLM_WRITE_COMMAND, THR, &byte, 1), 1u);  // accepted, not transmitted
    EXPECT_EQ(reg(IIR), 0x02u);
    EXPECT_EQ(reg(RBR), static_cast<std::uint64_t>('q'));
  });
  EXPECT_EQ(output.str(), "");
}

TEST_F(uart_test, reset_clears_state_and_the_line) {
  run([&] {
    set(IER, 0x02);
    set(SCR, 1);
    uart.receive('r');
    sc_core::wait(ns(1));
    uart.reset();
    sc_core::wait(ns(1));
    EXPECT_FALSE(irq.read());
    EXPECT_EQ(reg(IER), 0u);
    EXPECT_EQ(reg(SCR), 0u);
    EXPECT_EQ(uart.rx_pending(), 0u);
  });
}

TEST(uart, default_output_is_stdout) {
  uart16550 uart("uart");
  sc_core::sc_signal<bool> irq("irq");
  uart.irq.bind(irq);
  nvr::test::initiator cpu("cpu");
  cpu.out.bind(uart.in);
  cpu.run([&] { cpu.write(THR, '\n', 1); });
  testing::internal::CaptureStdout();
  sc_core::sc_start();
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "\n");
}

}  // namespace
