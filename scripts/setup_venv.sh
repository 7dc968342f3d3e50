#!/usr/bin/env bash
# Create .venv if it is missing and install requirements-dev.txt into it.
# Idempotent and quick: the install is skipped when a stamp keyed on the hash of
# the requirements files (and pyproject.toml) is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${VENV:-.venv}"

if [ ! -x "$venv/bin/python" ]; then
    if python3.11 -c "" 2>/dev/null; then
        python=python3.11
    else
        python=python3
    fi
    echo "Creating $venv with $($python --version)"
    "$python" -m venv "$venv"
fi

inputs=(requirements.txt requirements-dev.txt)
[ -f pyproject.toml ] && inputs+=(pyproject.toml)
hash="$(cat "${inputs[@]}" | sha256sum | cut -c1-16)"
stamp="$venv/.installed-$hash"

if [ ! -f "$stamp" ]; then
    echo "Installing requirements-dev.txt into $venv"
    "$venv/bin/python" -m pip install --quiet -r requirements-dev.txt
    rm -f "$venv"/.installed-*
    touch "$stamp"
fi
