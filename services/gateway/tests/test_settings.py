"""The gateway's settings: a session secret is required."""

import pytest
from carrel_gateway.entrypoints.http import create_app
from carrel_gateway.settings import GatewaySettings, MissingSessionSecret
from pydantic import SecretStr


def test_the_gateway_refuses_to_start_without_a_session_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CARREL_SESSION_SECRET", raising=False)

    with pytest.raises(MissingSessionSecret, match="CARREL_SESSION_SECRET"):
        create_app(GatewaySettings())


def test_a_short_session_secret_is_refused_too() -> None:
    settings = GatewaySettings(session_secret=SecretStr("short"))

    with pytest.raises(MissingSessionSecret):
        settings.signing_secret()


def test_service_addresses_default_to_the_local_ports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CARREL_TEAMS_URL", raising=False)

    settings = GatewaySettings()

    assert settings.teams_url == "http://127.0.0.1:8102"
    assert settings.projection_url == "http://127.0.0.1:8105"
    assert settings.gateway_port == 8000
