"""``make run``: every service under one supervisor, real data loaded, where to look.

    python -m carrel_demo [--no-load] [--exit-after-load]

The stack (PostgreSQL, Kafka, OpenSearch) must be up: ``make run`` starts it
first. Settings come from ``CARREL_`` variables (see ``settings.py``); the
data folder is ``CARREL_DATA_DIR``. Stop everything with Ctrl-C.
"""

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Coroutine, Mapping
from typing import Any

from carrel_demo.keys import Keys, kept_keys
from carrel_demo.loader import StackHoldsData, load_demo
from carrel_demo.services import carrel, ports_from, service_urls
from carrel_demo.settings import DemoSettings
from carrel_demo.summary import say
from carrel_demo.supervisor import Supervisor, child_environment

logger = logging.getLogger("carrel_demo")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="carrel-run", description=__doc__)
    parser.add_argument("--no-load", action="store_true", help="start services only")
    parser.add_argument(
        "--exit-after-load",
        action="store_true",
        help="stop every service once loaded (for scripts and measurements)",
    )
    return parser.parse_args()


def service_environment(
    settings: DemoSettings, keys: Keys, inherited: Mapping[str, str] = os.environ
) -> dict[str, str]:
    """What the services need beyond the stack's settings; yours win."""
    wanted = {
        **keys.gateway_environment(),
        # The gateway finds the services at the ports they were given.
        **service_urls(ports_from(inherited)),
        # The loader is one address that signs 2,000 people in and writes as
        # each of them and their coordinators; the gateway's limits per address
        # and per member are meant for people at a browser, not for it.
        "CARREL_SIGN_IN_RATE": "100000/minute",
        "CARREL_WRITE_RATE": "100000/minute",
        # Invitation, join and sign-in links open the gateway's pages.
        "CARREL_TEAMS_PUBLIC_URL": settings.gateway_url,
        "CARREL_PUBLIC_URL": settings.gateway_url,
        "CARREL_DATA_DIR": str(settings.data_dir),
    }
    return {name: value for name, value in wanted.items() if name not in inherited}


async def load_and_say(settings: DemoSettings, keys: Keys) -> bool:
    """Load, then say where to look; whether it went through."""
    try:
        outcome = await load_demo(settings, keys.operator_key)
    except StackHoldsData as refusal:
        print(f"Nothing loaded: {refusal}", flush=True)
        return False
    say(outcome.summary, outcome.credentials, settings.demo_folder)
    return not outcome.summary.failed


async def run(options: argparse.Namespace) -> int:
    settings = DemoSettings()
    keys = kept_keys(settings.demo_folder)
    environment = child_environment(service_environment(settings, keys))
    processes = carrel(ports_from(environment))
    supervisor = Supervisor(
        processes, settings.var_dir / "log" / "services", environment
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    await supervisor.start()
    try:
        await supervisor.wait_ready()
        logger.info("every service is ready; logs in %s", settings.var_dir / "log")
        loaded = True
        if not options.no_load:
            loaded = await _until_stopped(load_and_say(settings, keys), stopping)
        if not options.exit_after_load:
            print(f"Carrel runs at {settings.gateway_url}; Ctrl-C stops it.")
            await stopping.wait()
        return 0 if loaded else 1
    finally:
        await supervisor.stop()


async def _until_stopped(
    loading: Coroutine[Any, Any, bool], stop: asyncio.Event
) -> bool:
    """The loading's outcome, or False when a signal came first."""
    task = asyncio.create_task(loading)
    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        print("Stopped while loading; the next run carries on.", flush=True)
        return False
    return task.result()


def main() -> None:
    # Our own steps at INFO; the HTTP client would log every one of the
    # loader's tens of thousands of calls there, so the rest stay at WARNING.
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(name)s %(message)s"
    )
    logger.setLevel(logging.INFO)
    sys.exit(asyncio.run(run(arguments())))


if __name__ == "__main__":
    main()
