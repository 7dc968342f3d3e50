"""The helpers of the ch4-sparsity-cost clock experiment: the ReLU layer, its sparser versions, the dense control,
and that every timed arm computes the same product (checked against PyTorch in float64)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nonlinear.study import sparsity_cost


@pytest.fixture(scope="module")
def layer():
    return sparsity_cost.relu_layer(rows=64, width=32)


def test_relu_layer_is_a_float32_forward_pass_about_half_zero(layer):
    z, w = layer
    assert z.shape == (64, 32) and w.shape == (32, 32)
    assert z.dtype == np.float32 and w.dtype == np.float32
    assert 0.35 < sparsity_cost.zero_fraction(sparsity_cost.at_sparsity(z)) < 0.65


def test_relu_layer_refuses_more_rows_than_the_digits_have():
    with pytest.raises(ValueError, match="rows must be between"):
        sparsity_cost.relu_layer(rows=10_000)


def test_at_sparsity_is_relu_with_a_negative_bias_reaching_the_fraction(layer):
    z, _ = layer
    np.testing.assert_array_equal(sparsity_cost.at_sparsity(z), torch.relu(torch.from_numpy(z)).numpy())
    for fraction in [0.9, 0.99]:
        h = sparsity_cost.at_sparsity(z, fraction)
        assert h.dtype == z.dtype and h.shape == z.shape and h.min() == 0
        assert abs(sparsity_cost.zero_fraction(h) - fraction) <= 1 / z.size
        t = np.quantile(z, fraction)
        expected = torch.relu(torch.from_numpy(z.astype(np.float64)) - t).numpy()
        np.testing.assert_allclose(h, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 2])
def test_at_sparsity_refuses_a_fraction_outside_0_1(layer, fraction):
    with pytest.raises(ValueError, match="fraction must be in"):
        sparsity_cost.at_sparsity(layer[0], fraction)


def test_filled_replaces_exactly_the_zeros(layer):
    h = sparsity_cost.at_sparsity(layer[0])
    f = sparsity_cost.filled(h)
    assert f.dtype == h.dtype and f.shape == h.shape
    assert sparsity_cost.zero_fraction(f) == 0
    np.testing.assert_array_equal(f[h != 0], h[h != 0])
    assert np.all(f[h == 0] == np.float32(sparsity_cost.FILL))


@pytest.mark.parametrize("value", [0.0, np.nan, np.inf, 1e-50])
def test_filled_refuses_a_value_that_is_zero_or_not_finite(value):
    with pytest.raises(ValueError, match="value"):
        sparsity_cost.filled(np.zeros(3, dtype=np.float32), value)


def test_every_timed_arm_computes_the_same_product():
    arms, zeros = sparsity_cost._arms({"rows": 64, "width": 32})
    z, w = sparsity_cost.relu_layer(64, 32)
    assert zeros["zeros 90%"] == pytest.approx(0.9, abs=1 / z.size)
    for level, fraction in [("relu", None), ("90%", 0.9), ("99%", 0.99)]:
        h = sparsity_cost.at_sparsity(z, fraction)
        reference = torch.from_numpy(h.astype(np.float64)) @ torch.from_numpy(w.astype(np.float64))
        for lib, fmt in [("numpy", "dense"), ("torch", "dense"), ("scipy", "csr"), ("torch", "csr")]:
            out = arms[f"{lib} {fmt} {level}"]()
            out = out.to_dense().numpy() if isinstance(out, torch.Tensor) else np.asarray(out)
            np.testing.assert_allclose(out, reference.numpy(), rtol=1e-4, atol=1e-4, err_msg=f"{lib} {fmt} {level}")
    control = sparsity_cost.filled(sparsity_cost.at_sparsity(z)).astype(np.float64) @ w.astype(np.float64)
    np.testing.assert_allclose(arms["numpy dense filled"](), control, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(arms["torch dense filled"]().numpy(), control, rtol=1e-4, atol=1e-4)
