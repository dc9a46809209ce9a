# One golden-statistics case: runs nvr-trace-sim and compares its JSON byte for byte with the
# checked-in expectation. Called by ctest with -DPROGRAM= -DTRACE= -DARGS= (options separated by
# blanks) -DOUTPUT= -DEXPECTED=; with NVR_UPDATE_GOLDEN=1 in the environment it rewrites the
# expectation instead (see README.md).
separate_arguments(options UNIX_COMMAND "${ARGS}")
execute_process(COMMAND ${PROGRAM} -q --json ${OUTPUT} ${options} ${TRACE} RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "nvr-trace-sim exited with ${code}")
endif()
if("$ENV{NVR_UPDATE_GOLDEN}" STREQUAL "1")
  file(COPY_FILE ${OUTPUT} ${EXPECTED})
  return()
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUTPUT} ${EXPECTED} RESULT_VARIABLE differ)
if(differ)
  message(FATAL_ERROR "statistics changed: diff ${EXPECTED} ${OUTPUT}")
endif()
