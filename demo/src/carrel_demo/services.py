"""Every process of Carrel, in the order the supervisor starts them."""

from carrel_demo.supervisor import ServiceProcess


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


CARREL = (
    _http("profile", "carrel_profile", 8101),
    _worker("profile", "carrel_profile", "relay"),
    _http("teams", "carrel_teams", 8102),
    _worker("teams", "carrel_teams", "relay"),
    _http("resources", "carrel_resources", 8103),
    _worker("resources", "carrel_resources", "relay"),
    _worker("resources", "carrel_resources", "consumer"),
    _http("matching", "carrel_matching", 8104),
    _worker("matching", "carrel_matching", "consumer"),
    _http("projection", "carrel_projection", 8105),
    _worker("projection", "carrel_projection", "consumer"),
    _http("gateway", "carrel_gateway", 8000),
)
