#!/usr/bin/env bash
# Install node_modules/ from package-lock.json: the libraries the site serves
# itself (MathJax, RequireJS, the ipywidgets HTML manager) and axe-core for the
# accessibility tests. Skipped when a stamp keyed on the lock file's hash is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null; then
    echo "npm is missing: install Node.js 18 or newer (Debian: apt-get install nodejs npm)" >&2
    exit 1
fi
hash="$(sha256sum package-lock.json | cut -c1-16)"
stamp="node_modules/.installed-$hash"
if [ ! -f "$stamp" ]; then
    echo "Installing node_modules from package-lock.json"
    npm ci --no-audit --no-fund --loglevel=error
    touch "$stamp"
fi
