# Tests of the NPU memory hierarchy (issue #4), included from tests/CMakeLists.txt.
add_subdirectory(ip/cache)
add_subdirectory(ip/dram)
add_subdirectory(ip/prefetch)
add_subdirectory(tools/trace-sim)
add_subdirectory(ip/nvr)
