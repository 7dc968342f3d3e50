"""Datasets: shapes, dtypes, determinism per seed, class balance, the fixed digits split, bad names."""

from __future__ import annotations

import numpy as np
import pytest

from nonlinear import data

GENERATED = sorted(data.GENERATED)


@pytest.mark.parametrize("name", GENERATED)
def test_generated_dataset_shapes_and_dtypes(name):
    d = data.load(name, n=200, seed=0)
    assert isinstance(d, data.Dataset) and d.name == name
    assert d.X_train.shape == (150, 2) and d.X_test.shape == (50, 2)
    assert d.y_train.shape == (150,) and d.y_test.shape == (50,)
    assert d.X_train.dtype == np.float64 and d.y_train.dtype == np.int64
    assert d.n_features == 2 and len(d.feature_names) == 2
    assert np.all(np.isfinite(d.X_train)) and np.all(np.isfinite(d.X_test))
    assert f"{name!r}: 150 train / 50 test, 2 features" in repr(d)


@pytest.mark.parametrize("name", GENERATED)
def test_generated_dataset_is_deterministic_per_seed(name):
    a, b, c = data.load(name, seed=3), data.load(name, seed=3), data.load(name, seed=4)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train), f"{name}: seeds 3 and 4 gave the same data"


@pytest.mark.parametrize("name", GENERATED)
def test_classes_are_balanced(name):
    d = data.load(name, n=600, seed=0)
    y = np.concatenate([d.y_train, d.y_test])
    counts = np.bincount(y)
    assert len(counts) == d.n_classes >= 2
    shares = counts / counts.sum()
    assert np.all(np.abs(shares - 1 / d.n_classes) < 0.1), f"{name}: class shares {shares}"


def test_spirals_has_the_requested_number_of_classes():
    assert data.spirals(n=300, classes=4, seed=0).n_classes == 4


def test_linear_dataset_has_a_margin():
    """A least-squares line separates the classes (the data are linearly separable with a gap)."""
    d = data.linear(n=400, margin=0.2, seed=0)
    X = np.concatenate([d.X_train, d.X_test])
    y = np.concatenate([d.y_train, d.y_test])
    design = np.column_stack([X, np.ones(len(X))])
    w, *_ = np.linalg.lstsq(design, 2.0 * y - 1, rcond=None)
    assert np.all((design @ w > 0) == (y == 1))


def test_digits_has_1797_examples_64_features_10_classes_and_a_fixed_split():
    d = data.digits()
    assert len(d.X_train) + len(d.X_test) == 1797
    assert d.X_train.shape == (1348, 64) and d.X_test.shape == (449, 64)
    assert d.n_classes == 10 and d.n_features == 64
    assert d.X_train.min() >= 0 and d.X_train.max() <= 1
    again = data.load("digits")
    np.testing.assert_array_equal(d.y_test, again.y_test)
    np.testing.assert_array_equal(d.X_train, again.X_train)
    assert set(np.bincount(d.y_train)) and np.bincount(d.y_train).min() > 100


def test_standardise_uses_training_statistics():
    d = data.standardise(data.digits())
    np.testing.assert_allclose(d.X_train.mean(axis=0), 0.0, atol=1e-12)
    std = d.X_train.std(axis=0)
    assert np.all((np.abs(std - 1) < 1e-12) | (std == 0))  # constant pixels stay constant
    assert d.description.endswith("(standardised)")
    assert not np.allclose(d.X_test.mean(axis=0), 0.0, atol=1e-12), "the test set must use the training mean"


def test_curve_is_sorted_regression_data():
    X, y = data.curve(n=50, seed=1)
    assert X.shape == (50, 1) and y.shape == (50, 1)
    assert np.all(np.diff(X[:, 0]) >= 0) and X.min() >= -3 and X.max() <= 3
    np.testing.assert_allclose(y[:, 0], np.sin(2 * X[:, 0]) + 0.3 * X[:, 0], rtol=1e-15)


def test_unknown_dataset_name_lists_the_choices():
    with pytest.raises(
        ValueError, match="unknown dataset 'mnist'; choose from xor, moons, circles, spirals, linear, digits, mnist1d"
    ):
        data.load("mnist")


@pytest.mark.parametrize("n", [3, 7, True, 10.5])
def test_bad_size_is_rejected(n):
    with pytest.raises(ValueError, match="n must be an integer >= 8"):
        data.xor(n=n)


def test_mnist1d_names_its_own_size_argument():
    with pytest.raises(ValueError, match="num_samples must be an integer >= 100, got 50"):
        data.mnist1d(num_samples=50)


def test_mnist1d_is_the_reference_data_set_built_locally(tmp_path, monkeypatch):
    """Generated with mnist1d's make_dataset (never downloaded), cached, and the same from the cache."""
    import mnist1d.data

    monkeypatch.setenv("NONLINEAR_CACHE", str(tmp_path))
    monkeypatch.setattr(mnist1d.data, "get_dataset", lambda *a, **k: pytest.fail("get_dataset downloads"))
    data._mnist1d_arrays.cache_clear()
    state = np.random.get_state()
    d = data.load("mnist1d")
    assert np.array_equal(np.random.get_state()[1], state[1]), "generation must not reseed numpy's global generator"
    assert (d.X_train.shape, d.X_test.shape, d.n_classes) == ((4000, 40), (1000, 40), 10)
    assert d.X_train.dtype == np.float64 and d.y_train.dtype == np.int64
    assert np.bincount(d.y_train, minlength=10).min() > 350  # balanced: 500 per class in all
    everything = np.concatenate([d.X_train, d.X_test])
    assert abs(everything.mean()) < 1e-6 and everything.std() == pytest.approx(1.0, abs=1e-6)
    cached = list(tmp_path.glob("mnist1d-5000-42-*.npz"))
    assert len(cached) == 1
    data._mnist1d_arrays.cache_clear()
    again = data.mnist1d()
    assert np.array_equal(again.X_train, d.X_train) and np.array_equal(again.y_test, d.y_test)
    data._mnist1d_arrays.cache_clear()


def test_mnist1d_is_not_separable_by_a_linear_model():
    """A linear model stays far below perfect (the reference paper: about 0.3 logistic regression), so it is not saturated."""
    from sklearn.linear_model import LogisticRegression

    d = data.mnist1d()
    accuracy = LogisticRegression(max_iter=300).fit(d.X_train, d.y_train).score(d.X_test, d.y_test)
    assert 0.2 < accuracy < 0.6
