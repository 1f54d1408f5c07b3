# Runs PROGRAM with ARGS ('|'-separated) and compares its standard output byte for byte with
# the file EXPECTED (trailing spaces included). Usage:
#   cmake -DPROGRAM=... -DARGS="summary|model.json" -DEXPECTED=golden.txt -P compare_output.cmake
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND "${PROGRAM}" ${args}
                OUTPUT_VARIABLE actual ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "exit status ${status}\nstderr:\n${errors}")
endif()
file(READ "${EXPECTED}" expected)
if(NOT actual STREQUAL expected)
  get_filename_component(name "${EXPECTED}" NAME)
  set(actual_file "${CMAKE_CURRENT_BINARY_DIR}/actual_${name}")
  file(WRITE "${actual_file}" "${actual}")
  message(FATAL_ERROR "output differs from ${EXPECTED}; the output is in ${actual_file}")
endif()
