#!/usr/bin/python3
"""Writes the damaged and hostile HDF5 fixtures of tests/src/saving/hostile_h5_test.cpp:
variants of make_fixtures.py's files (same model, same Keras 2.11 layout) with one thing
wrong each. Needs python3-h5py; the fixtures are committed.
Run: /usr/bin/python3 tests/data/h5/make_hostile_fixtures.py
"""
import copy
import json

import h5py
import numpy as np

from make_fixtures import MODEL_CONFIG, out, save_model_keras211, save_weights_keras211


def weights_file(name, damage):
    with h5py.File(out(name), "w") as f:
        save_weights_keras211(f)
        damage(f)


def huge_dataset(f):
    # 2^40 float32 values (4 TiB) declared, none stored: chunked storage is allocated lazily,
    # so the file stays a few KB. A reader must check the shape before allocating.
    del f["dense/dense/kernel:0"]
    f["dense"].create_dataset("dense/kernel:0", shape=(2**40,), dtype=np.float32, chunks=(1024,))


def group_as_dataset(f):
    del f["dense/dense/kernel:0"]
    f["dense"].create_group("dense/kernel:0")


def string_kernel(f):
    del f["dense/dense/kernel:0"]
    f["dense"].create_dataset("dense/kernel:0", data=np.full((18, 3), b"x", dtype="S1"))


def numeric_layer_names(f):
    f.attrs["layer_names"] = np.arange(4, dtype=np.int64)


def model_file(name, model_config_text):
    with h5py.File(out(name), "w") as f:
        f.attrs["keras_version"] = "2.11.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = model_config_text.encode("utf8")


def main():
    weights_file("weights_huge_dataset.h5", huge_dataset)
    weights_file("weights_missing_group.h5", lambda f: f.__delitem__("dense"))
    weights_file("weights_missing_dataset.h5", lambda f: f.__delitem__("dense/dense/kernel:0"))
    weights_file("weights_group_as_dataset.h5", group_as_dataset)
    weights_file("weights_string_kernel.h5", string_kernel)
    weights_file("weights_numeric_layer_names.h5", numeric_layer_names)

    # filters = 10^12 on a built Conv2D: refused before its kernel is allocated.
    config = copy.deepcopy(MODEL_CONFIG)
    config["config"]["layers"][1]["config"]["filters"] = 10**12
    model_file("model_huge_filters.h5", json.dumps(config))
    # A model_config nested 1000 deep.
    model_file("model_deep_config.h5", "[" * 1000 + "]" * 1000)


if __name__ == "__main__":
    main()
