"""Heavy experiments: registered once, run by ``make results``, loaded by the pages.

>>> from nonlinear import study
>>> results = study.load("ch4-centring")          # doctest: +SKIP
>>> results.values("test_accuracy", activation="tanh", depth=8)   # one value per seed   # doctest: +SKIP
>>> study.rerun("ch4-centring", seeds=[0])        # recompute seed 0 from scratch        # doctest: +SKIP

Experiments live in one module per chapter (``nonlinear/study/ch4.py`` …);
the machinery is in :mod:`nonlinear.study.store`.
"""

from nonlinear.study.store import (
    Experiment,
    Results,
    StaleResults,
    experiment,
    experiments,
    get,
    grid,
    is_fresh,
    load,
    rerun,
    run,
)

__all__ = [
    "Experiment",
    "Results",
    "StaleResults",
    "experiment",
    "experiments",
    "get",
    "grid",
    "is_fresh",
    "load",
    "rerun",
    "run",
]
