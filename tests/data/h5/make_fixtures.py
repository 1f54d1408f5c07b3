#!/usr/bin/python3
"""Writes the HDF5 fixtures of tests/src/saving_test.cpp, laid out as tf.keras 2.x writes
them (KERAS.md 7.1 / 7.2), without TensorFlow: the calls below follow keras 2.11's
hdf5_format.py (save_weights_to_hdf5_group, save_attributes_to_hdf5_group) and
saving_utils.model_metadata step by step, so h5py picks the same storage Keras gets.

The model: Conv2D(2, 3) on (5, 5, 1) -> LeakyReLU() -> Flatten() -> Dense(3), with weights
from numpy's seeded generator, and the expected predictions for a fixed input computed
here by plain loops (valid cross-correlation, leaky ReLU with alpha float32(0.3), dense).

Needs python3-h5py (apt-get install -y python3-h5py), which is not a build dependency:
the fixtures are committed. Run from anywhere: /usr/bin/python3 tests/data/h5/make_fixtures.py
"""
import json
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
LIMIT = 64512  # keras's HDF5_OBJECT_HEADER_LIMIT


def out(name):
    return os.path.join(HERE, name)


rng = np.random.default_rng(20240611)
conv_kernel = rng.uniform(-1, 1, (3, 3, 1, 2)).astype(np.float32)
conv_bias = rng.uniform(-0.5, 0.5, (2,)).astype(np.float32)
dense_kernel = rng.uniform(-1, 1, (18, 3)).astype(np.float32)
dense_bias = rng.uniform(-0.5, 0.5, (3,)).astype(np.float32)
inputs = rng.uniform(-1, 1, (2, 5, 5, 1)).astype(np.float32)

LAYERS = ["conv2d", "leaky_re_lu", "flatten", "dense"]
WEIGHTS = {
    "conv2d": [("conv2d/kernel:0", conv_kernel), ("conv2d/bias:0", conv_bias)],
    "leaky_re_lu": [],
    "flatten": [],
    "dense": [("dense/kernel:0", dense_kernel), ("dense/bias:0", dense_bias)],
}


def predict(x):
    """The forward pass by hand, in float64 from the float32 weights."""
    alpha = float(np.float32(0.3))
    batch = x.shape[0]
    conv = np.zeros((batch, 3, 3, 2))
    for n in range(batch):
        for i in range(3):
            for j in range(3):
                for f in range(2):
                    total = float(conv_bias[f])
                    for di in range(3):
                        for dj in range(3):
                            total += float(x[n, i + di, j + dj, 0]) * float(conv_kernel[di, dj, 0, f])
                    conv[n, i, j, f] = total
    leaky = np.where(conv > 0, conv, alpha * conv)
    flat = leaky.reshape(batch, 18)  # row-major (h, w, c), as Keras's Flatten on NHWC
    result = np.zeros((batch, 3))
    for n in range(batch):
        for u in range(3):
            total = float(dense_bias[u])
            for k in range(18):
                total += flat[n, k] * float(dense_kernel[k, u])
            result[n, u] = total
    return result.astype(np.float32)


def save_attributes(group, name, data):
    """keras 2.11 save_attributes_to_hdf5_group."""
    data_npy = np.asarray(data)
    num_chunks = 1
    chunked = np.array_split(data_npy, num_chunks)
    while any(x.nbytes > LIMIT for x in chunked):
        num_chunks += 1
        chunked = np.array_split(data_npy, num_chunks)
    if num_chunks > 1:
        for chunk_id, chunk in enumerate(chunked):
            group.attrs["%s%d" % (name, chunk_id)] = chunk
    else:
        group.attrs[name] = data


def save_weights_keras211(f, float64_layers=()):
    """keras 2.11 save_weights_to_hdf5_group, with h5py 3 (variable-length strings)."""
    save_attributes(f, "layer_names", [n.encode("utf8") for n in LAYERS])
    f.attrs["backend"] = "tensorflow".encode("utf8")
    f.attrs["keras_version"] = "2.11.0".encode("utf8")
    for layer in sorted(LAYERS):
        g = f.create_group(layer)
        names = [w.encode("utf8") for w, _ in WEIGHTS[layer]]
        save_attributes(g, "weight_names", names)
        for (name, value) in WEIGHTS[layer]:
            value = value.astype(np.float64) if layer in float64_layers else value
            dset = g.create_dataset(name.encode("utf8"), value.shape, dtype=value.dtype)
            dset[:] = value
    g = f.create_group("top_level_model_weights")
    save_attributes(g, "weight_names", [])


def fixed(strings):
    """A numpy `S` array: what h5py 2 stored for lists of bytes (fixed-length, null padded)."""
    return np.array([s.encode("utf8") for s in strings], dtype="S")


def save_weights_h5py2_style(f):
    """The same weights as an h5py 2 era file: fixed-length strings everywhere, scalar
    fixed-length backend/keras_version, layer_names split into layer_names0/1 as Keras does
    for long lists (forced here on a short one), and the dense weights stored as float64."""
    f.attrs["layer_names0"] = fixed(LAYERS[:2])
    f.attrs["layer_names1"] = fixed(LAYERS[2:])
    f.attrs["backend"] = np.bytes_(b"tensorflow")
    f.attrs["keras_version"] = np.bytes_(b"2.3.0-tf")
    for layer in sorted(LAYERS):
        g = f.create_group(layer)
        if WEIGHTS[layer]:
            g.attrs["weight_names"] = fixed([w for w, _ in WEIGHTS[layer]])
        else:
            g.attrs["weight_names"] = np.zeros((0,), dtype=np.float64)
        for (name, value) in WEIGHTS[layer]:
            g.create_dataset(name, data=value.astype(np.float64) if layer == "dense" else value)


def layer_config(class_name, config):
    return {"class_name": class_name, "config": config}


INIT = {"kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None}

MODEL_CONFIG = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
    layer_config("InputLayer", {"batch_input_shape": [None, 5, 5, 1], "dtype": "float32", "sparse": False,
                                "ragged": False, "name": "conv2d_input"}),
    layer_config("Conv2D", {"name": "conv2d", "trainable": True, "dtype": "float32",
                            "batch_input_shape": [None, 5, 5, 1], "filters": 2, "kernel_size": [3, 3],
                            "strides": [1, 1], "padding": "valid", "data_format": "channels_last",
                            "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": True,
                            **INIT}),
    layer_config("LeakyReLU", {"name": "leaky_re_lu", "trainable": True, "dtype": "float32",
                               "alpha": 0.30000001192092896}),
    layer_config("Flatten", {"name": "flatten", "trainable": True, "dtype": "float32",
                             "data_format": "channels_last"}),
    layer_config("Dense", {"name": "dense", "trainable": True, "dtype": "float32", "units": 3,
                           "activation": "linear", "use_bias": True, **INIT}),
]}}

# keras 2.11's Adam.get_config() (optimizers/optimizer_experimental); 2.11 registers the new
# optimizers as serializables, so the class_name written is "Custom>Adam".
TRAINING_CONFIG = {"loss": "mse", "metrics": ["accuracy"], "weighted_metrics": None, "loss_weights": None,
                   "optimizer_config": {"class_name": "Custom>Adam", "config": {
                       "name": "Adam", "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                       "clipvalue": None, "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                       "jit_compile": False, "is_legacy_optimizer": False, "learning_rate": 0.0010000000474974513,
                       "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}}


def save_model_keras211(f, model_config, training_config=None, weights=True):
    """keras 2.11 save_model_to_hdf5 / saving_utils.model_metadata (h5py 3)."""
    metadata = {"keras_version": "2.11.0", "backend": "tensorflow", "model_config": model_config}
    if training_config is not None:
        metadata["training_config"] = training_config
    for k, v in metadata.items():
        f.attrs[k] = json.dumps(v).encode("utf8") if isinstance(v, (dict, list, tuple)) else v
    if weights:
        save_weights_keras211(f.create_group("model_weights"))


def main():
    with h5py.File(out("weights_keras211.h5"), "w") as f:
        save_weights_keras211(f)
    with h5py.File(out("weights_h5py2.h5"), "w") as f:
        save_weights_h5py2_style(f)
    with h5py.File(out("model_keras211.h5"), "w") as f:
        save_model_keras211(f, MODEL_CONFIG)
    with h5py.File(out("model_compiled_keras211.h5"), "w") as f:
        save_model_keras211(f, MODEL_CONFIG, TRAINING_CONFIG)
    # The seed CNN of tests/data/keras (its model_config only: its 56,320 weights would make
    # a 220 KB fixture, and `strata summary` reads the config alone).
    with open(os.path.join(HERE, "..", "keras", "to_json_tf2.11-2.12.json")) as j:
        seed = json.load(j)
    with h5py.File(out("seed_cnn_config_only.h5"), "w") as f:
        save_model_keras211(f, {"class_name": seed["class_name"], "config": seed["config"]}, weights=False)
    # Bad files: an int32 kernel, and a file without layer_names.
    with h5py.File(out("weights_int_kernel.h5"), "w") as f:
        save_weights_keras211(f)
        del f["conv2d/conv2d/kernel:0"]
        f["conv2d"].create_dataset("conv2d/kernel:0", data=np.ones((3, 3, 1, 2), dtype=np.int32))
    with h5py.File(out("weights_no_layer_names.h5"), "w") as f:
        save_weights_keras211(f)
        del f.attrs["layer_names"]

    np.save(out("input.npy"), inputs)
    np.save(out("expected_output.npy"), predict(inputs))


if __name__ == "__main__":
    main()
