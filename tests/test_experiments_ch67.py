"""Measurements added for chapters 6 and 7: torch_agreement."""

import pytest

from nonlinear import experiments


@pytest.mark.parametrize(
    "name, params",
    [("silu", {}), ("hardswish", {}), ("gelu", {"approximate": "tanh"}), ("selu", {}), ("mish", {}), ("relu6", {})],
)
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
