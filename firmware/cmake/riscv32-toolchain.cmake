# Toolchain file for the bare-metal firmware: riscv64-unknown-elf-gcc + picolibc, RV32IMAC/ilp32.
#
# -march=rv32imac -misa-spec=2.2: with ISA spec 2.2 the CSR and fence.i instructions are part of
# the base ISA, so they assemble, and the rv32imac/ilp32 multilib of gcc and picolibc is chosen
# (-march=rv32imac_zicsr matches no multilib and falls back silently to the 64-bit libraries;
# check with `riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 -misa-spec=2.2
# -print-multi-directory`, which must print rv32imac/ilp32).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv32)

set(NVR_FW_TRIPLE riscv64-unknown-elf)
find_program(CMAKE_C_COMPILER ${NVR_FW_TRIPLE}-gcc REQUIRED)
set(CMAKE_ASM_COMPILER ${CMAKE_C_COMPILER})
find_program(CMAKE_OBJCOPY ${NVR_FW_TRIPLE}-objcopy)
find_program(CMAKE_OBJDUMP ${NVR_FW_TRIPLE}-objdump)
find_program(CMAKE_SIZE ${NVR_FW_TRIPLE}-size)

# Try-compiles build a static library: linking a test program would need our crt0 and linker script.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(NVR_FW_ARCH_FLAGS "-march=rv32imac -mabi=ilp32 -misa-spec=2.2")
# picolibc.specs on compile (include path, TLS model) and on link (library path, multilib).
# One configuration whatever CMAKE_BUILD_TYPE says: optimised, with debug information for GDB,
# warnings as errors.
set(NVR_FW_COMMON_FLAGS "${NVR_FW_ARCH_FLAGS} --specs=picolibc.specs -O2 -g -Wall -Wextra -Werror")
set(CMAKE_C_FLAGS_INIT "${NVR_FW_COMMON_FLAGS}")
set(CMAKE_ASM_FLAGS_INIT "${NVR_FW_COMMON_FLAGS}")
# CMake links with the compiler and CMAKE_C_FLAGS, so the architecture flags and picolibc.specs
# are on the link line already (given twice, the specs file fails). Our own crt0
# (platform/crt0.S) replaces picolibc's, whose _start never calls exit().
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostartfiles -Wl,--no-warn-rwx-segments")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
