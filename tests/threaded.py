"""An async context manager entered from synchronous code.

The demo's supervisor is asyncio; tests that are sync (Playwright's sync API,
the fault tests' writers) run it on an event loop in a thread of its own.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from typing import TypeVar

T = TypeVar("T")


@contextmanager
def entered_in_a_thread(manager: AbstractAsyncContextManager[T]) -> Iterator[T]:
    """Enter an async context manager on an event loop of its own thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=_run_until_stopped, args=(loop,), daemon=True)
    thread.start()
    try:
        value = asyncio.run_coroutine_threadsafe(manager.__aenter__(), loop).result()
        try:
            yield value
        finally:
            exited = asyncio.run_coroutine_threadsafe(
                manager.__aexit__(None, None, None), loop
            )
            exited.result()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()


def _run_until_stopped(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()
