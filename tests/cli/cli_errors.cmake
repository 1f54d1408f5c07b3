# ---- CLI tests: bad arguments and hostile files end in `strata: error: ...` and a non-zero
# exit code, never an uncaught exception, an abort or a crash (tests/cli/expect_error.cmake).
function(strata_cli_error_test name args expected)
  add_test(NAME "cli: ${name}"
           COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:strata_cli> "-DARGS=${args}" "-DEXPECTED=${expected}"
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect_error.cmake)
endfunction()
set(h5 ${CMAKE_CURRENT_SOURCE_DIR}/data/h5)
set(missing ${CMAKE_CURRENT_BINARY_DIR}/no-such-file.h5)
strata_cli_error_test("no subcommand is an error, not a crash" ""
  "strata: error: A subcommand is required")
strata_cli_error_test("an option value out of range is an error naming the option" "train|--epochs|0"
  "strata: error: --epochs: Value 0 not in range 1 to 100000")
strata_cli_error_test("train --dropout with a MODEL.json says it is for the built-in models"
  "train|${CMAKE_CURRENT_SOURCE_DIR}/data/keras/to_json_tf2.11-2.12.json|--dropout|0.2"
  "strata: error: --dropout: only for the built-in models; add Dropout layers to MODEL.json instead")
strata_cli_error_test("predict with a missing model file names it" "predict|${missing}|${h5}/input.npy|out.npy"
  "strata: error: model: File does not exist: ${missing}")
strata_cli_error_test("predict refuses a model file with filters = 10^12, naming file and JSON path"
  "predict|${h5}/model_huge_filters.h5|${h5}/input.npy|out.npy"
  "strata: error: ${h5}/model_huge_filters.h5: model_config: config.layers[1].config.filters: 1000000000000 is larger than 2147483647, the largest size strata reads from a config")
strata_cli_error_test("predict on inputs that are not .npy says so"
  "predict|${h5}/model_keras211.h5|${h5}/weights_keras211.h5|out.npy"
  "strata: error: ${h5}/weights_keras211.h5: not a .npy file: it does not start with the magic string \\x93NUMPY")
strata_cli_error_test("predict on inputs of the wrong shape names the shapes"
  "predict|${h5}/model_keras211.h5|${h5}/expected_output.npy|out.npy"
  "strata: error: Input 0 of layer \"sequential\" is incompatible with the layer: expected shape=(None, 5, 5, 1), found shape=(2, 3)")
strata_cli_error_test("predict into a missing folder names the path"
  "predict|${h5}/model_keras211.h5|${h5}/input.npy|${CMAKE_CURRENT_BINARY_DIR}/no-such-folder/out.npy"
  "strata: error: cannot write '${CMAKE_CURRENT_BINARY_DIR}/no-such-folder/out.npy': No such file or directory")
strata_cli_error_test("summary of a model_config nested 1000 deep is an error, not a stack overflow"
  "summary|${h5}/model_deep_config.h5"
  "strata: error: ${h5}/model_deep_config.h5: model_from_json: invalid JSON: nested deeper than 100 levels at byte 100")
