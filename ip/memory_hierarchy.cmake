# The NPU memory hierarchy (issue #4), included from ip/CMakeLists.txt: the levels, and the
# trace-driven driver nvr-trace-sim (in tools/, built from here so it needs no top-level line).
add_subdirectory(cache)
add_subdirectory(dram)
add_subdirectory(prefetch)
add_subdirectory(${PROJECT_SOURCE_DIR}/tools/trace-sim ${PROJECT_BINARY_DIR}/tools/trace-sim)
