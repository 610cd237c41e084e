"""Stand-ins for the services' relay and consumer modules, on the topics of a run.

The relays of profile, teams and resources publish to fixed topics when run
with ``python -m``, and the resources consumer reads fixed topics: none of
them has a setting for it. An isolated run of Carrel (``isolated.py``) that
goes beside the running demo runs these instead, which call the same service
functions with the topics named by ``CARREL_TEST_TOPIC_PREFIX``.

    CARREL_TEST_RELAY=profile|teams|resources|resources-consumer \
        python -m carrel_demo.topic_relays
"""

import asyncio
import os
import signal

from carrel_events.consumer import run_until_signalled
from carrel_events.relay import EnvelopeFactory, run_relay
from carrel_profile.entrypoints.relay import relay_profile_events
from carrel_profile.settings import ProfileSettings
from carrel_resources.entrypoints.consumer import directory_consumer
from carrel_resources.entrypoints.wiring import build_application
from carrel_resources.settings import ResourcesSettings
from carrel_teams.entrypoints.relay import relay as relay_teams
from carrel_teams.settings import TeamsSettings


def topic(name: str) -> str:
    return f"{os.environ['CARREL_TEST_TOPIC_PREFIX']}.{name}.events"


def stop_on_signal() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def relay_resources(stop: asyncio.Event) -> None:
    settings = ResourcesSettings()
    application = build_application(settings)
    try:
        await run_relay(
            name="resources",
            application=application,
            topic=topic("resources"),
            database_dsn=settings.psycopg_dsn,
            kafka_bootstrap=settings.kafka_bootstrap,
            stop=stop,
            to_envelope=EnvelopeFactory(),
        )
    finally:
        application.close()


async def consume_for_resources() -> None:
    runtime, engine = directory_consumer(
        ResourcesSettings(), (topic("teams"), topic("profile"))
    )

    async def dispose() -> None:
        engine.dispose()

    await run_until_signalled(runtime, on_stop=dispose)


async def main(which: str) -> None:
    if which == "resources-consumer":
        await consume_for_resources()
        return
    stop = stop_on_signal()
    if which == "profile":
        await relay_profile_events(ProfileSettings(), stop, topic("profile"))
    elif which == "teams":
        await relay_teams(TeamsSettings(), stop, topic("teams"))
    else:
        await relay_resources(stop)


if __name__ == "__main__":
    asyncio.run(main(os.environ["CARREL_TEST_RELAY"]))
