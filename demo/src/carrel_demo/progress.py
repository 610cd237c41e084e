"""One line per phase of loading: how many of how many, and how fast."""

import sys
import time

REPORT_EVERY_SECONDS = 3.0


class Progress:
    """Counts the steps of a phase and says how far it got now and then."""

    def __init__(self, phase: str, total: int) -> None:
        self.phase = phase
        self.total = total
        self.done = 0
        self._started = time.monotonic()
        self._reported = self._started

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        now = time.monotonic()
        if now - self._reported >= REPORT_EVERY_SECONDS:
            self._reported = now
            self._say("")

    def finish(self, note: str = "") -> float:
        """Say the phase is over; the seconds it took."""
        self._say(f" done{note}")
        return time.monotonic() - self._started

    def _say(self, end: str) -> None:
        seconds = time.monotonic() - self._started
        rate = self.done / seconds if seconds > 0 else 0.0
        print(
            f"  {self.phase:<22} {self.done:>5}/{self.total:<5} "
            f"{seconds:6.1f}s {rate:7.1f}/s{end}",
            file=sys.stdout,
            flush=True,
        )
