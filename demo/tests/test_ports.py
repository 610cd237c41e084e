"""make run on other ports: the supervisor asks each service where it listens."""

from carrel_demo.__main__ import service_environment
from carrel_demo.keys import Keys
from carrel_demo.services import carrel, ports_from
from carrel_demo.settings import DemoSettings

MOVED = {"CARREL_GATEWAY_PORT": "18000", "CARREL_PROFILE_PORT": "18101"}


def test_the_supervisor_waits_for_each_service_on_the_port_it_was_given() -> None:
    ready = {p.name: p.ready_url for p in carrel(ports_from(MOVED)) if p.ready_url}

    assert ready["gateway-http"] == "http://127.0.0.1:18000/health/ready"
    assert ready["profile-http"] == "http://127.0.0.1:18101/health/ready"
    assert ready["teams-http"] == "http://127.0.0.1:8102/health/ready"


def test_the_gateway_is_sent_to_the_services_where_they_listen() -> None:
    keys = Keys("s" * 48, "o" * 32)
    settings = DemoSettings(gateway_url="http://127.0.0.1:18000")

    environment = service_environment(settings, keys, inherited=MOVED)

    assert environment["CARREL_PROFILE_URL"] == "http://127.0.0.1:18101"
    assert environment["CARREL_TEAMS_URL"] == "http://127.0.0.1:8102"
    assert environment["CARREL_TEAMS_PUBLIC_URL"] == "http://127.0.0.1:18000"
    assert environment["CARREL_PUBLIC_URL"] == "http://127.0.0.1:18000"
