"""Activations compared on tasks (nonlinear.task_comparison): seeded, reproducible, and its summaries are right."""

import math

import pytest

from nonlinear import activations, task_comparison


def test_default_activations_are_the_elementwise_ones_without_duplicates():
    names = task_comparison.DEFAULT_ACTIVATIONS
    assert "relu" in names and "silu" in names and "leaky_relu6" in names
    assert "swish" not in names  # swish(beta=1) is silu
    assert all(activations.get(n).elementwise for n in names)
    assert "softmax" not in names and "glu" not in names


def test_config_labels_and_validation():
    assert task_comparison.config("relu") == task_comparison.Config("relu", "relu", {})
    assert task_comparison.config(("elu", {"alpha": 2.0})).label == "elu(alpha=2)"
    with pytest.raises(ValueError, match="negative_slop"):
        task_comparison.config(("leaky_relu", {"negative_slop": 0.1}))


def test_unknown_task_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown task"):
        task_comparison.train_one("relu", task="mnist")


def test_a_run_is_reproducible_to_the_last_bit():
    """Re-running a slice gives identical numbers (everything but the wall time)."""
    first = task_comparison.run(["relu", "tanh"], tasks=["spirals"], seeds=[0, 1], epochs=15)
    second = task_comparison.run(["relu", "tanh"], tasks=["spirals"], seeds=[0, 1], epochs=15)
    for a, b in zip(first, second, strict=True):
        assert (a.activation, a.seed, a.test_accuracy, a.loss) == (b.activation, b.seed, b.test_accuracy, b.loss)


def test_seeds_change_the_run():
    a, b = task_comparison.run(["relu"], tasks=["spirals"], seeds=[0, 1], epochs=5)
    assert a.loss != b.loss


def test_digits_run_learns():
    r = task_comparison.train_one("relu", task="digits", seed=0)
    assert r.test_accuracy > 0.9
    assert r.epochs_to_target is not None and r.epochs_to_target <= task_comparison.TASKS["digits"].epochs
    assert len(r.loss) == task_comparison.TASKS["digits"].epochs and not r.diverged


def test_parameters_reach_the_activation():
    flat = task_comparison.train_one(("leaky_relu", {"negative_slope": 1.0}), task="spirals", seed=0, epochs=60)
    bent = task_comparison.train_one(("leaky_relu", {"negative_slope": 0.01}), task="spirals", seed=0, epochs=60)
    assert flat.activation == "leaky_relu(negative_slope=1)"
    assert flat.final_loss > bent.final_loss  # slope 1 is a linear network: it cannot fit the spirals


def test_summary_and_compare_agree_with_the_runs():
    runs = task_comparison.run(["relu", "silu"], tasks=["spirals"], seeds=[0, 1, 2], epochs=20)
    table = task_comparison.summary(runs)
    assert list(table["activation"]) == ["relu", "silu"]
    relu = [r.test_accuracy for r in runs if r.activation == "relu"]
    assert math.isclose(table.loc[0, "accuracy_mean"], sum(relu) / 3)
    assert table.loc[0, "seeds"] == 3
    c = task_comparison.compare(runs, "silu", "relu", "spirals")
    assert math.isclose(c["difference"], c["accuracy_a"] - c["accuracy_b"], abs_tol=1e-12)
    assert c["seeds"] == 3
    with pytest.raises(ValueError, match="no seed"):
        task_comparison.compare(runs, "silu", "gelu", "spirals")


def test_batchnorm_and_init_options_pass_through():
    r = task_comparison.train_one("relu", task="spirals", seed=0, epochs=3, batchnorm="before", init="xavier")
    assert len(r.loss) == 3
