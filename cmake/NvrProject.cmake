# Dependencies, compiler settings and helper functions shared by every target of the project.

find_program(NVR_CCACHE ccache)
if(NVR_CCACHE)
  set(CMAKE_C_COMPILER_LAUNCHER ${NVR_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${NVR_CCACHE})
endif()

option(NVR_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

find_package(PkgConfig REQUIRED)
# Debian ships no CMake package for SystemC; its pkg-config file is the reliable way in.
pkg_check_modules(SYSTEMC REQUIRED IMPORTED_TARGET systemc>=2.3.3)
find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
find_package(nlohmann_json 3.10 REQUIRED)
pkg_check_modules(LIBELF REQUIRED IMPORTED_TARGET libelf)
find_package(GTest REQUIRED)
include(GoogleTest)

# Verilator (Debian's package ships verilator-config.cmake with verilate()) builds the RTL of rtl/
# into C++ models. A missing Verilator fails the configuration rather than silently dropping the
# RTL tests; -DNVR_RTL=OFF builds without them on purpose.
option(NVR_RTL "Verilate rtl/ and build its lock-step tests (needs Verilator >= 5.006)" ON)
if(NVR_RTL)
  find_package(verilator 5.006 QUIET)
  if(NOT verilator_FOUND)
    message(FATAL_ERROR "Verilator 5.006 or newer not found: run tools/setup.sh (it installs the "
                        "Debian package verilator), or configure with -DNVR_RTL=OFF to build without the RTL.")
  endif()
  find_program(NVR_VERILATOR verilator HINTS ${VERILATOR_ROOT}/bin REQUIRED)
endif()

# Warnings as errors on the project's own code only (never on SystemC or Verilator headers).
add_library(nvr_warnings INTERFACE)
target_compile_options(nvr_warnings INTERFACE -Wall -Wextra -Werror)

add_library(nvr_sanitize INTERFACE)
if(NVR_SANITIZE)
  target_compile_options(nvr_sanitize INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                -fno-sanitize-recover=undefined)
  target_link_options(nvr_sanitize INTERFACE -fsanitize=address,undefined)
endif()

# nvr_add_library(NAME SOURCES... [LIBS ...]): a model library of the project.
function(nvr_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC PkgConfig::SYSTEMC nvr_sanitize ${ARG_LIBS} PRIVATE nvr_warnings)
endfunction()

# sc_main for GoogleTest executables: one SystemC elaboration per process, so ctest runs each
# TEST in its own process (gtest_discover_tests with PRE_TEST discovery).
# nvr_add_gtest(NAME SOURCES... [LIBS ...])
function(nvr_add_gtest name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE nvr_test_main GTest::gtest GTest::gmock ${ARG_LIBS} nvr_warnings)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
                       PROPERTIES ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1" TIMEOUT 120)
endfunction()
