"""Every process of Carrel, in the order the supervisor starts them."""

from collections.abc import Mapping

from carrel_demo.supervisor import ServiceProcess

PORTS = {
    "profile": 8101,
    "teams": 8102,
    "resources": 8103,
    "matching": 8104,
    "projection": 8105,
    "gateway": 8000,
}


def ports_from(environment: Mapping[str, str]) -> dict[str, int]:
    """Each HTTP service's port: its ``CARREL_<NAME>_PORT``, else the default."""
    return {
        name: int(environment.get(f"CARREL_{name.upper()}_PORT", default))
        for name, default in PORTS.items()
    }


def service_urls(ports: Mapping[str, int]) -> dict[str, str]:
    """Where the gateway finds each service, at these ports."""
    return {
        f"CARREL_{name.upper()}_URL": f"http://127.0.0.1:{port}"
        for name, port in ports.items()
        if name != "gateway"
    }


def _http(name: str, package: str, port: int) -> ServiceProcess:
    return ServiceProcess(
        name=f"{name}-http",
        module=f"{package}.entrypoints.http",
        ready_url=f"http://127.0.0.1:{port}/health/ready",
    )


def _worker(name: str, package: str, entry: str) -> ServiceProcess:
    return ServiceProcess(
        name=f"{name}-{entry}", module=f"{package}.entrypoints.{entry}"
    )


def carrel(ports: Mapping[str, int] = PORTS) -> tuple[ServiceProcess, ...]:
    """Every process, its HTTP services answering at ``ports``.

    The ports only say where to ask whether a service is ready: the services
    read their own ports from their settings (``CARREL_<NAME>_PORT``).
    """
    return (
        _http("profile", "carrel_profile", ports["profile"]),
        _worker("profile", "carrel_profile", "relay"),
        _http("teams", "carrel_teams", ports["teams"]),
        _worker("teams", "carrel_teams", "relay"),
        _http("resources", "carrel_resources", ports["resources"]),
        _worker("resources", "carrel_resources", "relay"),
        _worker("resources", "carrel_resources", "consumer"),
        _worker("resources", "carrel_resources", "welcome"),
        _http("matching", "carrel_matching", ports["matching"]),
        _worker("matching", "carrel_matching", "consumer"),
        _http("projection", "carrel_projection", ports["projection"]),
        _worker("projection", "carrel_projection", "consumer"),
        _http("gateway", "carrel_gateway", ports["gateway"]),
    )


CARREL = carrel()
