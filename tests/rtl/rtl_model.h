// A verilated model of rtl/ with its own context, reset for one cycle and then clocked one cycle
// at a time by the lock-step tests.
#pragma once

#include <verilated.h>

#include <memory>

namespace nvr::test {

template <typename Model>
class rtl_model {
 public:
  // Verilator zeroes every input, so only the reset needs driving.
  rtl_model() : m_context(std::make_unique<VerilatedContext>()) {
    m_model = std::make_unique<Model>(m_context.get(), "dut");
    m_model->rst_n = 0;
    cycle();
    m_model->rst_n = 1;
  }
  ~rtl_model() { m_model->final(); }
  rtl_model(const rtl_model&) = delete;
  rtl_model& operator=(const rtl_model&) = delete;

  // One rising edge; the registered outputs then show this cycle's inputs.
  void cycle() {
    m_model->clk = 0;
    m_model->eval();
    m_model->clk = 1;
    m_model->eval();
    m_context->timeInc(1);
  }
  void clear() {
    m_model->clear = 1;
    cycle();
    m_model->clear = 0;
  }
  Model& operator*() { return *m_model; }
  Model* operator->() { return m_model.get(); }

 private:
  std::unique_ptr<VerilatedContext> m_context;
  std::unique_ptr<Model> m_model;
};

}  // namespace nvr::test
