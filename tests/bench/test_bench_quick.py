"""The benchmark's quick mode runs every section and writes a figure for each (the numbers are not judged)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support.pg_fixtures import SUITE_ON_POSTGRES

REPO = Path(__file__).resolve().parents[2]
SECTIONS = ("1", "2", "3", "4", "5", "6")

pytestmark = [
    pytest.mark.skipif(SUITE_ON_POSTGRES, reason="the benchmark brings its own SQLite databases; once is enough"),
    pytest.mark.timeout(240),
]


def test_quick_run_writes_every_sections_figures(tmp_path):
    """`bench/run.py --quick` exits 0 and its JSON has non-null figures for all six sections."""
    pytest.importorskip("scrapy", reason="the bench extra is not installed (pip install -e '.[bench]')")
    output = tmp_path / "figures.json"
    done = subprocess.run([sys.executable, "bench/run.py", "--quick", "--json", str(output)], cwd=REPO,
                          capture_output=True, text=True, timeout=200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(output.read_text())
    assert result["failed_sections"] == []
    figures = result["figures"]
    by_section = {number: [f for f in figures if f["section"].startswith(f"{number} ")] for number in SECTIONS}
    assert all(by_section.values()), {n: len(f) for n, f in by_section.items()}
    assert [f["name"] for f in figures if f["value"] is None] == []
    assert all(f["ok"] in (True, False) for f in figures if f["target"]), "a figure with a target was not judged"
    assert "targets met" in done.stdout and "== 6 under load" in done.stdout
