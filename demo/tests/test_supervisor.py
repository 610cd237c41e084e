import asyncio
import os
from pathlib import Path

import pytest
from carrel_demo import supervisor
from carrel_demo.supervisor import ServiceProcess, Supervisor

HERE = Path(__file__).parent


def stand_ins(tmp_path: Path, *modules: str) -> Supervisor:
    services = [ServiceProcess(name=f"{m}{i}", module=m) for i, m in enumerate(modules)]
    environment = dict(os.environ) | {"PYTHONPATH": str(HERE)}
    return Supervisor(services, tmp_path / "logs", environment)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_a_service_that_dies_is_started_again_and_the_others_keep_running(
    tmp_path: Path,
) -> None:
    running = stand_ins(tmp_path, "sleeper", "quitter")
    await running.start()
    sleeper_pid = running.pids()["sleeper0"]

    async with asyncio.timeout(10):
        while running.restarts["quitter1"] < 2:
            await asyncio.sleep(0.1)

    assert running.pids()["sleeper0"] == sleeper_pid
    await running.stop()
    assert (tmp_path / "logs" / "quitter1.log").exists()


async def test_stopping_leaves_no_child_behind(tmp_path: Path) -> None:
    running = stand_ins(tmp_path, "sleeper", "sleeper")
    await running.start()
    pids = [pid for pid in running.pids().values() if pid]

    await running.stop()

    assert len(pids) == 2
    assert not any(alive(pid) for pid in pids)


async def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(supervisor, "STOP_GRACE_SECONDS", 0.5)
    running = stand_ins(tmp_path, "stubborn")
    await running.start()
    await asyncio.sleep(0.5)  # let it install its handler
    pid = running.pids()["stubborn0"]

    await running.stop()

    assert pid is not None and not alive(pid)
