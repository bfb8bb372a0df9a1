"""The two processes of section 6, each run as `python -m bench.load_procs web|worker …`.

- web: the app served by waitress on 127.0.0.1, as `repapp serve` does (8 threads).
- worker: the worker's scraping job (`scrape_due_threads`, batches of 20, politeness off) in a
  loop until stopped; when every thread has been read it makes them due again, so the worker
  keeps reading (conditional re-reads) for as long as the load lasts. Prints its figures as JSON.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

from .appdb import definition, fetcher_for, make_app


def web(database: Path, instance: Path, port: int) -> None:
    """Serve the app until killed."""
    from waitress import serve

    app = make_app(database, instance)
    serve(app, host="127.0.0.1", port=port, threads=8, ident="repapp", _quiet=True)


def worker(database: Path, instance: Path, base_url: str) -> None:
    """Scrape the bench forum's threads until SIGTERM; print requests, threads read and failures."""
    from sqlalchemy import update

    from repapp.extensions import db
    from repapp.models import WatchedThread, utcnow
    from repapp.scraping.jobs import scrape_due_threads

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    app = make_app(database, instance)
    definitions = {"bench-local": definition(base_url)}
    figures = {"requests": 0, "reads": 0, "failed": 0, "passes": 0, "errors": []}
    started = time.perf_counter()
    with app.app_context(), fetcher_for(base_url) as fetcher:
        while not stopping:
            outcomes = scrape_due_threads(db.session, definitions, fetcher, batch=20)
            if not outcomes:
                figures["passes"] += 1
                db.session.execute(update(WatchedThread).where(WatchedThread.url.startswith(base_url.rstrip("/")))
                                   .values(next_run_at=utcnow()))
                db.session.commit()
                continue
            figures["reads"] += len(outcomes)
            figures["requests"] += sum(o.result.requests for o in outcomes if o.ok and o.result)
            failed = [o for o in outcomes if not o.ok]
            figures["failed"] += len(failed)
            figures["errors"] += [str(o.error) for o in failed[:3]]
    figures["wall"] = time.perf_counter() - started
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    role, *args = sys.argv[1:]
    if role == "web":
        web(Path(args[0]), Path(args[1]), int(args[2]))
    else:
        worker(Path(args[0]), Path(args[1]), args[2])
