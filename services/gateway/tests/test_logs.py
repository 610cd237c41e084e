"""The gateway's log lines, as its process writes them: JSON with the request id."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from carrel_gateway.testing import SECRET, free_listener

START_WITHIN_SECONDS = 30.0


@pytest.fixture
def gateway_process() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``python -m carrel_gateway.entrypoints.http`` with no teams service behind."""
    listener = free_listener()
    port = listener.getsockname()[1]
    listener.close()
    env = os.environ | {
        "CARREL_SESSION_SECRET": SECRET,
        "CARREL_GATEWAY_PORT": str(port),
        "CARREL_BIND_HOST": "127.0.0.1",
        # Nothing listens here, so the readiness check logs a warning.
        "CARREL_TEAMS_URL": "http://127.0.0.1:9",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "carrel_gateway.entrypoints.http"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_live(url, process)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_live(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_WITHIN_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the gateway stopped before answering")
        try:
            if httpx.get(f"{url}/health/live", timeout=1).is_success:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the gateway did not answer in time")


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_a_gateway_log_line_is_json_with_the_service_and_the_request_id(
    gateway_process: tuple[str, subprocess.Popen[str]],
) -> None:
    url, process = gateway_process

    answer = httpx.get(f"{url}/health/ready", timeout=10)
    process.terminate()
    _, stderr = process.communicate(timeout=30)

    assert answer.status_code == 503
    warned = [
        line
        for line in json_lines(stderr)
        if "teams not reachable" in line.get("message", "")
    ]
    assert len(warned) == 1, stderr
    assert warned[0]["service"] == "gateway"
    assert warned[0]["level"] == "WARNING"
    assert warned[0]["request_id"] == answer.headers["x-request-id"]
