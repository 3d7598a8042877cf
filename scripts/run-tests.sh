#!/usr/bin/env bash
# Runs the test suite with the servers it needs. PostgreSQL tests start their own cluster on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts
export PYTHONDONTWRITEBYTECODE=1
exec .venv/bin/python -m pytest -q -p no:cacheprovider --durations=15 "$@"
