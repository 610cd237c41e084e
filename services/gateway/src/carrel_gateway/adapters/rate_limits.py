"""Rate limits on sign-in and on writes, with the ``limits`` library.

``limits`` keeps moving-window counters in a storage named by URI; the default
``memory://`` counts in this process only, so two gateway processes would each
allow the full rate. Pointing ``CARREL_RATE_LIMIT_STORAGE`` at a shared store
(``redis://...``, which ``limits`` supports) fixes that when there are several.
"""

import time
from dataclasses import dataclass
from typing import Literal

from limits import RateLimitItem, parse, storage, strategies

RouteClass = Literal["sign-in", "write"]


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int


class RateLimits:
    """One moving window per (route class, member or address)."""

    def __init__(self, storage_uri: str, sign_in_rate: str, write_rate: str) -> None:
        self._limiter = strategies.MovingWindowRateLimiter(
            storage.storage_from_string(storage_uri)
        )
        self._rates: dict[RouteClass, RateLimitItem] = {
            "sign-in": parse(sign_in_rate),
            "write": parse(write_rate),
        }

    def check(self, route_class: RouteClass, who: str) -> Verdict:
        """Count one hit; refused when the window is full."""
        rate = self._rates[route_class]
        if self._limiter.hit(rate, route_class, who):
            return Verdict(True, 0)
        reset_at, _ = self._limiter.get_window_stats(rate, route_class, who)
        return Verdict(False, max(1, int(reset_at - time.time()) + 1))
