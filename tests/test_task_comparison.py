"""Activations compared on tasks (nonlinear.task_comparison): seeded, reproducible, and its summaries are right."""

import math

import numpy as np
import pytest

from nonlinear import activations, nn, task_comparison


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
    with pytest.raises(ValueError, match="prelu has no parameter alpha"):
        task_comparison.config(("prelu", {"alpha": 0.1}))
    assert task_comparison.config(("prelu", {"weight": 0.1})).label == "prelu(weight=0.1)"


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="unknown task"):
        task_comparison.train_one("relu", task="spirals")
    with pytest.raises(ValueError, match="optimiser must be one of"):
        task_comparison.train_one("relu", task="digits", optimiser="rmsprop", epochs=1)
    with pytest.raises(ValueError, match="depth must be a positive integer"):
        task_comparison.train_one("relu", task="digits", depth=0, epochs=1)
    with pytest.raises(ValueError, match="either hidden"):
        task_comparison.train_one("relu", task="digits", depth=2, hidden=(8,), epochs=1)


def test_a_run_is_reproducible_to_the_last_bit():
    """Re-running a slice gives identical numbers (everything but the wall time)."""
    first = task_comparison.run(["relu", "tanh"], tasks=["digits"], seeds=[0, 1], epochs=3)
    second = task_comparison.run(["relu", "tanh"], tasks=["digits"], seeds=[0, 1], epochs=3)
    for a, b in zip(first, second, strict=True):
        assert (a.activation, a.seed, a.test_accuracy, a.loss) == (b.activation, b.seed, b.test_accuracy, b.loss)


def test_seeds_change_the_run():
    a, b = task_comparison.run(["relu"], tasks=["digits"], seeds=[0, 1], epochs=2)
    assert a.loss != b.loss


def test_digits_recipe_is_unchanged():
    """The labs rely on train_one(activation, "digits", seed): one hidden layer of 32, Adam lr 0.01, 15 epochs."""
    r = task_comparison.train_one("relu", "digits", 0)
    assert r.test_accuracy > 0.9 and r.depth == 1 and r.optimiser == "adam"
    assert r.epochs_to_target is not None and r.epochs_to_target <= task_comparison.TASKS["digits"].epochs
    assert len(r.loss) == task_comparison.TASKS["digits"].epochs and not r.diverged
    assert math.isclose(r.mean_loss, float(np.mean(r.loss)))
    # the same network built by hand and trained the same way gives the same numbers
    d = task_comparison.dataset("digits")
    model = nn.MLP([64, 32, 10], activation="relu", seed=0)
    history = nn.train(
        model,
        d.X_train,
        d.y_train,
        optimizer=nn.Adam(model.parameters(), lr=1e-2),
        epochs=15,
        batch_size=128,
        seed=0,
        X_test=d.X_test,
        y_test=d.y_test,
        progress=False,
    )
    assert history.loss == list(r.loss) and history.test_accuracy[-1] == r.test_accuracy


def test_depth_width_and_optimiser_shape_the_run():
    r = task_comparison.train_one("tanh", "mnist1d", 0, depth=3, width=16, optimiser="sgd-momentum", epochs=2)
    assert (r.depth, r.optimiser, r.task, len(r.loss)) == (3, "sgd-momentum", "mnist1d", 2)
    other = task_comparison.train_one("tanh", "mnist1d", 0, depth=3, width=16, optimiser="adam", epochs=2)
    assert other.loss != r.loss


def test_mnist1d_is_far_from_saturated():
    """Two hidden layers on MNIST-1D stay far below the ceiling (the reason verdicts use it), yet learn."""
    r = task_comparison.train_one("relu", "mnist1d", 0)
    assert 0.2 < r.test_accuracy < 0.8


def test_parameters_reach_the_activation():
    flat = task_comparison.train_one(("leaky_relu", {"negative_slope": 1.0}), task="digits", seed=0, epochs=8)
    bent = task_comparison.train_one(("leaky_relu", {"negative_slope": 0.01}), task="digits", seed=0, epochs=8)
    assert flat.activation == "leaky_relu(negative_slope=1)"
    assert flat.loss != bent.loss  # slope 1 makes the network linear: another run entirely


def test_summary_compare_and_paired_scores_agree_with_the_runs():
    runs = task_comparison.run(["relu", "silu"], tasks=["digits"], seeds=[0, 1, 2], epochs=3)
    table = task_comparison.summary(runs)
    assert list(table["activation"]) == ["relu", "silu"]
    relu = [r.test_accuracy for r in runs if r.activation == "relu"]
    assert math.isclose(table.loc[0, "accuracy_mean"], sum(relu) / 3)
    assert table.loc[0, "seeds"] == 3
    c = task_comparison.compare(runs, "silu", "relu", "digits")
    assert math.isclose(c["difference"], c["accuracy_a"] - c["accuracy_b"], abs_tol=1e-12)
    assert c["seeds"] == 3
    a, b = task_comparison.paired_scores(runs, "silu", "relu", "digits")
    assert math.isclose(float(np.mean(a - b)), c["difference"], abs_tol=1e-12)
    with pytest.raises(ValueError, match="no seed"):
        task_comparison.compare(runs, "silu", "gelu", "digits")


def test_metrics_score_a_diverged_run_at_chance():
    run = task_comparison.Run(
        "relu", "digits", 0, float("nan"), float("nan"), None, float("nan"), True, (2.0, float("nan"))
    )
    m = task_comparison.metrics(run)
    assert m["test_accuracy"] == pytest.approx(0.1) and m["diverged"]
    assert len(m["loss"]) == task_comparison.TASKS["digits"].epochs and all(np.isfinite(m["loss"]))


def test_batchnorm_and_init_options_pass_through():
    r = task_comparison.train_one("relu", task="digits", seed=0, epochs=2, batchnorm="before", init="xavier")
    plain = task_comparison.train_one("relu", task="digits", seed=0, epochs=2)
    assert len(r.loss) == 2 and r.loss != plain.loss
