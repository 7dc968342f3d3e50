"""Measurements added for chapters 6 and 7: layer_time_share and torch_agreement."""

import numpy as np
import pytest

from nonlinear import experiments


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("backward", [False, True])
def test_layer_time_share_is_a_fraction(backend, backward):
    t = experiments.layer_time_share("relu", batch=16, width=32, backend=backend, backward=backward, repeats=2)
    assert t["linear"] > 0 and t["activation"] > 0
    assert 0 < t["share"] < 1
    assert np.isclose(t["share"], t["activation"] / (t["linear"] + t["activation"]))


def test_layer_time_share_rejects_unknown_backend_and_missing_torch_twin():
    with pytest.raises(ValueError, match="backend"):
        experiments.layer_time_share("relu", backend="jax")
    with pytest.raises(ValueError, match="no PyTorch counterpart"):
        experiments.layer_time_share("leaky_relu6", backend="torch")


@pytest.mark.parametrize("name, params", [("silu", {}), ("hardswish", {}), ("gelu", {"approximate": "tanh"}),
                                          ("selu", {}), ("mish", {}), ("relu6", {})])
def test_torch_agreement_is_a_few_ulps(name, params):
    d = experiments.torch_agreement(name, **params)
    assert d["forward"] < 1e-13 and d["derivative"] < 1e-13


def test_torch_agreement_detects_a_difference():
    # the package's leaky_relu at slope 0.2 against torch's at the same slope agrees ...
    assert experiments.torch_agreement("leaky_relu", negative_slope=0.2)["derivative"] == 0.0
    # ... and a different grid still works; an activation torch lacks is a clear error
    assert experiments.torch_agreement("tanh", x=[-1.0, 0.0, 2.0])["forward"] < 1e-15
    with pytest.raises(ValueError, match="no PyTorch counterpart"):
        experiments.torch_agreement("leaky_relu6")
