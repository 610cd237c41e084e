"""deploy/compose.yaml runs the processes the manifests run, set up alike."""

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml  # type: ignore[import-untyped]

from tests.deploy import rules
from tests.deploy.kustomize import Document

COMPOSE = rules.REPO / "deploy" / "compose.yaml"
STACK = ("postgres", "kafka", "kafka-topics", "opensearch")


@pytest.fixture
def services() -> dict[str, dict[str, Any]]:
    """The services of the compose file's profile ``services``, by name."""
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    found: dict[str, dict[str, Any]] = {
        name: service
        for name, service in compose["services"].items()
        if "services" in service.get("profiles", [])
    }
    return found


def module(service: dict[str, Any]) -> str:
    return str(service["command"][0])


def by_module(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {module(service): service for service in services.values()}


def test_the_stack_starts_without_naming_a_profile() -> None:
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    for name in STACK:
        assert "profiles" not in compose["services"][name], name


def test_every_process_runs_in_one_service_of_the_profile(
    services: dict[str, dict[str, Any]],
) -> None:
    running = sorted(module(service) for service in services.values())
    assert running == sorted(process.module for process in rules.processes())


def test_each_process_reads_the_variables_the_manifests_give_it(
    services: dict[str, dict[str, Any]], production: list[Document]
) -> None:
    compose = by_module(services)
    for deployment in rules.deployments(production):
        container = rules.the_container(deployment)
        manifest = rules.container_env(container, production)
        required = {name for name, how in manifest.items() if how != "optional-secret"}
        given = set(compose[rules.module_of(deployment)]["environment"])
        assert required <= given <= set(manifest), rules.module_of(deployment)


def test_each_http_process_publishes_its_port_on_loopback_only(
    services: dict[str, dict[str, Any]],
) -> None:
    compose = by_module(services)
    for process in rules.processes():
        service = compose[process.module]
        expected = [f"127.0.0.1:{process.port}:{process.port}"] if process.port else []
        assert service.get("ports", []) == expected, process.module
        if process.port:
            check = " ".join(service["healthcheck"]["test"])
            assert f"127.0.0.1:{process.port}/health/ready" in check


def test_the_gateway_reaches_each_service_by_its_compose_name(
    services: dict[str, dict[str, Any]],
) -> None:
    compose = by_module(services)
    gateway = compose["carrel_gateway.entrypoints.http"]["environment"]
    for package in ("profile", "teams", "resources", "matching", "projection"):
        address = urlsplit(gateway[f"CARREL_{package.upper()}_URL"])
        target = services[str(address.hostname)]
        assert module(target) == f"carrel_{package}.entrypoints.http"
        assert target["ports"] == [f"127.0.0.1:{address.port}:{address.port}"]


def test_the_image_is_built_from_the_dockerfile_with_the_data_beside_the_repo(
    services: dict[str, dict[str, Any]],
) -> None:
    for service in services.values():
        build = service["build"]
        context = (COMPOSE.parent / build["context"]).resolve()
        assert context == rules.REPO
        assert (context / build["dockerfile"]).is_file()
        data = Path(COMPOSE.parent / build["additional_contexts"]["data"]).resolve()
        assert data == (rules.REPO.parent / "shared" / "data").resolve()
