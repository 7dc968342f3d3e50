"""Shared pytest set-up for the whole suite (markers are declared in pyproject.toml)."""

import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]

# The notebook runner lives in scripts/ (the benchmark uses it too); make it importable.
sys.path.insert(0, str(ROOT / "scripts"))

# Property tests: no per-example deadline (a 2-core CI box is slow and noisy) and
# derandomised, so a run is reproducible and CI never flakes on a new random seed.
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci")
