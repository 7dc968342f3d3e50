"""The contract check that lives beside the project (shared/tools/check_contract.py), when it is there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT.parent / "shared" / "tools" / "check_contract.py"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"


@pytest.mark.skipif(not CHECK.exists(), reason="../shared/tools/check_contract.py is not beside this clone (CI has it)")
def test_package_passes_the_shared_contract_check():
    result = subprocess.run(
        [str(VENV_PYTHON if VENV_PYTHON.exists() else sys.executable), str(CHECK)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert "19 passed, 0 failed" in output, output[-3000:]
    assert result.returncode == 0, output[-3000:]
