"""A scraping worker process for the reliability tests: claims and reads due threads until none is left.

    python scrape_worker.py CONFIG_JSON INSTANCE_DIR GO_FILE

Waits for GO_FILE to exist (so several workers start together), then runs the worker's own claim
and read loop (`scrape_due_threads`) until a claim comes back empty, and prints one JSON line:
{"read": [thread ids read], "failed": [thread ids that failed]}. Politeness is not what these
tests measure, so the per-host limiter runs on a clock that its own waits advance.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


class _SteppedClock:
    """A monotonic clock that jumps forward when the limiter waits, so nobody sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


def main(config_json: str, instance: str, go_file: str) -> None:
    """Run the loop and print what this worker read."""
    from repapp import create_app
    from repapp.extensions import db
    from repapp.forums.registry import forum_definitions
    from repapp.scraping.fetch import Fetcher
    from repapp.scraping.jobs import scrape_due_threads
    from repapp.scraping.ratelimit import RateLimiter

    app = create_app(json.loads(config_json), instance_path=instance)
    clock = _SteppedClock()
    read, failed = [], []
    with app.app_context():
        definitions = forum_definitions()
        deadline = time.monotonic() + 60
        while not Path(go_file).exists():
            if time.monotonic() > deadline:
                sys.exit("never told to go")
            time.sleep(0.02)
        with Fetcher.from_definitions(definitions, limiter=RateLimiter(clock=clock.time, sleep=clock.sleep)) as fetcher:
            while True:
                outcomes = scrape_due_threads(db.session, definitions, fetcher, batch=app.config["SCRAPE_BATCH"])
                if not outcomes:
                    break
                read += [o.thread_id for o in outcomes if o.ok]
                failed += [o.thread_id for o in outcomes if not o.ok]
        db.session.remove()
    print(json.dumps({"read": read, "failed": failed}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
