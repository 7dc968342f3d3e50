"""The verdict rules (decide, paired, combine, with_mechanism) on synthetic differences, record(), the registry and the ledger.

The last tests read the chapters' sources: every registry claim gets exactly
one verdict, on the page the registry names, and no page records a claim the
registry does not know.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from nonlinear import claims
from nonlinear.claim_registry import ENTRIES, MERGED, REGISTRY, SOURCES

ROOT = Path(__file__).resolve().parent.parent


def synthetic(mean: float, sd: float, n: int = 10, seed: int = 0) -> np.ndarray:
    """n differences with exactly this sample mean and standard deviation."""
    z = np.random.default_rng(seed).normal(size=n)
    z = (z - z.mean()) / z.std(ddof=1)
    return mean + sd * z


# 95% half-width for n = 10 and sd 1 is t(0.975, 9)/sqrt(10) = 2.262/3.162 = 0.715.
HALF = 0.7153


@pytest.mark.parametrize(
    ("mean", "threshold", "verdict"),
    [
        (3.0, 1.0, "holds"),  # interval [2.28, 3.72] beyond the threshold
        (1.2, 1.0, "holds with caveats"),  # [0.48, 1.92]: above 0, reaches below the threshold
        (1.2, 0.0, "holds"),  # the same interval with threshold 0
        (0.3, 1.0, "not reproduced here"),  # [-0.42, 1.02] contains 0
        (-0.3, 1.0, "not reproduced here"),  # contains 0 on the other side: still no evidence against
        (-1.2, 1.0, "wrong"),  # [-1.92, -0.48]: the whole interval on the other side of zero
    ],
)
def test_decide_gives_every_outcome(mean, threshold, verdict):
    d = claims.decide(synthetic(mean, 1.0), threshold=threshold)
    assert d.verdict == verdict
    assert d.mean == pytest.approx(mean)
    assert (d.low, d.high) == pytest.approx((mean - HALF, mean + HALF), abs=1e-3)
    assert d.n == 10 and d.threshold == threshold


def test_interval_matches_scipy():
    from scipy import stats

    d = synthetic(0.5, 2.0, n=12, seed=3)
    low, high = stats.t.interval(0.95, 11, loc=d.mean(), scale=stats.sem(d))
    assert claims.interval(d)[1:] == pytest.approx((low, high))


def test_wrong_needs_the_interval_beyond_zero_not_just_a_negative_mean():
    assert claims.decide(synthetic(-0.5, 1.0), threshold=0.0).verdict == "not reproduced here"
    assert claims.decide(synthetic(-0.8, 1.0), threshold=0.0).verdict == "wrong"


def test_a_narrow_interval_inside_the_threshold_is_not_reproduced_and_says_so():
    d = claims.decide(synthetic(0.0, 0.1), threshold=1.0)
    assert d.verdict == "not reproduced here" and "excludes an effect as large as the threshold" in d.reason


def test_decide_refuses_too_few_seeds_unless_told():
    with pytest.raises(ValueError, match="at least min_seeds=10"):
        claims.decide(synthetic(1.0, 1.0, n=5), threshold=0.0)
    assert claims.decide(synthetic(3.0, 1.0, n=5), threshold=0.0, min_seeds=5).verdict == "holds"


@pytest.mark.parametrize("threshold", [-0.1, float("nan"), float("inf"), "0.1"])
def test_decide_rejects_a_bad_threshold(threshold):
    with pytest.raises(ValueError, match="threshold must be"):
        claims.decide(synthetic(1.0, 1.0), threshold=threshold)


def test_decide_rejects_non_finite_differences():
    d = synthetic(1.0, 1.0)
    d[3] = np.nan
    with pytest.raises(ValueError, match="finite"):
        claims.decide(d, threshold=0.0)


def test_all_zero_differences_are_saturated():
    with pytest.raises(claims.SaturatedTask):
        claims.decide(np.zeros(10), threshold=0.0)


def test_paired_orients_the_difference():
    rng = np.random.default_rng(1)
    b = rng.uniform(0.3, 0.6, size=10)
    a = b + synthetic(0.05, 0.01)
    assert claims.paired(a, b, threshold=0.01).verdict == "holds"
    assert claims.paired(b, a, threshold=0.01).verdict == "wrong"
    # for a loss lower is better: the arm with the lower loss is the better one
    assert claims.paired(b, a, threshold=0.01, lower_is_better=True, ceiling=None).verdict == "holds"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (np.full(10, 1.0), np.full(10, 0.995)),  # every run of both arms at or above 0.99
        (np.linspace(0.991, 1.0, 10), np.linspace(0.990, 0.999, 10)),
        (np.full(10, 0.5), np.full(10, 0.5)),  # no spread at all
    ],
)
def test_paired_refuses_a_saturated_task(a, b):
    assert claims.saturated(a, b)
    with pytest.raises(claims.SaturatedTask, match="no verdict may rest on it"):
        claims.paired(a, b, threshold=0.0)


def test_a_task_where_no_arm_learned_is_saturated_when_a_floor_is_given():
    a, b = np.linspace(0.09, 0.11, 10), np.linspace(0.10, 0.105, 10)
    assert not claims.saturated(a, b) and claims.saturated(a, b, floor=0.12)
    with pytest.raises(claims.SaturatedTask, match="at the floor"):
        claims.paired(a, b, threshold=0.0, floor=0.12)


def test_one_arm_below_the_ceiling_is_not_saturated():
    a, b = np.full(10, 1.0), np.linspace(0.95, 1.0, 10)
    assert not claims.saturated(a, b)
    assert claims.paired(a, b, threshold=0.0).verdict == "holds"


def test_paired_needs_paired_shapes():
    with pytest.raises(ValueError, match="paired by seed"):
        claims.paired(np.ones(10), np.ones(9), threshold=0.0)


def test_decision_text_shows_the_numbers():
    d = claims.decide(synthetic(0.012, 0.01), threshold=0.005, scale=100, unit=" points")
    text = d.text()
    assert "+1.20 points" in text and "10 seeds" in text and "threshold 0.50 points" in text and "95% CI" in text
    assert str(d).startswith(d.verdict)


@pytest.mark.parametrize(
    ("verdicts", "combined"),
    [
        (["holds", "holds"], "holds"),
        (["holds", "holds with caveats"], "holds with caveats"),
        (["holds", "not reproduced here"], "holds with caveats"),
        (["holds", "wrong"], "holds with caveats"),
        (["wrong", "not reproduced here"], "wrong"),
        (["not reproduced here", "not reproduced here"], "not reproduced here"),
        (["right conclusion, wrong reason", "not reproduced here"], "right conclusion, wrong reason"),
    ],
)
def test_combine(verdicts, combined):
    assert claims.combine({str(i): v for i, v in enumerate(verdicts)}) == combined


def test_combine_takes_decisions_and_rejects_nonsense():
    d = claims.decide(synthetic(3.0, 1.0), threshold=0.0)
    assert claims.combine({"depth 2": d, "depth 8": d}) == "holds"
    with pytest.raises(ValueError, match="verdict must be one of"):
        claims.combine({"x": "true"})
    with pytest.raises(ValueError, match="no decisions"):
        claims.combine({})


def test_widened_rebuilds_the_interval_at_the_family_wise_level():
    d = claims.decide(synthetic(1.0, 1.0), threshold=0.5)
    wide = d.widened(8)
    assert wide.confidence == pytest.approx(1 - 0.05 / 8)
    half = stats.t.ppf(1 - 0.025 / 8, 9) / np.sqrt(10)
    assert (wide.low, wide.high) == pytest.approx((1.0 - half, 1.0 + half))
    assert d.widened(1) == d
    assert "99.4% CI" in wide.text()


def test_combine_corrects_for_several_settings():
    # One setting whose 95% interval barely misses zero (mean -0.8, half-width 0.715),
    # seven that contain zero: by itself "wrong", among eight settings "not reproduced here".
    barely = claims.decide(synthetic(-0.8, 1.0), threshold=0.5)
    assert barely.verdict == "wrong"
    null = {f"s{i}": claims.decide(synthetic(0.0, 1.0, seed=i), threshold=0.5) for i in range(7)}
    assert claims.combine({"s": barely}) == "wrong"
    assert claims.combine({**null, "barely": barely}) == "not reproduced here"
    # A clear effect survives the correction.
    clear = claims.decide(synthetic(-3.0, 1.0), threshold=0.5)
    assert claims.combine({**null, "clear": clear}) == "wrong"


@pytest.mark.parametrize(
    ("verdict", "mechanism", "result"),
    [
        ("holds", False, "right conclusion, wrong reason"),
        ("holds with caveats", False, "right conclusion, wrong reason"),
        ("holds", True, "holds"),
        ("not reproduced here", False, "not reproduced here"),
        ("wrong", False, "wrong"),
    ],
)
def test_with_mechanism(verdict, mechanism, result):
    assert claims.with_mechanism(verdict, mechanism_holds=mechanism) == result


@pytest.mark.parametrize(
    ("verdict", "mechanism", "result"),
    [
        ("holds", "holds", "holds"),
        ("holds", "holds with caveats", "holds with caveats"),
        ("holds", "not reproduced here", "holds with caveats"),  # no effect seen: not evidence against
        ("holds with caveats", "not reproduced here", "holds with caveats"),
        ("holds with caveats", "wrong", "right conclusion, wrong reason"),
        ("not reproduced here", "holds", "not reproduced here"),
    ],
)
def test_with_mechanism_takes_the_mechanisms_own_verdict(verdict, mechanism, result):
    assert claims.with_mechanism(verdict, mechanism) == result
    decision = claims.decide(synthetic(3.0 if mechanism == "holds" else -3.0, 1.0), threshold=0.0)
    if mechanism in ("holds", "wrong"):
        assert claims.with_mechanism(verdict, decision) == result


def test_a_mechanism_whose_test_sees_nothing_caps_the_verdict_and_does_not_call_the_reason_wrong():
    unseen = claims.decide(synthetic(0.0, 1.0), threshold=0.0)
    assert unseen.verdict == "not reproduced here"
    assert claims.with_mechanism("holds", unseen) == "holds with caveats"
    against = claims.decide(synthetic(-3.0, 1.0), threshold=0.0)
    assert claims.with_mechanism("holds", against) == "right conclusion, wrong reason"


@pytest.mark.parametrize(
    ("holds", "caveat", "verdict"),
    [(True, False, "holds"), (True, True, "holds with caveats"), (False, False, "wrong"), (False, True, "wrong")],
)
def test_exact_checks(holds, caveat, verdict):
    assert claims.exact(holds, caveat=caveat) == verdict
    assert claims.verdict_from(holds, caveat=caveat) == verdict


# --- record ------------------------------------------------------------------------------------------


def test_record_takes_source_and_wording_from_the_registry():
    c = claims.record("c4-relu-sparsity", "holds", "51% active", glue_values=False, show=False)
    e = REGISTRY["c4-relu-sparsity"]
    assert (c.id, c.source, c.claim, c.verdict, c.evidence) == (e.id, e.source, e.claim, "holds", "51% active")


def test_record_appends_a_decisions_numbers():
    d = claims.decide(synthetic(0.02, 0.01), threshold=REGISTRY["c4-tanh-faster"].threshold)
    c = claims.record("c4-tanh-faster", d, "MNIST-1D, 8 layers", glue_values=False, show=False)
    assert c.verdict == d.verdict and c.evidence == f"MNIST-1D, 8 layers; {d.text()}"
    assert "(because its output has mean zero)" in c._repr_markdown_()


def test_record_refuses_a_threshold_other_than_the_registrys():
    d = claims.decide(synthetic(3.0, 1.0), threshold=REGISTRY["c4-sigmoid-expensive"].threshold + 0.1)
    with pytest.raises(ValueError, match="differs from the one fixed in the registry"):
        claims.record("c4-sigmoid-expensive", d, glue_values=False, show=False)


def test_record_accepts_the_old_call_during_the_migration():
    c = claims.record("c4-relu-sparsity", "000", "old wording", "holds", "e", glue_values=False, show=False)
    assert (c.source, c.claim) == ("003", REGISTRY["c4-relu-sparsity"].claim)
    unknown = claims.record("c9-new", "004", "a claim", "wrong", "e", glue_values=False, show=False)
    assert (unknown.source, unknown.claim) == ("004", "a claim")


@pytest.mark.parametrize(("verdict", "mark"), [(v, m) for v, m in claims.MARKS.items()])
def test_markdown_marks_each_verdict(verdict, mark):
    c = claims.record("c4-relu-sparsity", verdict, "evidence", glue_values=False, show=False)
    assert f"{mark} {verdict}" in c._repr_markdown_() and "source 003" in c._repr_markdown_()


def test_record_rejects_an_unknown_verdict():
    with pytest.raises(ValueError, match="verdict must be one of .*got 'true'"):
        claims.record("c4-relu-sparsity", "true", "e", glue_values=False, show=False)


def test_record_rejects_an_unknown_source_in_the_old_call():
    with pytest.raises(ValueError, match=r"source must be one of 000, 001, 003, 004, course .*got '002'"):
        claims.record("x", "002", "c", "holds", "e", glue_values=False, show=False)


def test_record_names_the_merge_of_a_merged_claim():
    with pytest.raises(KeyError, match="merged into 'c4-tanh-faster'"):
        claims.record("c5-tanh-faster", "holds", "e", glue_values=False, show=False)
    with pytest.raises(KeyError, match="add it to nonlinear/claim_registry.py"):
        claims.record("c9-unknown", "holds", "e", glue_values=False, show=False)


@pytest.mark.parametrize("claim_id", ["", "has space", "tab\there", None])
def test_record_rejects_a_bad_id(claim_id):
    with pytest.raises(ValueError, match="claim_id must be a non-empty key without spaces"):
        claims.record(claim_id, "holds", "e", glue_values=False, show=False)


def test_threshold_and_label():
    assert claims.threshold("c4-sigmoid-expensive") == REGISTRY["c4-sigmoid-expensive"].threshold is not None
    assert claims.label("c4-tanh-faster") == "claim-c4-tanh-faster"
    with pytest.raises(ValueError, match="has no threshold"):
        claims.threshold("c4-relu-sparsity")


def test_glued_text_reads_as_prose():
    plain = claims._Plain("a < b & 'c'")
    assert repr(plain) == "a < b & 'c'"
    assert plain._repr_html_() == "a &lt; b &amp; &#x27;c&#x27;"


def test_record_shows_the_verdict(capsys):
    pytest.importorskip("IPython")
    claims.record("c4-relu-sparsity", "wrong", "it trains anyway", glue_values=False)
    assert "c4-relu-sparsity" not in capsys.readouterr().err


@pytest.mark.parametrize("value", [0.1234, "holds", claims._Plain("a verdict & its evidence"), [1, 2]])
@pytest.mark.parametrize("display", [True, False])
def test_glue_writes_what_myst_nb_glue_writes(monkeypatch, value, display):
    import IPython.display
    import myst_nb.ext.glue as myst_glue

    ours, theirs = [], []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: ours.append((a, k)))
    monkeypatch.setattr(myst_glue, "ipy_display", lambda *a, **k: theirs.append((a, k)))
    claims.glue("key.name", value, display=display)
    myst_glue.glue("key.name", value, display=display)
    assert ours == theirs and len(ours) == 1


@pytest.mark.parametrize("name", ["", "two words", None])
def test_glue_rejects_a_bad_name(name):
    with pytest.raises(ValueError, match="glue name"):
        claims.glue(name, 1.0)


# --- the registry and the pages ------------------------------------------------------------------------


def test_registry_entries_are_well_formed():
    ids = [e.id for e in ENTRIES]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    for e in ENTRIES:
        assert re.fullmatch(r"c[1-7]-[a-z0-9-]+", e.id), e.id
        assert e.sources and all(s in SOURCES for s in e.sources), e.id
        assert e.claim and not e.claim.endswith("."), e.id
        assert (ROOT / f"{e.page}.md").exists(), f"{e.id}: page {e.page}.md does not exist"
        assert e.experiment and e.section, e.id
        assert e.threshold is None or e.threshold >= 0, e.id
    for old, new in MERGED.items():
        assert old not in REGISTRY and new in REGISTRY, (old, new)


RECORD_CALL = re.compile(r"claims\.record\(\s*[\"']([^\"']+)[\"']")
LABEL = re.compile(r"^\((claim-[a-z0-9-]+)\)=\s*$", re.MULTILINE)


def recorded() -> dict[str, list[str]]:
    """claim id → the pages (docnames) whose source calls claims.record for it."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "chapters").rglob("*.md")):
        for claim_id in RECORD_CALL.findall(path.read_text(encoding="utf-8")):
            found.setdefault(claim_id, []).append(path.relative_to(ROOT).with_suffix("").as_posix())
    return found


def test_every_recorded_verdict_has_a_registry_entry():
    unknown = {i: pages for i, pages in recorded().items() if i not in REGISTRY}
    assert not unknown, f"verdicts recorded for claims not in the registry (merged or unregistered): {unknown}"


def test_every_claim_has_exactly_one_verdict_on_its_owning_page():
    found = recorded()
    missing = [i for i in REGISTRY if i not in found]
    twice = {i: p for i, p in found.items() if len(p) > 1}
    elsewhere = {i: p for i, p in found.items() if i in REGISTRY and p != [REGISTRY[i].page]}
    assert not missing, f"claims without a verdict: {missing}"
    assert not twice, f"claims with more than one verdict: {twice}"
    assert not elsewhere, f"verdicts recorded off their owning page: {elsewhere}"


def test_every_claim_has_its_label_on_its_owning_page():
    labels: dict[str, list[str]] = {}
    for path in sorted((ROOT / "chapters").rglob("*.md")):
        for name in LABEL.findall(path.read_text(encoding="utf-8")):
            labels.setdefault(name, []).append(path.relative_to(ROOT).with_suffix("").as_posix())
    wrong = {e.id: labels.get(f"claim-{e.id}") for e in ENTRIES if labels.get(f"claim-{e.id}") != [e.page]}
    assert not wrong, f"each claim needs one (claim-<id>)= label, on its owning page: {wrong}"


def test_the_ledger_page_is_generated_from_the_registry():
    page = (ROOT / "chapters" / "claims.md").read_text(encoding="utf-8")
    assert page == claims.ledger(), "chapters/claims.md is out of date: run python scripts/make_claims_ledger.py"
    for e in ENTRIES:
        assert page.count(f"<claim-{e.id}>") == 1 and page.count(f"::{e.id}.verdict") == 1, e.id


def test_no_page_uses_the_deprecated_calls():
    """record(id, source, claim, verdict, evidence) and verdict_from were kept only while the pages migrated."""
    old_call = re.compile(r"claims\.record\(\s*[\"'][^\"']+[\"']\s*,\s*[\"'](000|001|003|004|course)[\"']")
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "chapters").rglob("*.md"))
        if old_call.search(text := path.read_text(encoding="utf-8")) or "verdict_from(" in text
    ]
    assert not offenders, f"pages still using the old record(...) call or verdict_from: {offenders}"


def test_family_gives_the_intervals_combine_decides_on_and_level_names_them():
    rng = np.random.default_rng(3)
    decisions = {f"setting {i}": claims.decide(rng.normal(0.02, 0.02, 10), threshold=0.05) for i in range(6)}
    decisions["exact"] = claims.HOLDS
    shown = claims.family(decisions)
    assert shown["exact"] == claims.HOLDS
    for name, d in decisions.items():
        if name == "exact":
            continue
        assert shown[name].confidence == pytest.approx(1 - 0.05 / 7)
        assert shown[name].low < d.low and shown[name].high > d.high and shown[name].mean == d.mean
    assert claims.level(shown) == "99.3% CI"
    assert claims.combine(shown) == claims.combine(decisions)  # widening the widened changes nothing
    with pytest.raises(ValueError, match="one confidence level"):
        claims.level({**shown, "plain": decisions["setting 0"]})
    with pytest.raises(ValueError, match="one confidence level"):
        claims.level({"exact": claims.HOLDS})
