"""How long work reports how far it got; the command line draws it with rich."""

from typing import Protocol


class Progress(Protocol):
    """Told ``done`` out of ``total`` units (events, notifications) so far."""

    def __call__(self, done: int, total: int) -> None: ...


def quiet(done: int, total: int) -> None:
    """A progress report that shows nothing, for tests and library use."""
