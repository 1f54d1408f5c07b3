#!/usr/bin/env python3
"""Writes seed_cnn_keras3.json: the goldens' CNN (to_json_tf2.11-2.12.json: Conv2D 32/64/64
3x3, each followed by LeakyReLU(0.01) and MaxPooling2D, on 28x28x3) as Keras 3.4+ `to_json()`
lays it out: module/class_name/config/registered_name objects, a DTypePolicy per layer,
`negative_slope` for LeakyReLU, an InputLayer with `batch_shape`, `build_config` on layers
that have a build step, `build_input_shape` on the model, and no keras_version/backend.
Keras is not installable here (no network), so the layout follows KERAS.md section 4.2 and
a Keras 3.4 to_json() published in a public repository; json.dumps gives Keras's spacing."""
import json
import pathlib


def obj(module, class_name, config, build_input_shape=None):
    out = {"module": module, "class_name": class_name, "config": config, "registered_name": None}
    if build_input_shape is not None:
        out["build_config"] = {"input_shape": build_input_shape}
    return out


def dtype():
    return obj("keras", "DTypePolicy", {"name": "float32"})


def base(name):
    return {"name": name, "trainable": True, "dtype": dtype()}


def conv2d(name, filters, input_shape):
    config = base(name) | {
        "filters": filters, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
        "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "linear",
        "use_bias": True,
        "kernel_initializer": obj("keras.initializers", "GlorotUniform", {"seed": None}),
        "bias_initializer": obj("keras.initializers", "Zeros", {}),
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None}
    return obj("keras.layers", "Conv2D", config, input_shape)


def leaky_re_lu(name):
    return obj("keras.layers", "LeakyReLU", base(name) | {"negative_slope": 0.01})


def max_pooling2d(name):
    return obj("keras.layers", "MaxPooling2D", base(name) | {
        "pool_size": [2, 2], "padding": "valid", "strides": [2, 2], "data_format": "channels_last"})


def suffix(i):
    return "" if i == 0 else f"_{i}"


layers = [obj("keras.layers", "InputLayer", {"batch_shape": [None, 28, 28, 3], "dtype": "float32",
                                              "sparse": False, "ragged": False, "name": "input_layer"})]
inputs = [[None, 28, 28, 3], [None, 13, 13, 32], [None, 5, 5, 64]]
for i, (filters, shape) in enumerate(zip([32, 64, 64], inputs)):
    layers += [conv2d("conv2d" + suffix(i), filters, shape), leaky_re_lu("leaky_re_lu" + suffix(i)),
               max_pooling2d("max_pooling2d" + suffix(i))]

model = obj("keras", "Sequential", {"name": "sequential", "trainable": True, "dtype": dtype(),
                                    "layers": layers, "build_input_shape": [None, 28, 28, 3]},
            [None, 28, 28, 3])
pathlib.Path(__file__).with_name("seed_cnn_keras3.json").write_text(json.dumps(model))
