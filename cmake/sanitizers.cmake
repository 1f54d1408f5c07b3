# Sanitizer builds (STRATA_SANITIZE) and the coverage instrumentation libFuzzer needs
# (STRATA_BUILD_FUZZERS). The flags go on every target of this build: the library, the
# CLI, the tests and the documentation samples, so a finding anywhere stops the run.
set(STRATA_SANITIZE "OFF" CACHE STRING
    "OFF; address (AddressSanitizer + UndefinedBehaviorSanitizer, ON means the same); thread (ThreadSanitizer)")
set_property(CACHE STRATA_SANITIZE PROPERTY STRINGS OFF ON address thread)

string(TOLOWER "${STRATA_SANITIZE}" strata_sanitize_mode)
set(STRATA_SANITIZER_FLAGS "")
if(strata_sanitize_mode MATCHES "^(on|address|asan)$")
  # -fno-sanitize-recover: the first undefined behaviour ends the program, so ctest sees it.
  set(STRATA_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all)
elseif(strata_sanitize_mode MATCHES "^(thread|tsan)$")
  set(STRATA_SANITIZER_FLAGS -fsanitize=thread)
elseif(NOT strata_sanitize_mode MATCHES "^(off|)$")
  message(FATAL_ERROR "STRATA_SANITIZE must be OFF, ON, address or thread, not '${STRATA_SANITIZE}'")
endif()

if(STRATA_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "STRATA_BUILD_FUZZERS needs clang (libFuzzer): configure with "
                        "-DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 (scripts/fuzz.sh does)")
  endif()
  if(NOT STRATA_SANITIZER_FLAGS)
    set(STRATA_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all)
  endif()
endif()

if(STRATA_SANITIZER_FLAGS)
  # Readable stack traces at a small cost.
  list(APPEND STRATA_SANITIZER_FLAGS -fno-omit-frame-pointer)
  add_compile_options(${STRATA_SANITIZER_FLAGS})
  add_link_options(${STRATA_SANITIZER_FLAGS})
  message(STATUS "strata: sanitizers on: ${STRATA_SANITIZER_FLAGS}")
endif()
if(STRATA_BUILD_FUZZERS)
  # Coverage feedback from the library too, not only from the fuzz targets' own code.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# A program linking a sanitized libstrata needs the sanitizer runtime linked in first, so
# the installed package passes the flags on to its users (tests/install checks this).
function(strata_export_sanitizer_flags target)
  if(STRATA_SANITIZER_FLAGS)
    target_link_options(${target} INTERFACE ${STRATA_SANITIZER_FLAGS})
  endif()
endfunction()
