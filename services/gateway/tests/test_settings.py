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


def test_sign_in_links_follow_the_gateway_port_when_no_public_url_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CARREL_PUBLIC_URL", raising=False)
    monkeypatch.setenv("CARREL_GATEWAY_PORT", "48000")

    assert GatewaySettings().public_url == "http://127.0.0.1:48000"


def test_a_public_url_that_is_set_wins_over_the_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CARREL_PUBLIC_URL", "https://carrel.example.org")
    monkeypatch.setenv("CARREL_GATEWAY_PORT", "48000")

    assert GatewaySettings().public_url == "https://carrel.example.org"
