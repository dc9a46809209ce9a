// sc_main for every GoogleTest executable: SystemC's library defines main() and calls this.
#include <gtest/gtest.h>

#include <systemc>

extern "C" int sc_main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
