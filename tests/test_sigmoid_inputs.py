"""The ch5-sigmoid-inputs experiments (nonlinear/study/sigmoid_inputs.py): registration, preparations, saturation."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nonlinear import data, study
from nonlinear.study import sigmoid_inputs


def test_registered_with_every_preparation_setting_and_ten_seeds():
    found = study.experiments()
    exp, long = found["ch5-sigmoid-inputs"], found["ch5-sigmoid-inputs-long"]
    assert exp.seeds == long.seeds == tuple(range(10))
    assert len(exp.configs) == len(sigmoid_inputs.PREPARATIONS) * len(sigmoid_inputs.TRAINING) * 2
    assert {c["preparation"] for c in long.configs} == set(sigmoid_inputs.PREPARATIONS)


def test_preparations_against_torch():
    """σ of the counts 16·x, the z-score with the training split's statistics, and σ of that z-score."""
    d = sigmoid_inputs.digits("200")
    assert d.X_train.shape == (200, 64) and d.X_test.shape == data.digits().X_test.shape
    counts = torch.tensor(16.0 * d.X_test, dtype=torch.float64)
    raw = sigmoid_inputs.prepare(d, "sigmoid(raw)")
    np.testing.assert_allclose(raw.X_test, torch.sigmoid(counts).numpy(), rtol=0, atol=1e-15)
    mean, std = d.X_train.mean(axis=0), d.X_train.std(axis=0)
    z = (d.X_test - mean) / np.where(std > 0, std, 1.0)
    np.testing.assert_allclose(sigmoid_inputs.prepare(d, "standardised").X_test, z, atol=1e-12)
    squashed = sigmoid_inputs.prepare(d, "sigmoid(standardised)").X_test
    np.testing.assert_allclose(squashed, torch.sigmoid(torch.from_numpy(z)).numpy(), atol=1e-12)
    np.testing.assert_array_equal(raw.y_train, d.y_train)


def test_saturated_share_counts_values_within_001_of_0_or_1():
    X = np.array([[0.005, 0.5, 0.995], [0.011, 0.989, 1.0]])
    assert sigmoid_inputs.saturated_share(X) == pytest.approx(3 / 6)


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="unknown preparation"):
        sigmoid_inputs.prepare(data.digits(), "minmax")
    with pytest.raises(ValueError, match="training must be one of"):
        sigmoid_inputs.digits("100")
