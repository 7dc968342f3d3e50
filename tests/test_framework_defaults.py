"""What the pages say about other frameworks' defaults and arguments, checked against the frameworks.

The defaults page quotes PyTorch's and Keras's defaults for Leaky ReLU and ELU, and the arguments
through which PyTorch's ``nn.RNN`` and Keras's ``LSTM`` take their nonlinearity. Each number or
name is read from the page's text and compared with the installed library: PyTorch (the course's
own) and Keras 3 (installed for the tests only, on PyTorch's backend). TensorFlow is not installed;
``tf.nn.leaky_relu``'s default, which the page also quotes, is the one number left unchecked here.
"""

from __future__ import annotations

import inspect
import os
import re
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
DEFAULTS_PAGE = ROOT / "chapters" / "07_choosing" / "defaults.md"


@pytest.fixture(scope="module")
def keras(tmp_path_factory):
    """Keras 3 on PyTorch's backend, with its settings file in a scratch folder (not the home folder)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    os.environ.setdefault("KERAS_HOME", str(tmp_path_factory.mktemp("keras-home")))
    import keras

    assert keras.backend.backend() == "torch", f"Keras runs on {keras.backend.backend()}, not PyTorch"
    return keras


@pytest.fixture(scope="module")
def page() -> str:
    """The defaults page's text, with its lines joined."""
    return " ".join(DEFAULTS_PAGE.read_text(encoding="utf-8").split())


def quoted(page: str, pattern: str) -> str:
    found = re.search(pattern, page)
    assert found, f"the defaults page no longer says {pattern!r}: update this test with the page"
    return found[1]


def default_of(callable_, name: str):
    return inspect.signature(callable_).parameters[name].default


def test_pytorch_defaults_are_what_the_page_says(page):
    assert (
        float(quoted(page, r"negative slope \(PyTorch's default (\d+(?:\.\d+)?)\)"))
        == torch.nn.LeakyReLU().negative_slope
    )
    assert float(quoted(page, r"ELU's α \(default (\d+(?:\.\d+)?)\)")) == torch.nn.ELU().alpha


def test_pytorch_rnn_takes_tanh_or_relu_and_no_linear_option(page):
    options = re.findall(r'"(\w+)"', quoted(page, r"PyTorch's `nn.RNN` accepts (`[^)]*?) and has no linear option"))
    assert options == ["tanh", "relu"]
    assert torch.nn.RNN(2, 3).nonlinearity == options[0]  # the default, named first
    for option in options:
        assert torch.nn.RNN(2, 3, nonlinearity=option).nonlinearity == option
    for linear in ("identity", "linear", None):
        with pytest.raises(ValueError, match="Unknown nonlinearity"):
            torch.nn.RNN(2, 3, nonlinearity=linear)


def test_keras_leaky_relu_defaults_are_what_the_page_says(page, keras):
    layer = float(quoted(page, r"Keras's `LeakyReLU` layer defaults to a slope of (\d+(?:\.\d+)?)"))
    function = float(
        quoted(page, r"`keras.activations.leaky_relu`, like TensorFlow's `tf.nn.leaky_relu`, to (\d+(?:\.\d+)?)")
    )
    assert layer == keras.layers.LeakyReLU().negative_slope == default_of(keras.layers.LeakyReLU, "negative_slope")
    assert function == default_of(keras.activations.leaky_relu, "negative_slope")
    x = torch.tensor([-1.0, 2.0])  # Keras's PyTorch backend takes and gives torch tensors
    assert keras.activations.leaky_relu(x).tolist() == pytest.approx([-function, 2.0])
    assert keras.layers.LeakyReLU()(x).tolist() == pytest.approx([-layer, 2.0])


def test_keras_lstm_takes_its_nonlinearities_as_the_arguments_the_page_names(page, keras):
    names = re.findall(r"`(\w+)`", quoted(page, r"Keras's `LSTM` has (`\w+` and `\w+`)"))
    assert names == ["activation", "recurrent_activation"]
    parameters = inspect.signature(keras.layers.LSTM).parameters
    assert [parameters[name].default for name in names] == ["tanh", "sigmoid"]
    lstm = keras.layers.LSTM(4, activation="relu")
    assert lstm.cell.activation is keras.activations.relu
