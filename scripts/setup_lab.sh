#!/usr/bin/env bash
# JupyterLab for `make lab`: a double-click on a chapter's .md file opens it as a
# notebook (Jupytext). The setting goes into the environment's own JupyterLab
# settings (<venv>/share/jupyter/lab/settings/overrides.json), not into ~/.jupyter.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${VENV:-.venv}"
settings="$venv/share/jupyter/lab/settings"
mkdir -p "$settings"
cat > "$settings/overrides.json" <<'JSON'
{
  "@jupyterlab/docmanager-extension:plugin": {
    "defaultViewers": {
      "markdown": "Jupytext Notebook",
      "myst": "Jupytext Notebook"
    }
  }
}
JSON
