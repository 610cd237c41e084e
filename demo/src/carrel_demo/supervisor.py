"""One process that starts every service, restarts one that dies, stops them all.

Each service is a Python module run as a child process with its own log file.
A child that exits while the supervisor is running is started again after a
pause that doubles with each quick death (up to a minute), so a service that
cannot start does not spin. SIGINT or SIGTERM stops every child: first with
SIGTERM, then SIGKILL for any still there after the grace period.
"""

import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

logger = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 15.0
# A child that lived this long is considered healthy; its next death resets the
# pause before restarting it.
STABLE_AFTER_SECONDS = 30.0
MAX_RESTART_PAUSE_SECONDS = 60.0


@dataclass(frozen=True)
class ServiceProcess:
    """A service the supervisor runs: a module, and where it says it is ready."""

    name: str
    module: str
    ready_url: str | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    """Settings of this service alone, over the supervisor's environment."""


@dataclass
class _Child:
    service: ServiceProcess
    process: asyncio.subprocess.Process | None = None
    started_at: float = 0.0
    restarts: int = 0
    pause: float = 1.0
    log_path: Path = field(default=Path())


class Supervisor:
    """Keeps a set of service processes running until told to stop."""

    def __init__(
        self,
        services: Sequence[ServiceProcess],
        log_folder: Path,
        environment: Mapping[str, str],
    ) -> None:
        self._children = [_Child(s) for s in services]
        self._log_folder = log_folder
        self._environment = dict(environment)
        self._stopping = asyncio.Event()
        self._watchers: list[asyncio.Task[None]] = []

    @property
    def restarts(self) -> dict[str, int]:
        return {c.service.name: c.restarts for c in self._children}

    def pids(self) -> dict[str, int | None]:
        return {
            c.service.name: c.process.pid if c.process else None for c in self._children
        }

    async def start(self) -> None:
        """Start every service and watch each one."""
        self._log_folder.mkdir(parents=True, exist_ok=True)
        for child in self._children:
            child.log_path = self._log_folder / f"{child.service.name}.log"
            await self._spawn(child)
            self._watchers.append(asyncio.create_task(self._watch(child)))

    async def wait_ready(self, within_seconds: float = 120.0) -> None:
        """Wait until every service with a readiness URL answers 200."""
        urls = [c.service for c in self._children if c.service.ready_url]
        async with httpx.AsyncClient(timeout=2.0) as client:
            async with asyncio.timeout(within_seconds):
                for service in urls:
                    await _until_ready(client, service)

    async def stop(self) -> None:
        """Stop every child: SIGTERM, a grace period, then SIGKILL."""
        self._stopping.set()
        for watcher in self._watchers:
            watcher.cancel()
        await asyncio.gather(*self._watchers, return_exceptions=True)
        running = [c.process for c in self._children if c.process and _alive(c.process)]
        for process in running:
            process.send_signal(signal.SIGTERM)
        await _reap(running, STOP_GRACE_SECONDS)

    async def run_until_signalled(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self._stopping.set)
        await self._stopping.wait()
        await self.stop()

    async def _spawn(self, child: _Child) -> None:
        log = child.log_path.open("ab")
        child.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            child.service.module,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            env={**self._environment, **child.service.environment},
            start_new_session=True,
        )
        log.close()
        child.started_at = time.monotonic()
        logger.info("started %s (pid %d)", child.service.name, child.process.pid)

    async def _watch(self, child: _Child) -> None:
        while not self._stopping.is_set():
            assert child.process is not None
            code = await child.process.wait()
            if self._stopping.is_set():
                return
            lived = time.monotonic() - child.started_at
            child.pause = 1.0 if lived > STABLE_AFTER_SECONDS else child.pause * 2
            child.pause = min(child.pause, MAX_RESTART_PAUSE_SECONDS)
            logger.warning(
                "%s exited with %s after %.0fs; restarting in %.0fs (see %s)",
                child.service.name,
                code,
                lived,
                child.pause,
                child.log_path,
            )
            await asyncio.sleep(child.pause)
            child.restarts += 1
            await self._spawn(child)


async def _until_ready(client: httpx.AsyncClient, service: ServiceProcess) -> None:
    assert service.ready_url is not None
    while True:
        try:
            if (await client.get(service.ready_url)).status_code == 200:
                logger.info("%s is ready", service.name)
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.5)


def _alive(process: asyncio.subprocess.Process) -> bool:
    return process.returncode is None


async def _reap(processes: list[asyncio.subprocess.Process], grace: float) -> None:
    try:
        async with asyncio.timeout(grace):
            await asyncio.gather(*(p.wait() for p in processes))
    except TimeoutError:
        for process in processes:
            if process.returncode is None:
                logger.warning("pid %d ignored SIGTERM; killing it", process.pid)
                process.kill()
        await asyncio.gather(*(p.wait() for p in processes))


def child_environment(extra: Mapping[str, str]) -> dict[str, str]:
    return {**os.environ, **extra}
