import json
import logging
import socket

import httpx
import pytest
from carrel_events.observability import (
    configure_logging,
    correlated,
    load_settings,
    observe,
    serve_metrics,
)
from carrel_events.relay.metrics import BACKLOG
from carrel_events.settings import StackSettings
from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def test_a_log_line_is_json_with_the_service_and_the_request_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("teams")
    try:
        with correlated("req-42"):
            logging.getLogger("carrel.test").warning("member %s joined", "m1")
    finally:
        logging.basicConfig(force=True)

    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["message"] == "member m1 joined"
    assert line["service"] == "teams"
    assert line["request_id"] == "req-42"
    assert line["level"] == "WARNING"


async def test_requests_are_counted_by_route_template_and_served_as_metrics() -> None:
    app = FastAPI()
    observe(app, "demo-service")

    @app.get("/things/{thing_id}")
    def thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await client.get("/things/1")
        await client.get("/things/2")
        metrics = (await client.get("/metrics")).text

    assert (
        'carrel_http_request_seconds_count{method="GET",route="/things/{thing_id}",'
        'service="demo-service",status="200"} 2.0' in metrics
    )


class NeedsASecret(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CARREL_TEST_")
    secret: str = Field(min_length=32)
    port: int = 8000


def test_a_missing_or_wrong_setting_stops_the_process_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CARREL_TEST_PORT", "eighty")

    with pytest.raises(SystemExit) as stopped:
        load_settings(NeedsASecret)

    errors = capsys.readouterr().err
    assert stopped.value.code == 2
    assert "setting CARREL_TEST_SECRET: Field required" in errors
    assert "setting CARREL_TEST_PORT:" in errors


def test_a_worker_serves_its_metrics_on_the_port_it_is_given() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    BACKLOG.labels(relay="metrics-test").set(7)

    serve_metrics(StackSettings(metrics_port=port))
    scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text

    assert 'carrel_relay_backlog{relay="metrics-test"} 7.0' in scraped
