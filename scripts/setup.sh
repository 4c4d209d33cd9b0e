#!/usr/bin/env bash
# Create .venv and install Workbench with its pinned dependencies (offline at run time).
# Usage: scripts/setup.sh [--test]   (--test also installs the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
BERTOPIC_VERSION=0.17.4
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"
fingerprint=$(cat pyproject.toml scripts/setup.sh | sha1sum | cut -c1-12)
stamp=".venv/.installed${extras:+-test}-${fingerprint}"
# the test install is a superset of the plain one
if [ -f "$stamp" ] || { [ -z "$extras" ] && [ -f ".venv/.installed-test-${fingerprint}" ]; }; then exit 0; fi
if [ ! -x .venv/bin/python ]; then
  echo "workbench setup: creating .venv" >&2
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24" >&2
echo "workbench setup: installing workbench${extras} and pinned dependencies" >&2
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}" >&2
# bertopic without its declared sentence-transformers/torch dependency (see DEPENDENCIES.md)
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps "bertopic==${BERTOPIC_VERSION}" >&2
# compile once what every new process would otherwise compile again: UMAP's numba code
# (numba's on-disk cache) and the French tokenizer's big pattern (workbench.nlp's cache)
echo "workbench setup: compiling UMAP and the French tokenizer once (kept in caches)" >&2
.venv/bin/python -c "from workbench.topics._bertopic import warm_up; warm_up()
from workbench.nlp import lemma_pipeline; lemma_pipeline()" >&2 \
  || echo "workbench setup: warm-up skipped (topic runs will compile on first use)" >&2
rm -f .venv/.installed*
touch "$stamp"
echo "workbench setup: done" >&2
