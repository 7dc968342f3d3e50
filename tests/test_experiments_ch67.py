"""Measurements added for chapters 6 and 7: torch_agreement, and the experiments behind their verdicts."""

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


def test_chapter_6_and_7_experiments_cover_the_settings_their_pages_compare():
    """Every comparison a page makes has both arms in the store, with the same ten seeds."""
    from nonlinear import study, task_comparison
    from nonlinear.study import ch6, ch7

    found = study.experiments()
    relatives = {(c["activation"], c["depth"], c["optimiser"]) for c in found["ch6-relu-relatives"].configs}
    for opt in task_comparison.OPTIMISERS:
        assert {(a, d, opt) for a in ch6.RELATIVES for d in (2, 8)} <= relatives
        assert {("relu", 20, opt), ("silu", 20, opt)} <= relatives
    saturating = {(c["activation"], c["depth"], c["optimiser"]) for c in found["ch7-saturating"].configs}
    assert {
        (a, d, o) for a in ("tanh", "sigmoid") for d in ch6.DEPTHS for o in task_comparison.OPTIMISERS
    } == saturating
    labels = {c["activation"] for c in found["ch7-defaults"].configs}
    assert set(ch7.DEFAULTS.values()) <= labels  # the defaults themselves are in the sweep
    assert labels == {task_comparison.config(c).label for c in ch7.DEFAULTS_CONFIGS}
    for name in ["ch6-relu-relatives", "ch7-saturating", "ch7-bn-order", "ch7-defaults", "ch7-benchmark"]:
        assert found[name].seeds == tuple(range(10))


def test_a_stored_benchmark_run_is_the_task_comparison_run():
    from nonlinear import study, task_comparison

    rerun = study.rerun("ch7-benchmark", seeds=[1], where={"activation": "tanh", "task": "digits"})
    direct = task_comparison.train_one("tanh", "digits", 1)
    assert rerun.runs[0]["metrics"]["test_accuracy"] == direct.test_accuracy
    assert rerun.runs[0]["metrics"]["loss"] == list(direct.loss)
