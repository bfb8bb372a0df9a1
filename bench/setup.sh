#!/usr/bin/env bash
# Install what the benchmark needs: Debian's nginx (the static server of sections 2, 3 and 6)
# and the bench extra (Scrapy) in the project's .venv. Then: .venv/bin/python bench/run.py
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh
# Without nginx the benchmark falls back to a Python server and says so in its table.
apt_install nginx-light || echo "warning: nginx not installed; the benchmark will use its Python static server" >&2
ensure_venv "[bench]"
