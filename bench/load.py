"""Section 6: under load, on the 1M-post agency while the worker scrapes.

The app runs in its own process (waitress, 8 threads) and the worker in another, reading the
generated forum on the local static server for the client whose inbox is loaded, so new posts
land in it during the run. Concurrent logged-in users (each their own session over HTTP on
127.0.0.1) request without pause: representatives their inbox, PR specialists the client's
targets view. The load is bounded twice, by time and by a request budget.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from repapp.extensions import db
from repapp.models import WatchedThread

from .appdb import make_app, watch_threads
from .browser import logged_in_http
from .common import BENCH_DIR, DATA_DIR, Figure, median, p95
from .dataset import PASSWORD, Agency
from .server import StaticServer, _wait_listening, free_port
from .site import SiteShape, write_site

SECTION = "6 under load"


def run(quick: bool, agency: Agency, database: Path) -> list[Figure]:
    """Load the inbox and targets view while the worker scrapes; return throughput, p95 and errors."""
    seconds, budget = (4, 300) if quick else (30, 20_000)
    reps, managers = (2, 1) if quick else (6, 2)
    shape = SiteShape(threads=6, pages=2) if quick else SiteShape(threads=100, pages=3)
    with tempfile.TemporaryDirectory(prefix="repapp-bench-load-") as tmp:
        root = Path(tmp)
        write_site(root / "site", shape)
        with StaticServer(root / "site") as static:
            _watch(database, static.base_url, shape, agency)
            port = free_port()
            web = _start("web", database, str(port))
            worker = None
            try:
                _wait_listening(port, timeout=60)
                base = f"http://127.0.0.1:{port}"
                users = [("rep", f"rep{n:02d}@bench.repapp", "/inbox") for n in range(1, reps + 1)]
                users += [("pr", email, f"/kpi/clients/{agency.client_slug}?month={agency.anchor:%Y-%m}")
                          for email in ("pr@bench.repapp", "admin@bench.repapp")[:managers]]
                sessions = [(role, logged_in_http(base, email, PASSWORD), path) for role, email, path in users]
                worker = _start("worker", database, static.base_url)
                time.sleep(1.0)  # the worker is reading before the first timed request
                results = _load(sessions, seconds, budget)
            finally:
                worker_figures = _stop(worker, want_output=True) if worker else {}
                _stop(web)
            served_by = static.description
    return _figures(results, worker_figures, reps, managers, seconds, budget, served_by)


def _watch(database: Path, base_url: str, shape: SiteShape, agency: Agency) -> None:
    """Watch the generated threads for the measured client; park the agency's own (fictitious) threads."""
    app = make_app(database, DATA_DIR / "instance")
    with app.app_context():
        # The agency's threads point at forums that do not exist: the worker must not try them.
        db.session.execute(update(WatchedThread).values(next_run_at=datetime.now(UTC) + timedelta(days=365)))
        watch_threads(db.session, base_url, range(1, shape.threads + 1), client_slug=agency.client_slug)
        db.session.remove()
        db.engine.dispose()


def _start(role: str, database: Path, argument: str) -> subprocess.Popen:
    """Start the web app or the worker in its own process."""
    return subprocess.Popen([sys.executable, "-m", "bench.load_procs", role, str(database), str(DATA_DIR / "instance"),
                             argument], cwd=BENCH_DIR.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _stop(process: subprocess.Popen, *, want_output: bool = False) -> dict:
    """Stop a process this section started (SIGTERM, then SIGKILL); return its JSON line if asked."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
    if not want_output:
        return {}
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"the worker printed no figures: {err[-2000:]}")
    return json.loads(lines[-1])


def _load(sessions: list, seconds: float, budget: int) -> dict:
    """Run every user in its own thread until the time or the request budget runs out."""
    lock = threading.Lock()
    results: dict[str, list] = {"rep": [], "pr": [], "errors": []}
    left = [budget]
    deadline = time.perf_counter() + seconds

    def user(role: str, client, path: str) -> None:
        while time.perf_counter() < deadline:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            started = time.perf_counter()
            try:
                answer = client.get(path)
                status = answer.status_code
            except Exception as error:  # an error is a figure here, not a reason to stop
                status = repr(error)
            elapsed = time.perf_counter() - started
            with lock:
                results[role].append(elapsed)
                if status != 200:
                    results["errors"].append(f"{path}: {status}")

    threads = [threading.Thread(target=user, args=s, daemon=True) for s in sessions]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results["wall"] = time.perf_counter() - started
    for _role, client, _path in sessions:
        client.close()
    return results


def _figures(results: dict, worker: dict, reps: int, managers: int, seconds: float, budget: int,
             served_by: str) -> list[Figure]:
    """Turn the load's timings and the worker's counts into figures."""
    everything = results["rep"] + results["pr"]
    wall, errors = results["wall"], results["errors"]
    setup = (f"{reps} representatives on the inbox + {managers} PR on the targets view, {wall:.0f} s "
             f"(limit {seconds} s / {budget} requests), app: waitress 8 threads")
    figures = [Figure(SECTION, "requests/s (all users)", len(everything) / wall, "req/s", note=setup,
                      detail={"requests": len(everything), "wall": wall})]
    for role, label in (("rep", "inbox"), ("pr", "targets view")):
        times = results[role]
        figures.append(Figure(SECTION, f"{label}: p95 latency", p95(times) * 1e3 if times else None, "ms",
                              note=f"{len(times)} requests, median {median(times) * 1e3:.0f} ms" if times else "",
                              detail={"requests": len(times)}))
    figures.append(Figure(SECTION, "errors (non-200 or failed requests)", len(errors), "errors", "= 0", not errors,
                          "; ".join(sorted(set(errors))[:3]), {"errors": errors[:20]}))
    figures.append(Figure(SECTION, "worker meanwhile: thread reads", worker.get("reads"), "reads",
                          note=f"{worker.get('requests')} requests to {served_by}, {worker.get('failed')} failed",
                          detail=worker))
    return figures
