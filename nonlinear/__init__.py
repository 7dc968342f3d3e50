"""nonlinear: the helper package of the executable course on activation functions.

Modules: ``activations`` (every activation, its derivative and facts),
``autograd`` (a reverse-mode engine), ``nn`` (layers, losses, optimisers,
training), ``data`` (datasets that need no download), ``experiments`` (the
measurements chapters reuse), ``plotting`` (the house style), ``checks``
(exercise checkers), ``claims`` (verdicts on the sources' claims) and
``reference`` (the PyTorch counterparts used for comparison).
"""

__version__ = "0.1.0"

from . import timing  # noqa: E402, F401  (gives a pandas Styler the text of its table; see timing.py)
