"""Which one-time sign-in links were used already.

Known shortcoming: the ledger lives in this process's memory. A second gateway
process does not see it, and a restart forgets it, so a used link could be
used again until it expires (``sign_in_link_minutes``, 30 by default). A shared
store (a table, or the rate limiter's storage) would close that gap.
"""

from collections.abc import Callable
from datetime import datetime
from threading import Lock
from uuid import UUID

from carrel_gateway.identity.tokens import InvalidToken, SignInGrant, utc_now


class UsedLinks:
    """Remembers redeemed sign-in links until they would have expired anyway."""

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self._used: dict[UUID, datetime] = {}
        self._lock = Lock()
        self._clock = clock

    def redeem(self, grant: SignInGrant) -> None:
        """Mark the link used; a second use is refused."""
        with self._lock:
            self._forget_expired()
            if grant.token_id in self._used:
                raise InvalidToken("this sign-in link was used already")
            self._used[grant.token_id] = grant.expires_at

    def _forget_expired(self) -> None:
        now = self._clock()
        for token_id in [t for t, until in self._used.items() if until <= now]:
            del self._used[token_id]
