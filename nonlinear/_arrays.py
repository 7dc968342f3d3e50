"""Input validation shared by the package: one place that says what an array must be."""

from __future__ import annotations

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def as_float_array(x, name: str = "x", allow_nan: bool = False) -> np.ndarray:
    """Return ``x`` as a float32 or float64 array, or raise a clear error.

    Python numbers, lists and integer arrays become float64; float32 and float64
    arrays are returned unchanged (no copy). Other float dtypes (float16),
    booleans, strings, complex numbers and objects raise ``TypeError``; NaN
    raises ``ValueError`` unless allowed.
    """
    if isinstance(x, np.ndarray):
        array = x
    else:
        try:
            array = np.asarray(x)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name} must be a numpy array of floats, got {type(x).__name__}") from error
    kind = array.dtype.kind
    if kind == "f":
        if array.dtype not in FLOAT_DTYPES:  # float16, longdouble: refuse rather than change the dtype
            raise TypeError(
                f"{name} has dtype {array.dtype}; the package computes in float32 or float64 only "
                "(convert first, e.g. x.astype(np.float32))"
            )
    elif kind in "iu":
        array = array.astype(np.float64)
    else:
        raise TypeError(
            f"{name} must hold real numbers (float32 or float64), got dtype {array.dtype}"
            + (" (booleans are not numbers here: use x.astype(float))" if kind == "b" else "")
        )
    if not allow_nan and np.isnan(array).any():
        where = np.argwhere(np.isnan(array))[0]
        raise ValueError(
            f"{name} contains NaN (first at index {tuple(int(i) for i in where)}); "
            "expected finite numbers. A NaN usually means training diverged earlier."
        )
    return array
