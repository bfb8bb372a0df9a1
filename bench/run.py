"""Run the benchmark: every section, a table of figures beside their targets, and the figures as JSON.

    .venv/bin/python bench/run.py            # the full run (see bench/README.md)
    .venv/bin/python bench/run.py --quick    # small inputs, about a minute: keeps the script working
    .venv/bin/python bench/run.py --only 1,3 # some sections

Exit status: 0 when every section ran (missed targets are reported, not failures), 2 when a
section could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` and `repapp` importable from the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DATA_DIR, RESULTS_DIR, Figure, machine  # noqa: E402

SECTIONS = {
    "1": "extraction vs the parse limit",
    "2": "end-to-end scraping vs Scrapy",
    "3": "re-reading an unchanged thread",
    "4": "storing posts",
    "5": "growth with data",
    "6": "under load",
}


def _simple(number: str, quick: bool) -> list[Figure]:
    """Run one of the self-contained sections 1 to 4."""
    from bench import e2e, extraction, reread, store

    return {"1": extraction, "2": e2e, "3": reread, "4": store}[number].run(quick=quick)


def run_sections(chosen: list[str], quick: bool, log=print) -> tuple[list[Figure], list[str]]:
    """Run the chosen sections in order; return their figures and the sections that failed."""
    figures: list[Figure] = []
    failed: list[str] = []
    agency_sections = [n for n in chosen if n in ("5", "6")]
    with tempfile.TemporaryDirectory(prefix="scratch-", dir=_data_dir()) as scratch:
        prepared = None
        for number in chosen:
            log(f"[{number}] {SECTIONS[number]} …")
            started = time.perf_counter()
            try:
                if number in agency_sections:
                    if prepared is None:
                        prepared = _prepare_agency(Path(scratch), quick, log)
                    figures += _agency_section(number, quick, prepared)
                else:
                    figures += _simple(number, quick)
            except Exception as error:  # one broken section must not hide the others' figures
                failed.append(number)
                traceback.print_exc()
                figures.append(Figure(f"{number} {SECTIONS[number]}", "section failed", None,
                                      note=f"{type(error).__name__}: {error}"[:300], ok=False))
            log(f"    done in {time.perf_counter() - started:.0f} s")
    return figures, failed


def _data_dir() -> Path:
    """Return the cache folder (scratch copies of the agency go there, on the same disk)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return DATA_DIR


def _prepare_agency(scratch: Path, quick: bool, log) -> tuple:
    """Generate (or reuse) the agency and make scratch copies for sections 5 and 6."""
    from bench import growth

    (scratch / "large").mkdir()
    (scratch / "small").mkdir()
    return growth.prepare(quick, scratch, log=log)


def _agency_section(number: str, quick: bool, prepared: tuple) -> list[Figure]:
    """Run section 5 or 6 on the prepared agency (6 writes to the large copy, so it runs last)."""
    from bench import growth, load

    large, small, large_db, small_db = prepared
    if number == "5":
        return growth.run(quick, large, small, large_db, small_db)
    return load.run(quick, large, large_db)


def _value(figure: Figure) -> str:
    """Format a figure's value for the table."""
    value = figure.value
    if value is None:
        return "—"
    if figure.unit == "x":
        return f"{value:.2f}x"
    text = f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:.2f}"
    return f"{text} {figure.unit}".strip()


def table(figures: list[Figure]) -> str:
    """Return the figures as a plain-text table, grouped by section."""
    rows = [("figure", "value", "target", "", "note")]
    section = None
    for figure in figures:
        if figure.section != section:
            section = figure.section
            rows.append((f"== {section}", "", "", "", ""))
        verdict = {True: "met", False: "MISSED", None: ""}[figure.ok]
        rows.append((figure.name, _value(figure), figure.target, verdict, figure.note))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for row in rows:
        cells = [row[i].ljust(widths[i]) if i != 1 else row[i].rjust(widths[i]) for i in range(4)]
        lines.append("  ".join(cells + [row[4]]).rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run, print the table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small inputs and few rounds (about a minute)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections to run, e.g. 1,3 (default: all)")
    parser.add_argument("--json", type=Path, help="where to write the figures (default: bench/results/)")
    args = parser.parse_args(argv)
    chosen = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {unknown[0]} (known: {', '.join(SECTIONS)})")
    started_at = datetime.now(UTC)
    about = machine()
    print(f"repapp benchmark{' (quick)' if args.quick else ''}: {about['cpu']}, {about['cpus']} CPUs, "
          f"{about['memory']}, Python {about['python']}, load {about['load_at_start']:.2f}", flush=True)
    figures, failed = run_sections(chosen, args.quick, log=lambda text: print(text, flush=True))
    print()
    print(table(figures))
    missed = [f for f in figures if f.ok is False]
    print(f"\n{sum(f.ok is True for f in figures)} targets met, {len(missed)} missed"
          + (f", sections failed: {', '.join(failed)}" if failed else ""))
    result = {"started_at": started_at.isoformat(), "seconds": (datetime.now(UTC) - started_at).total_seconds(),
              "quick": args.quick, "sections": chosen, "failed_sections": failed, "machine": about,
              "figures": [f.as_dict() for f in figures]}
    path = args.json or RESULTS_DIR / f"{started_at:%Y%m%d-%H%M%S}{'-quick' if args.quick else ''}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    if args.json is None:
        (RESULTS_DIR / f"latest{'-quick' if args.quick else ''}.json").write_text(path.read_text())
    print(f"figures written to {path}")
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
