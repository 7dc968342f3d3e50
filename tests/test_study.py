"""The results store: register, run, save, load (refusing stale results), rerun; and every stored experiment reproduces.

The machinery is tested on a toy experiment written to a temporary folder. The
last test reruns the first seed of every registered experiment (on its
cheapest config) and compares with ``assets/results/``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from nonlinear import study
from nonlinear.study import store


def toy(config, seed):
    rng = np.random.default_rng([seed, config["scale"]])
    x = rng.normal(size=50) * config["scale"]
    return {"mean": x.mean(), "std": x.std(), "curve": np.cumsum(x[:5]), "n": 50}


@pytest.fixture()
def toy_store(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "RESULTS_DIR", tmp_path)
    monkeypatch.setattr(store, "_EXPERIMENTS", {})
    study.experiment("toy", configs=study.grid(scale=[1, 3]), seeds=range(4), description="a toy")(toy)
    return tmp_path


def test_grid_lists_every_combination():
    assert study.grid(a=[1, 2], b=["x"]) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]


def test_run_saves_per_seed_results_with_environment_and_fingerprint(toy_store):
    walls = study.run(["toy"], jobs=1, progress=False)
    assert set(walls) == {"toy", "total"}
    stored = json.loads((toy_store / "toy.json").read_text())
    assert len(stored["runs"]) == 8 and stored["seeds"] == [0, 1, 2, 3]
    assert {"python", "numpy", "torch", "platform", "cpu_count"} <= set(stored["environment"])
    assert stored["wall_time_s"] >= 0 and len(stored["fingerprint"]) == 64
    assert "nonlinear/activations.py" in stored["code_files"] and "tests/test_study.py" in stored["code_files"]
    results = study.load("toy")
    assert results.values("mean", scale=3) == pytest.approx([toy({"scale": 3}, s)["mean"] for s in range(4)])
    assert results.seeds(scale=1) == [0, 1, 2, 3]
    table = results.table()
    assert list(table.columns) == ["scale", "seed", "mean", "std", "n"] and len(table) == 8


def test_values_needs_one_config_per_seed(toy_store):
    study.run(["toy"], jobs=1, progress=False)
    with pytest.raises(ValueError, match="several configs per seed"):
        study.load("toy").values("mean")
    with pytest.raises(KeyError, match="no run matches"):
        study.load("toy").values("mean", scale=2)


def test_parallel_run_stores_what_a_serial_rerun_computes(toy_store):
    study.run(["toy"], jobs=2, progress=False)
    stored = study.load("toy")
    again = study.rerun("toy", seeds=[2], where={"scale": 3})
    assert [r["metrics"] for r in again.runs] == [r["metrics"] for r in stored.select(scale=3) if r["seed"] == 2]


def test_load_refuses_missing_results_naming_the_command(toy_store):
    with pytest.raises(study.StaleResults, match="no stored results for 'toy'.*make results NAME=toy"):
        study.load("toy")


def test_load_refuses_results_of_another_config(toy_store):
    study.run(["toy"], jobs=1, progress=False)
    assert study.is_fresh("toy")
    study.experiment("toy", configs=study.grid(scale=[1, 4]), seeds=range(4))(toy)
    with pytest.raises(study.StaleResults, match="stale.*make results NAME=toy"):
        study.load("toy")
    assert not study.is_fresh("toy")


def edited(monkeypatch, addition: str) -> None:
    """Make nn.py read as itself plus ``addition`` (the file is not touched)."""
    original = store.Path.read_text
    monkeypatch.setattr(
        store.Path,
        "read_text",
        lambda self, *args, **kwargs: original(self, *args, **kwargs) + (addition if self.name == "nn.py" else ""),
    )


def test_load_refuses_results_of_other_code(toy_store, monkeypatch):
    study.run(["toy"], jobs=1, progress=False)
    edited(monkeypatch, "\nEDITED = 1\n")
    with pytest.raises(study.StaleResults, match="code or config changed"):
        study.load("toy")


@pytest.mark.parametrize(
    "addition",
    ["\n# a new comment\n", "\n\n\n", '\nclass Later:\n    """A docstring."""\n'],
    ids=["comment", "blank lines", "class"],
)
def test_a_comment_or_blank_lines_leave_the_results_fresh_but_new_code_does_not(toy_store, monkeypatch, addition):
    study.run(["toy"], jobs=1, progress=False)
    edited(monkeypatch, addition)
    if addition.strip().startswith("#") or not addition.strip():
        study.load("toy")  # fresh
    else:
        with pytest.raises(study.StaleResults):
            study.load("toy")  # a class is code, even one whose body is only its docstring


def test_code_text_drops_docstrings_comments_and_blank_lines_only():
    source = (
        '"""Module docstring, with a non-ASCII sign: \u2212."""\n\n'
        "import math  # a comment after code\n\n\n"
        "def f(x):\n"
        '    """f\'s docstring\n\n    over two lines: \u00d7."""\n'
        "    s = '\u00e9 # not a comment'  # but this is\n"
        '    return s, "text"  \n'
        'class A: "\u00fc docstring"; y = "\u00e9"  # comment\n'
    )
    assert store.code_text(source).splitlines() == [
        "import math",
        "def f(x):",
        "    s = '\u00e9 # not a comment'",
        '    return s, "text"',
        'class A: ; y = "\u00e9"',
    ]
    assert store.code_text(source.replace("f's docstring", "another docstring")) == store.code_text(source)
    assert store.code_text(source.replace("return s,", "return x,")) != store.code_text(source)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            'x = 1\n\x0c\ndef f():\n    """doc"""\n    return 2\n',
            'x = 1\n\x0c\ndef g():\n    """doc"""\n    return 2\n',
        ),
        ('s = """a\n\nb"""\n', 's = """a\nb"""\n'),
        ('s = """a  \nb"""\n', 's = """a\nb"""\n'),
        (
            'def f():\n    """long\n\n    doc"""\n    s = """x\n\n    y"""\n',
            'def f():\n    """long\n\n    doc"""\n    s = """x\n    y"""\n',
        ),
    ],
    ids=["form feed before code", "blank line in a string", "trailing spaces in a string", "string after a docstring"],
)
def test_code_text_sees_every_change_to_code_and_strings(before, after):
    """Lines are counted at newlines only, as ast and tokenize count them, and a multi-line string is kept as written."""
    assert store.code_text(before) != store.code_text(after)


def test_run_stores_the_fingerprint_of_the_code_it_started_with(toy_store, monkeypatch):
    """Code edited while the runs execute is not the code that produced them: the stored results must read stale."""
    values = iter(["at the start", "after an edit", "later"])
    monkeypatch.setattr(store.Experiment, "fingerprint", lambda self: next(values))
    study.run(["toy"], jobs=1, progress=False)
    assert json.loads((toy_store / "toy.json").read_text())["fingerprint"] == "at the start"


def test_run_without_names_skips_fresh_results(toy_store):
    study.run(jobs=1, progress=False)
    created = (toy_store / "toy.json").stat().st_mtime_ns
    assert study.run(jobs=1, progress=False) == {"total": pytest.approx(0, abs=1.0)}
    assert (toy_store / "toy.json").stat().st_mtime_ns == created
    assert "toy" in study.run(jobs=1, force=True, progress=False)


def test_registration_errors(toy_store):
    with pytest.raises(ValueError, match="without spaces"):
        study.experiment("a b", configs=[{}], seeds=[0])(toy)
    with pytest.raises(ValueError, match="at least one config"):
        study.experiment("empty", configs=[], seeds=[0])(toy)
    with pytest.raises(TypeError):
        study.experiment("bad-config", configs=[{"f": object()}], seeds=[0])(toy)
    with pytest.raises(KeyError, match="no experiment named 'nope'"):
        study.load("nope")
    with pytest.raises(ValueError, match="no config of 'toy' matches"):
        study.rerun("toy", seeds=[0], where={"scale": 9})


def test_an_experiment_must_return_numbers(toy_store):
    study.experiment("strings", configs=[{}], seeds=[0])(lambda c, s: {"x": object()})
    with pytest.raises(TypeError, match="metric values must be numbers"):
        study.rerun("strings")


def test_command_line_lists_experiments(toy_store, capsys):
    from nonlinear.study.__main__ import main

    main(["--list"])
    assert "toy" in capsys.readouterr().out


def test_a_run_on_another_blas_kernel_stops_and_says_what_to_set(toy_store, monkeypatch):
    """On x86-64 only the pinned OpenBLAS kernel may run an experiment: another one sums in another order."""
    monkeypatch.setattr(store, "blas_kernel", lambda: "SkylakeX")
    monkeypatch.setattr(store.platform, "machine", lambda: "x86_64")
    with pytest.raises(store.WrongBlasKernel, match=f"OPENBLAS_CORETYPE={store.BLAS_KERNEL}"):
        study.rerun("toy", seeds=[0])
    monkeypatch.setattr(store.platform, "machine", lambda: "aarch64")  # no x86 kernels there: the machine's own
    assert len(study.rerun("toy", seeds=[0]).runs) == 2


def test_the_makefile_exports_the_kernel_the_store_pins():
    makefile = (store.ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"export OPENBLAS_CORETYPE := {store.BLAS_KERNEL}\n" in makefile


# --- the real store ---------------------------------------------------------------------------------------

REGISTERED = sorted(study.experiments())


@pytest.mark.parametrize("name", REGISTERED)
def test_stored_results_are_fresh_and_reproduce(name):
    """Rerun the first stored seed of the experiment's first config from scratch; it must match the store."""
    exp = study.get(name)
    stored = study.load(name)  # fails if missing or stale: run `make results`
    seed, config = exp.seeds[0], exp.configs[0]
    again = study.rerun(name, seeds=[seed], where=config).runs[0]["metrics"]
    before = next(r for r in stored.runs if r["seed"] == seed and r["config"] == config)["metrics"]
    assert again.keys() == before.keys()
    if exp.clock:  # a clock measurement: another run gives other times, of the same kind
        assert stored.info["clock"] is True and len(stored.runs) == len(exp.tasks())
        for key in before:
            assert np.all(np.isfinite(again[key])) and np.all(np.asarray(again[key]) > 0), key
        return
    assert stored.info["environment"].get("blas_kernel") == store.BLAS_KERNEL, "stored with another OpenBLAS kernel"
    for key in before:
        np.testing.assert_allclose(
            np.asarray(again[key], float), np.asarray(before[key], float), rtol=1e-6, err_msg=key
        )
