"""Measurements added for chapter 5's rectifier pages (leaky/PReLU, RReLU, ReLU6, ELU, maxout, dying ReLU)."""

import numpy as np
import pytest

from nonlinear import data, experiments, nn


def test_quantise_rounds_to_the_grid_and_clips():
    a = np.array([-1.0, 0.0, 0.9, 1.1, 3.1, 6.0, 9.0])
    q = experiments.quantise(a, bits=2, high=6.0)  # levels 0, 2, 4, 6
    assert q.tolist() == [0.0, 0.0, 0.0, 2.0, 4.0, 6.0, 6.0]


def test_quantise_error_is_at_most_half_a_step():
    a = np.random.default_rng(0).uniform(0, 6, size=1000)
    for bits in (2, 4, 8):
        step = 6 / (2**bits - 1)
        assert np.max(np.abs(experiments.quantise(a, bits, 6.0) - a)) <= step / 2 + 1e-12


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_quantise_rejects_bad_bits(bad):
    with pytest.raises(ValueError, match="bits"):
        experiments.quantise(np.zeros(3), bad, 6.0)


def test_quantised_accuracy_matches_float_accuracy_at_high_precision():
    d = data.xor(seed=0)
    model = nn.MLP([2, 8, 2], activation="relu6", seed=0)
    nn.train(model, d.X_train, d.y_train, epochs=30, progress=False)
    _, float_acc = nn.evaluate(model, d.X_test, d.y_test)
    assert experiments.quantised_accuracy(model, d.X_test, d.y_test, bits=16, high=6.0) == float_acc
    highs = experiments.activation_max(model, d.X_train)
    assert len(highs) == 1 and highs[0] > 0
    assert 0.0 <= experiments.quantised_accuracy(model, d.X_test, d.y_test, bits=1, high=highs) <= 1.0
    with pytest.raises(ValueError, match="one value per hidden layer"):
        experiments.quantised_accuracy(model, d.X_test, d.y_test, bits=4, high=[1.0, 2.0])


def test_constant_network_probability_grows_with_depth_and_falls_with_width():
    p = {
        (w, depth): experiments.constant_network_probability(w, depth, trials=400, seed=1)
        for w in (2, 8)
        for depth in (2, 20)
    }
    assert p[(2, 20)] > p[(2, 2)]
    assert p[(2, 20)] > p[(8, 20)]
    assert p[(2, 20)] > 0.8  # Lu et al. (2019): narrow deep ReLU nets are born dead with high probability
    assert experiments.constant_network_probability(2, 20, trials=400, seed=1) == p[(2, 20)]  # seeded


def test_a_width_one_net_with_negative_weight_and_bias_is_dead():
    # a single unit is dead on [-1, 1] when w x + b <= 0 there: the estimate must see such nets
    assert experiments.constant_network_probability(1, 1, trials=2000, seed=0) > 0.1


def test_train_seeds_is_reproducible_and_returns_one_run_per_seed():
    d = data.xor(seed=0)
    a = experiments.train_seeds(d, [2, 8, 2], "leaky_relu", seeds=(0, 1), epochs=5, negative_slope=0.1)
    b = experiments.train_seeds(d, [2, 8, 2], "leaky_relu", seeds=(0, 1), epochs=5, negative_slope=0.1)
    assert [r.seed for r in a] == [0, 1]
    assert [r.history.loss for r in a] == [r.history.loss for r in b]
    assert 0.0 <= a[0].test_accuracy <= 1.0
    with pytest.raises(ValueError, match="optimizer"):
        experiments.train_seeds(d, [2, 8, 2], optimizer="rmsprop")


def test_max_preactivation_is_each_units_largest_z_and_marks_the_dead_relu_units():
    X = np.random.default_rng(0).normal(size=(50, 3))
    model = nn.MLP([3, 8, 6, 2], activation="relu", seed=0)
    first = model.linears()[0]
    first.bias.data[:3] = -1e3  # three units of layer 1 can never fire on this data
    peaks = experiments.max_preactivation(model, X)
    assert [p.shape for p in peaks] == [(8,), (6,)]
    np.testing.assert_allclose(peaks[0], (X @ first.weight.data + first.bias.data).max(axis=0))
    assert np.all(peaks[0][:3] < 0) and np.all(peaks[0][3:] > 0)
    assert [float(np.mean(p <= 0)) for p in peaks] == experiments.dead_fraction(model, X)


# --- the chapter-5 experiments of the results store (nonlinear/study/ch5.py) ---------------------------------


def test_ch5_experiments_are_registered_with_ten_paired_seeds():
    from nonlinear import study

    found = study.experiments()
    names = {"ch5-rectifiers", "ch5-overfit", "ch5-dying", "ch5-relu6", "ch5-quantise"}
    assert names <= set(found)
    for name in names:
        assert found[name].seeds == tuple(range(10)), name
    assert {c["depth"] for c in found["ch5-rectifiers"].configs} == {2, 8, 20}
    assert {c["optimiser"] for c in found["ch5-rectifiers"].configs} == {"sgd-momentum", "adam"}


def test_ch5_accuracy_scores_chance_for_non_finite_outputs_and_layer_means_match_the_forward_pass():
    from nonlinear.study import ch5

    d = data.xor(seed=0)
    model = nn.MLP([2, 8, 8, 2], activation="elu", seed=0)
    X = d.X_test
    expected = [float(np.mean(a)) for a in model.hidden_activations(X)]
    assert ch5.layer_means(model, X) == pytest.approx(expected)
    assert 0.0 <= ch5.accuracy(model, X, d.y_test) <= 1.0
    model.linears()[0].weight.data[:] = np.nan
    assert ch5.accuracy(model, X, d.y_test) == ch5.CHANCE


def test_gradient_norm_sgd_records_the_global_norm_against_torch_and_steps_like_sgd():
    """ch5-relu6's optimiser: before each step, sqrt(sum of squared gradients) over every parameter."""
    import torch

    from nonlinear.study.ch5 import GradientNormSGD

    d = data.xor(seed=0)
    model, twin = nn.MLP([2, 8, 2], activation="relu6", seed=0), nn.MLP([2, 8, 2], activation="relu6", seed=0)
    recording, plain = GradientNormSGD(model.parameters(), lr=0.5), nn.SGD(twin.parameters(), lr=0.5)
    for _ in range(3):
        for net, opt in ((model, recording), (twin, plain)):
            opt.zero_grad()
            nn.get_loss("cross_entropy")(net(d.X_train), d.y_train).backward()
            opt.step()
    tmodel = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU6(), torch.nn.Linear(8, 2)).double()
    fresh = nn.MLP([2, 8, 2], activation="relu6", seed=0)
    with torch.no_grad():
        for tl, ours in zip([tmodel[0], tmodel[2]], fresh.linears()):
            tl.weight.copy_(torch.from_numpy(ours.weight.data.T))
            tl.bias.copy_(torch.from_numpy(ours.bias.data))
    torch.nn.functional.cross_entropy(tmodel(torch.from_numpy(d.X_train)), torch.from_numpy(d.y_train)).backward()
    torch_norm = torch.sqrt(sum((p.grad**2).sum() for p in tmodel.parameters())).item()
    assert len(recording.norms) == 3
    assert recording.norms[0] == pytest.approx(torch_norm, rel=1e-12)
    for ours, theirs in zip(model.parameters(), twin.parameters()):
        np.testing.assert_array_equal(ours.data, theirs.data)  # recording changes nothing
