"""Hypothesis strategies shared by the property tests, and the CI profile they run under.

The profile ("ci": no deadline, derandomised) is registered in ``tests/conftest.py``;
this module registers the same profile only when it is imported without that
conftest (a file run on its own), so there is one definition in practice.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra import numpy as hnp

try:
    settings.get_profile("ci")
except InvalidArgument:  # conftest.py did not run: register the same profile here
    settings.register_profile(
        "ci", deadline=None, derandomize=True, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.load_profile("ci")

# Examples per property test: enough to find a counterexample to a wrong claim,
# few enough that the whole suite stays under two minutes on two cores.
EXAMPLES = 60


def floats(min_value: float = -1e300, max_value: float = 1e300) -> st.SearchStrategy[float]:
    """Finite float64 values (no NaN, no infinity), over a wide range by default."""
    return st.floats(min_value=min_value, max_value=max_value, allow_nan=False, allow_infinity=False, width=64)


def moderate_floats(bound: float = 50.0) -> st.SearchStrategy[float]:
    """Finite float64 values in [-bound, bound], where derivatives are not all exactly 0 or 1."""
    return floats(-bound, bound)


def arrays(
    shape=None,
    min_value: float = -1e3,
    max_value: float = 1e3,
    min_side: int = 1,
    max_side: int = 6,
    min_dims: int = 1,
    max_dims: int = 3,
) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of finite values; a random shape unless ``shape`` is given."""
    shapes = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)
    return hnp.arrays(np.float64, shape if shape is not None else shapes, elements=floats(min_value, max_value))


def pairs(min_value: float = -1e6, max_value: float = 1e6) -> st.SearchStrategy[tuple[float, float]]:
    """Two finite floats, sorted (a <= b)."""
    return st.tuples(floats(min_value, max_value), floats(min_value, max_value)).map(sorted).map(tuple)
