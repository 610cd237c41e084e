"""Run the profile relay onto a named topic until SIGTERM (for bench/freshness.py).

    .venv/bin/python bench/projection_relay.py <topic>

The relay's own entry point publishes to ``profile.events``; the freshness
bench needs its own topic so it does not feed the real projection.
"""

import asyncio
import logging
import signal
import sys

from carrel_profile.entrypoints.relay import relay_profile_events
from carrel_profile.settings import ProfileSettings


async def main(topic: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await relay_profile_events(ProfileSettings(), stop, topic)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(sys.argv[1]))
