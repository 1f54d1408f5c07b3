# Runs PROGRAM with ARGS ('|'-separated) and checks that it fails the way strata reports
# every error: a non-zero exit code (not a signal: an abort or a crash fails the test), and
# a first line on stderr equal to EXPECTED byte for byte. Usage:
#   cmake -DPROGRAM=... -DARGS="train|--epochs|0" "-DEXPECTED=strata: error: ..." -P expect_error.cmake
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND "${PROGRAM}" ${args}
                OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE status)
# execute_process reports a signal as text ("Child aborted", "Segmentation fault").
if(NOT status MATCHES "^[0-9]+$" OR status EQUAL 0)
  message(FATAL_ERROR "expected a non-zero exit code, got '${status}'\nstderr:\n${errors}")
endif()
string(FIND "${errors}" "\n" end)
string(SUBSTRING "${errors}" 0 ${end} first_line)
if(NOT first_line STREQUAL EXPECTED)
  message(FATAL_ERROR "stderr's first line differs.\nexpected: ${EXPECTED}\nactual:   ${first_line}\nstderr:\n${errors}")
endif()
