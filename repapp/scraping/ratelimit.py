"""Keep each host's request rate and concurrency within its politeness, for every caller in the process."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


class _HostState:
    """Requests in flight and the earliest time of the next request, for one host."""

    def __init__(self) -> None:
        """Start with nothing in flight and the next request allowed at once."""
        self.condition = threading.Condition()
        self.in_flight = 0
        self.next_allowed = float("-inf")


class RateLimiter:
    """Space requests to one host by 60/requests_per_minute seconds and cap how many run at once.

    A minimum interval rather than a token bucket: forums see an even trickle, never a burst.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Use clock and sleep for the interval (injectable so tests need not wait)."""
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._hosts: dict[str, _HostState] = {}

    @contextmanager
    def slot(self, key: str, *, requests_per_minute: float, concurrency: int) -> Iterator[None]:
        """Wait for a free slot and for the host's turn, then hold the slot until the block ends."""
        if requests_per_minute <= 0 or concurrency < 1:
            raise ValueError(f"bad politeness for {key}: {requests_per_minute}/min, concurrency {concurrency}")
        state = self._state(key)
        with state.condition:
            while state.in_flight >= concurrency:
                state.condition.wait()
            state.in_flight += 1
        try:
            self._wait_turn(key, state, 60.0 / requests_per_minute)
            yield
        finally:
            with state.condition:
                state.in_flight -= 1
                state.condition.notify_all()

    def defer(self, key: str, seconds: float) -> None:
        """Hold every caller's next request to the host back by at least seconds (a 429 or 503)."""
        state = self._state(key)
        with state.condition:
            state.next_allowed = max(state.next_allowed, self._clock() + seconds)
        log.info("holding requests to %s back for %.1f s", key, seconds)

    def in_flight(self, key: str) -> int:
        """Return how many requests to the host hold a slot now."""
        state = self._state(key)
        with state.condition:
            return state.in_flight

    def _state(self, key: str) -> _HostState:
        """Return the host's state, creating it on first use."""
        with self._lock:
            state = self._hosts.get(key)
            if state is None:
                state = self._hosts[key] = _HostState()
            return state

    def _wait_turn(self, key: str, state: _HostState, interval: float) -> None:
        """Sleep until the host's next turn and claim it."""
        while True:
            with state.condition:
                now = self._clock()
                wait = state.next_allowed - now
                if wait <= 0:
                    # Count from the moment the turn is granted, so a late sleeper never lets the next one in early.
                    state.next_allowed = now + interval
                    return
            log.debug("waiting %.3f s for a turn on %s", wait, key)
            self._sleep(wait)


SHARED_LIMITER = RateLimiter()
"""The process-wide limiter: every Fetcher uses it unless a test hands in its own."""
