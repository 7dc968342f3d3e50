"""claims.record validates its input; verdict_from turns measured booleans into a verdict."""

from __future__ import annotations

import pytest

from nonlinear import claims


@pytest.mark.parametrize(
    ("holds", "caveat", "verdict"),
    [(True, False, "holds"), (True, True, "holds with caveats"), (False, False, "wrong"), (False, True, "wrong")],
)
def test_verdict_from(holds, caveat, verdict):
    assert claims.verdict_from(holds, caveat=caveat) == verdict
    assert verdict in claims.VERDICTS


def test_record_returns_the_claim():
    c = claims.record(
        "c5-relu-cheap",
        "000",
        "ReLU is cheap",
        claims.verdict_from(True),
        "0.4 ns per element",
        glue_values=False,
        show=False,
    )
    assert (c.id, c.source, c.claim, c.verdict, c.evidence) == (
        "c5-relu-cheap",
        "000",
        "ReLU is cheap",
        "holds",
        "0.4 ns per element",
    )
    markdown = c._repr_markdown_()
    assert "source 000" in markdown and "Verdict: ✔ holds" in markdown and "0.4 ns per element" in markdown


@pytest.mark.parametrize(("verdict", "mark"), [("holds with caveats", "≈"), ("wrong", "✘")])
def test_markdown_marks_each_verdict(verdict, mark):
    c = claims.record("x", "003", "a claim", verdict, "evidence", glue_values=False, show=False)
    assert f"{mark} {verdict}" in c._repr_markdown_()


def test_record_rejects_an_unknown_source():
    with pytest.raises(ValueError, match=r"source must be one of 000, 001, 003, 004 .*got '002'"):
        claims.record("x", "002", "c", "holds", "e", glue_values=False, show=False)


def test_record_rejects_an_unknown_verdict():
    with pytest.raises(ValueError, match="verdict must be one of .*got 'true'"):
        claims.record("x", "000", "c", "true", "e", glue_values=False, show=False)


@pytest.mark.parametrize("claim_id", ["", "has space", "tab\there"])
def test_record_rejects_a_bad_id(claim_id):
    with pytest.raises(ValueError, match="claim_id must be a non-empty key without spaces"):
        claims.record(claim_id, "000", "c", "holds", "e", glue_values=False, show=False)


def test_glued_text_reads_as_prose():
    plain = claims._Plain("a < b & 'c'")
    assert repr(plain) == "a < b & 'c'"
    assert plain._repr_html_() == "a &lt; b &amp; &#x27;c&#x27;"


def test_record_shows_the_verdict(capsys):
    pytest.importorskip("IPython")
    claims.record("shown", "001", "tanh needs centred data", "wrong", "it trains anyway", glue_values=False)
    assert "shown" not in capsys.readouterr().err


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
