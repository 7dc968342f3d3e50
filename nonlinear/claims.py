"""Verdicts on the claims of the sources: decided in code, recorded once, on the page that owns the claim.

The claims themselves (source, section, wording, mechanism, owning page,
threshold) live in :mod:`nonlinear.claim_registry`. A page measures, decides
with the functions below, and calls :func:`record`, which shows the verdict
and *glues* it for the ledger ("Claims of the sources") under
``<id>.claim``, ``<id>.source``, ``<id>.verdict`` and ``<id>.evidence``. Any
other page that touches the claim links to the verdict with
``{ref}`… <claim-<id>>``` instead of judging again.

The verdict scale (rules on the "How verdicts are decided" page):

- **holds**: the evidence supports the claim as stated;
- **holds with caveats**: supported, but smaller, narrower or more conditional than stated;
- **right conclusion, wrong reason**: the effect is there, the mechanism the source gives is not;
- **not reproduced here**: the experiment could not show the effect (absence of evidence, not evidence against);
- **wrong**: evidence against the claim (the interval lies on the other side of zero) or false mathematically.

Comparative claims are decided by :func:`paired` (or :func:`decide` on the
differences): mean paired difference, 95% t-interval, threshold fixed before
looking.

>>> d = decide([0.03, 0.05, 0.04, 0.02, 0.06, 0.04, 0.05, 0.03, 0.04, 0.05], threshold=0.01)
>>> d.verdict
'holds'
>>> with_mechanism(d.verdict, mechanism_holds=False)
'right conclusion, wrong reason'
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from nonlinear.claim_registry import MERGED, REGISTRY, SOURCES, Entry

# The MIME-type prefix under which myst-nb stores a glued value that is not displayed.
GLUE_PREFIX = "application/papermill.record/"

HOLDS, CAVEATS, WRONG_REASON, NOT_REPRODUCED, WRONG = (
    "holds",
    "holds with caveats",
    "right conclusion, wrong reason",
    "not reproduced here",
    "wrong",
)
VERDICTS = (HOLDS, CAVEATS, WRONG_REASON, NOT_REPRODUCED, WRONG)
SUPPORTED = (HOLDS, CAVEATS)
MARKS = {HOLDS: "✔", CAVEATS: "≈", WRONG_REASON: "◐", NOT_REPRODUCED: "?", WRONG: "✘"}

MIN_SEEDS = 10  # paired seeds a comparison needs unless the page shows fewer suffice
CEILING = 0.99  # a task where every run of every arm scores at least this is saturated


class SaturatedTask(ValueError):
    """The task cannot tell the arms apart (all at the ceiling, or no spread): no verdict may rest on it."""


# --- the registry ---------------------------------------------------------------------------------


def entry(claim_id: str) -> Entry:
    """The registry entry of ``claim_id`` (a clear error for a merged or unknown id)."""
    if claim_id in REGISTRY:
        return REGISTRY[claim_id]
    if claim_id in MERGED:
        raise KeyError(
            f"claim {claim_id!r} was merged into {MERGED[claim_id]!r}: link to {{ref}}`claim-{MERGED[claim_id]}`"
        )
    raise KeyError(f"unknown claim {claim_id!r}: add it to nonlinear/claim_registry.py first")


def threshold(claim_id: str) -> float:
    """The threshold fixed for ``claim_id`` in the registry (before any result was seen)."""
    value = entry(claim_id).threshold
    if value is None:
        raise ValueError(f"claim {claim_id!r} has no threshold in the registry; pass one to decide()/paired()")
    return value


def label(claim_id: str) -> str:
    """The MyST label of the section that owns the claim: link to it with ``{ref}`text <claim-ID>```."""
    return f"claim-{entry(claim_id).id}"


# --- deciding ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """A verdict from paired differences ``d`` (positive = the claim's direction).

    ``mean`` = d̄, ``low``/``high`` = d̄ ∓ t₀.₉₇₅,ₙ₋₁ · s/√n, ``threshold`` = δ.
    """

    verdict: str
    mean: float
    low: float
    high: float
    n: int
    threshold: float
    reason: str
    unit: str = ""
    scale: float = 1.0
    confidence: float = 0.95

    def widened(self, settings: int) -> Decision:
        """The same differences decided at the family-wise level of ``settings`` comparisons (Bonferroni).

        The interval is rebuilt at confidence 1 − 0.05/k from the same mean and
        standard error, and the rules of :func:`decide` are applied again.
        """
        from scipy import stats

        if settings < 1:
            raise ValueError(f"settings must be >= 1, got {settings}")
        if settings == 1:
            return self
        level = 1 - (1 - 0.95) / settings
        old = stats.t.ppf(0.5 + self.confidence / 2, self.n - 1)
        new = stats.t.ppf(0.5 + level / 2, self.n - 1)
        half = (self.high - self.low) / 2 * new / old
        low, high = self.mean - half, self.mean + half
        verdict, reason = _classify(low, high, self.threshold)
        return Decision(verdict, self.mean, low, high, self.n, self.threshold, reason, self.unit, self.scale, level)

    def text(self) -> str:
        """'mean paired difference +1.20 (95% CI +0.40 to +2.00; 10 seeds; threshold 0.50)'."""
        s, u = self.scale, self.unit
        return (
            f"mean paired difference {s * self.mean:+.2f}{u} ({100 * self.confidence:.3g}% CI {s * self.low:+.2f} to "
            f"{s * self.high:+.2f}{u}; "
            f"{self.n} seeds; threshold {s * self.threshold:.2f}{u})"
        )

    def __str__(self) -> str:
        return f"{self.verdict}: {self.text()}"


def interval(differences: Iterable[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): the two-sided t-interval of the mean of ``differences``."""
    from scipy import stats

    d = np.asarray(list(differences), dtype=float)
    if d.ndim != 1 or len(d) < 2:
        raise ValueError(f"need at least 2 paired differences, got {d.size}")
    if not np.all(np.isfinite(d)):
        raise ValueError("differences must be finite (a diverged run needs a finite score, e.g. chance accuracy)")
    mean = float(d.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))
    return mean, mean - half, mean + half


def decide(
    differences: Iterable[float],
    threshold: float,
    *,
    min_seeds: int = MIN_SEEDS,
    unit: str = "",
    scale: float = 1.0,
) -> Decision:
    """Decide from paired differences d (oriented so that d > 0 is what the claim says).

    With the 95% interval [lo, hi] and the threshold δ ≥ 0 fixed before looking:
    hi < 0 → wrong; lo > δ → holds; 0 < lo ≤ δ → holds with caveats; otherwise
    (the interval contains 0) → not reproduced here. ``unit``/``scale`` only
    format the text (``scale=100, unit=' points'`` for accuracies).
    """
    d = np.asarray(list(differences), dtype=float)
    if not (isinstance(threshold, (int, float)) and threshold >= 0 and math.isfinite(threshold)):
        raise ValueError(f"threshold must be a finite number >= 0, got {threshold!r}")
    if len(d) < min_seeds:
        raise ValueError(f"{len(d)} paired differences; decide() needs at least min_seeds={min_seeds}")
    if len(d) >= 2 and np.ptp(d) == 0 and d[0] == 0:
        raise SaturatedTask("every paired difference is exactly 0: the task cannot tell the arms apart")
    mean, low, high = interval(d)
    verdict, reason = _classify(low, high, float(threshold))
    return Decision(verdict, mean, low, high, len(d), float(threshold), reason, unit, scale)


def _classify(low: float, high: float, threshold: float) -> tuple[str, str]:
    """The verdict and its reason from an interval [low, high] and the threshold δ (rules in :func:`decide`)."""
    if high < 0:
        return WRONG, "the whole interval lies on the other side of zero"
    if low > threshold:
        return HOLDS, "the whole interval lies beyond the threshold"
    if low > 0:
        return CAVEATS, "the effect is there, but the interval reaches below the threshold"
    if high < threshold and low > -threshold:
        return NOT_REPRODUCED, "the interval contains 0 and excludes an effect as large as the threshold"
    return NOT_REPRODUCED, "the interval contains 0"


def saturated(*arms: Iterable[float], ceiling: float | None = CEILING, floor: float | None = None) -> bool:
    """True when a task cannot separate ``arms``: every value >= ``ceiling``, every value <= ``floor``
    (for example no arm learned beyond chance), or no spread at all."""
    values = np.concatenate([np.asarray(list(a), dtype=float).ravel() for a in arms])
    if values.size == 0:
        raise ValueError("no values")
    at_ceiling = ceiling is not None and bool(np.all(values >= ceiling))
    at_floor = floor is not None and bool(np.all(values <= floor))
    return at_ceiling or at_floor or bool(np.ptp(values) == 0)


def paired(
    a: Iterable[float],
    b: Iterable[float],
    threshold: float,
    *,
    lower_is_better: bool = False,
    ceiling: float | None = CEILING,
    floor: float | None = None,
    min_seeds: int = MIN_SEEDS,
    unit: str = "",
    scale: float = 1.0,
) -> Decision:
    """Decide the claim "arm ``a`` beats arm ``b``" from per-seed scores paired by seed.

    d_i = a_i − b_i (b_i − a_i when ``lower_is_better``), then :func:`decide`.
    Raises :class:`SaturatedTask` when :func:`saturated` (``ceiling=None`` for
    scores that are not accuracies in [0, 1]; ``floor``, e.g. chance accuracy
    plus a margin, when neither arm learning says nothing either).
    """
    a, b = np.asarray(list(a), dtype=float), np.asarray(list(b), dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"a and b must be 1-d and paired by seed, got shapes {a.shape} and {b.shape}")
    if saturated(a, b, ceiling=None if lower_is_better else ceiling, floor=floor):
        raise SaturatedTask(
            f"saturated task: scores range {min(a.min(), b.min()):.3f}–{max(a.max(), b.max()):.3f} "
            "(all at the ceiling, all at the floor, or no spread); no verdict may rest on it"
        )
    d = b - a if lower_is_better else a - b
    return decide(d, threshold, min_seeds=min_seeds, unit=unit, scale=scale)


def combine(decisions: Mapping[str, Decision | str]) -> str:
    """One verdict from several settings (depths, optimisers, tasks), each already decided.

    With k > 1 settings, each :class:`Decision` is first decided again at the
    family-wise level 1 − 0.05/k (:meth:`Decision.widened`, Bonferroni), so that
    one interval among many that misses zero by chance cannot decide the claim.
    Then: all hold → holds; all supported (holds or with caveats) → holds with
    caveats; some supported, others not → holds with caveats (the claim is
    conditional); none supported but some wrong → wrong; none supported or
    wrong but some "right conclusion, wrong reason" → that; otherwise not
    reproduced here.
    """
    if not decisions:
        raise ValueError("no decisions to combine")
    k = len(decisions)
    verdicts = [d.widened(k).verdict if isinstance(d, Decision) and k > 1 else d for d in decisions.values()]
    verdicts = [d.verdict if isinstance(d, Decision) else d for d in verdicts]
    for v in verdicts:
        _check_verdict(v)
    if all(v == HOLDS for v in verdicts):
        return HOLDS
    if any(v in SUPPORTED for v in verdicts):
        return CAVEATS
    if any(v == WRONG for v in verdicts):
        return WRONG
    if any(v == WRONG_REASON for v in verdicts):
        return WRONG_REASON
    return NOT_REPRODUCED


def family(decisions: Mapping[str, Decision | str]) -> dict[str, Decision | str]:
    """The decisions as :func:`combine` judges them: each at the family-wise level 1 − 0.05/k, k = len(decisions).

    Print these next to a combined verdict, not the plain 95% ones; a verdict given as a string (an exact check)
    passes unchanged.
    """
    k = len(decisions)
    return {name: d.widened(k) if isinstance(d, Decision) else d for name, d in decisions.items()}


def level(decisions: Mapping[str, Decision | str]) -> str:
    """The label of the intervals' confidence, e.g. '99.2% CI'; every Decision in ``decisions`` must share it."""
    levels = {f"{100 * d.confidence:.3g}% CI" for d in decisions.values() if isinstance(d, Decision)}
    if len(levels) != 1:
        raise ValueError(f"expected decisions at one confidence level, got {sorted(levels) or 'none'}")
    return levels.pop()


def with_mechanism(verdict: str | Decision, mechanism_holds: bool | str | Decision) -> str:
    """Apply the test of the reason the source gives ("because …") to the verdict on its conclusion.

    ``mechanism_holds`` is a bool (an exact check: False means it fails) or the
    mechanism's own verdict. A supported conclusion whose mechanism fails (False,
    *wrong*) becomes "right conclusion, wrong reason"; a mechanism that holds only
    with caveats, or whose test saw no effect (*not reproduced here*: absence of
    evidence, not evidence against), caps the verdict at "holds with caveats"; any
    other verdict is returned unchanged.
    """
    v = verdict.verdict if isinstance(verdict, Decision) else verdict
    _check_verdict(v)
    m = mechanism_holds.verdict if isinstance(mechanism_holds, Decision) else mechanism_holds
    if isinstance(m, str):
        _check_verdict(m)
        m = HOLDS if m == HOLDS else CAVEATS if m in (CAVEATS, NOT_REPRODUCED) else False
    if v not in SUPPORTED:
        return v
    if m is False or m is None:
        return WRONG_REASON
    return CAVEATS if m == CAVEATS else v


def exact(holds: bool, caveat: bool = False) -> str:
    """Verdict of a claim checked exactly (an identity, a count, a proof): false means false mathematically."""
    if holds:
        return CAVEATS if caveat else HOLDS
    return WRONG


def verdict_from(holds: bool, caveat: bool = False) -> str:
    """Deprecated alias of :func:`exact`; comparative claims must use :func:`paired`/:func:`decide`."""
    return exact(holds, caveat)


def _check_verdict(verdict: str) -> None:
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")


# --- recording ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A recorded verdict, shown on the page as a short box."""

    id: str
    source: str
    claim: str
    verdict: str
    evidence: str
    mechanism: str | None = None

    def _repr_markdown_(self) -> str:
        because = f" (because {self.mechanism})" if self.mechanism else ""
        return (
            f"**Claim** (source {self.source}): {self.claim}{because}  \n"
            f"**Verdict: {MARKS[self.verdict]} {self.verdict}** — {self.evidence}"
        )


class _Plain(str):
    """A string shown as prose: no quotes in plain text, escaped text in HTML (so a pasted glue value reads well)."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return html.escape(str(self))


def glue(name: str, value: Any, display: bool = True) -> None:
    """Store ``value``'s display under ``name`` for the book's ``{glue}`` roles.

    Writes exactly the output that ``myst_nb.glue`` writes (its display data,
    with ``metadata["scrapbook"] = {name, mime_prefix}``), without importing
    myst-nb: the Binder image runs the chapters without the book-building tools.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display as show

    if not isinstance(name, str) or not name or any(ch.isspace() for ch in name):
        raise ValueError(f"glue name must be a non-empty string without spaces, got {name!r}")
    bundle, metadata = format_display_data(value)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    show({prefix + mime: data for mime, data in bundle.items()}, raw=True, metadata=metadata)


def record(claim_id: str, *args: Any, glue_values: bool = True, show: bool = True) -> Claim:
    """Record the one verdict of a registry claim: ``record(claim_id, verdict_or_decision, evidence)``.

    ``verdict_or_decision`` is a verdict of the scale or a :class:`Decision`
    (whose numbers are appended to ``evidence``). The source and the claim's
    wording come from the registry. Shows the verdict and glues it for the ledger.

    Deprecated call, accepted while pages migrate:
    ``record(claim_id, source, claim, verdict, evidence)``; the registry's
    source and wording win when the id is registered.
    """
    if not isinstance(claim_id, str) or not claim_id or any(ch.isspace() for ch in claim_id):
        raise ValueError(f"claim_id must be a non-empty key without spaces, got {claim_id!r}")
    if len(args) == 4:  # the old signature
        source, claim, verdict, evidence = args
        if source not in SOURCES:
            raise ValueError(f"source must be one of {', '.join(SOURCES)} (the files in shared/seeds), got {source!r}")
        known = REGISTRY.get(claim_id)
        source, claim, mechanism = (known.source, known.claim, known.mechanism) if known else (source, claim, None)
    elif len(args) in (1, 2):
        verdict, evidence = args[0], (args[1] if len(args) == 2 else "")
        known = entry(claim_id)
        source, claim, mechanism = known.source, known.claim, known.mechanism
    else:
        raise TypeError("record(claim_id, verdict_or_decision, evidence)")
    if isinstance(verdict, Decision):
        if known is not None and known.threshold is not None and not math.isclose(verdict.threshold, known.threshold):
            raise ValueError(
                f"decision threshold {verdict.threshold} differs from the one fixed in the registry ({known.threshold})"
            )
        evidence = f"{evidence}; {verdict.text()}" if evidence else verdict.text()
        verdict = verdict.verdict
    _check_verdict(verdict)
    result = Claim(claim_id, source, claim, verdict, str(evidence), mechanism)
    if glue_values:
        for field in ("claim", "source", "verdict", "evidence"):
            glue(f"{claim_id}.{field}", _Plain(getattr(result, field)), display=False)
    if show:
        from IPython.display import display

        display(result)
    return result


# --- the ledger ----------------------------------------------------------------------------------------

CHAPTER_TITLES = {
    "1": "What is an activation function?",
    "2": "Why nonlinearity?",
    "3": "Backpropagation from scratch",
    "4": "What makes a good activation?",
    "5": "The classic activations",
    "6": "Modern variants",
    "7": "Choosing in practice",
}

LEDGER_INTRO = """\
# Claims of the sources

The four source articles behind this course make many claims about activation
functions. Each claim is listed here once, with the verdict that the page owning
it computed from its own measurements when the book was built (the heavy runs
and the timings are stored by `make results` and read back). The scale has
five steps: **holds**, **holds with caveats**, **right conclusion, wrong
reason**, **not reproduced here** and **wrong**; {doc}`verdict_rules` states
the rules, and a link after each claim leads to the experiment.

Sources: **000** Jain, *Why must neural networks have activation functions?*
(a Chinese translation); **001** a Chinese blog post on tanh, normalisation and
activation properties; **003** a bilingual copy of Wikipedia's *Rectifier
(neural networks)*; **004** *[AI] Activation functions*, a Chinese blog post.
Claims labelled *This course's question* are questions this course adds
because they are often heard, not claims of a source.

This page is generated from `nonlinear/claim_registry.py` by
`python scripts/make_claims_ledger.py`; edit the registry, not this page.
"""


def ledger() -> str:
    """The Markdown of chapters/claims.md: every registry claim once, its verdict and evidence pasted by glue."""
    lines = [LEDGER_INTRO]
    for chapter, title in CHAPTER_TITLES.items():
        entries = [e for e in REGISTRY.values() if e.chapter == chapter]
        if not entries:
            continue
        lines.append(f"## Chapter {chapter}: {title}\n")
        for e in entries:
            key = f"{e.page.removeprefix('chapters/')}.md::{e.id}"
            because = f" *Because* {e.mechanism}." if e.mechanism else ""
            if e.sources == ("course",):
                where = f"This course's question {e.section}"
            elif len(e.sources) > 1:
                where = f"Sources: {e.section}"
            else:
                where = f"Source {e.source}, {e.section}"
            lines.append(
                f"- **{e.claim}.**{because}  \n"
                f"  {where}. Experiment: {{ref}}`{e.experiment} <claim-{e.id}>`.  \n"
                f"  Verdict: **{{glue}}`{key}.verdict`**. {{glue}}`{key}.evidence`\n"
            )
    return "\n".join(lines)
