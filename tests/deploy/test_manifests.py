"""deploy/k8s renders, fits the Kubernetes schemas and keeps Carrel's rules.

No cluster and no network: the schemas come from the kubernetes-validate
package, the settings from the services' own classes.
"""

import copy
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from tests.deploy import rules
from tests.deploy.kustomize import (
    Document,
    UnsupportedKustomization,
    containers,
    render,
    resource_id,
)

Rule = Callable[[list[Document]], list[str]]
Breakage = Callable[[list[Document]], None]


def find(documents: list[Document], kind: str, name: str) -> Document:
    (found,) = [
        doc
        for doc in documents
        if doc["kind"] == kind and doc["metadata"]["name"] == name
    ]
    return found


def container_of(documents: list[Document], deployment: str) -> dict[str, Any]:
    return rules.the_container(find(documents, "Deployment", deployment))


def by_id(documents: list[Document]) -> dict[tuple[str, str, str], Document]:
    return {resource_id(doc): doc for doc in documents}


# --- rendering ---------------------------------------------------------------


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="no kubectl here")
@pytest.mark.parametrize("folder", ["base", "overlays/production"])
def test_the_renderer_builds_what_kubectl_kustomize_builds(folder: str) -> None:
    built = subprocess.run(
        ["kubectl", "kustomize", str(rules.K8S / folder)],
        capture_output=True,
        check=True,
        text=True,
        timeout=120,
    ).stdout
    expected = [doc for doc in yaml.safe_load_all(built) if doc]
    assert by_id(render(rules.K8S / folder)) == by_id(expected)


def test_the_renderer_applies_namespace_images_replicas_and_labels(
    tmp_path: Path,
) -> None:
    write_kustomization(tmp_path / "base", {"resources": ["app.yaml"]})
    (tmp_path / "base" / "app.yaml").write_text(yaml.safe_dump(small_deployment()))
    write_kustomization(
        tmp_path / "overlay",
        {
            "resources": ["../base"],
            "namespace": "carrel",
            "images": [{"name": "carrel", "newName": "r.example/c", "newTag": "2"}],
            "replicas": [{"name": "app", "count": 3}],
            "labels": [{"pairs": {"tier": "web"}, "includeTemplates": True}],
        },
    )
    (app,) = render(tmp_path / "overlay")
    assert app["metadata"] == {
        "name": "app",
        "namespace": "carrel",
        "labels": {"tier": "web"},
    }
    assert app["spec"]["replicas"] == 3
    assert app["spec"]["template"]["metadata"]["labels"] == {"c": "app", "tier": "web"}
    assert app["spec"]["selector"] == {"matchLabels": {"c": "app"}}
    assert app["spec"]["template"]["spec"]["containers"][0]["image"] == "r.example/c:2"


@pytest.mark.parametrize(
    "field",
    [
        {"patches": [{"path": "patch.yaml"}]},
        {"configMapGenerator": [{"name": "x", "literals": ["a=b"]}]},
        {"labels": [{"pairs": {"a": "b"}, "includeSelectors": True}]},
        {"replicas": [{"name": "nothing-by-this-name", "count": 2}]},
    ],
)
def test_the_renderer_refuses_what_it_would_not_apply_faithfully(
    tmp_path: Path, field: dict[str, Any]
) -> None:
    (tmp_path / "app.yaml").write_text(yaml.safe_dump(small_deployment()))
    write_kustomization(tmp_path, {"resources": ["app.yaml"], **field})
    with pytest.raises(UnsupportedKustomization):
        render(tmp_path)


def write_kustomization(folder: Path, fields: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    header = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
    (folder / "kustomization.yaml").write_text(yaml.safe_dump(header | fields))


def small_deployment() -> Document:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "app"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"c": "app"}},
            "template": {
                "metadata": {"labels": {"c": "app"}},
                "spec": {"containers": [{"name": "app", "image": "carrel:1"}]},
            },
        },
    }


# --- the Kubernetes schemas --------------------------------------------------


@pytest.mark.parametrize("version", rules.KUBERNETES_VERSIONS)
@pytest.mark.parametrize("folder", ["base", "overlays/production"])
def test_every_rendered_document_fits_the_kubernetes_schemas(
    folder: str, version: str
) -> None:
    documents = render(rules.K8S / folder)
    assert documents
    assert rules.schema_problems(documents, version) == []


def drop_selector(documents: list[Document]) -> None:
    del find(documents, "Deployment", "carrel-gateway")["spec"]["selector"]


def replicas_as_words(documents: list[Document]) -> None:
    find(documents, "Deployment", "carrel-gateway")["spec"]["replicas"] = "three"


def misspelt_field(documents: list[Document]) -> None:
    container = container_of(documents, "carrel-teams-http")
    container["readynessProbe"] = container.pop("readinessProbe")


def unknown_kind(documents: list[Document]) -> None:
    find(documents, "Service", "carrel-gateway")["kind"] = "Servise"


@pytest.mark.parametrize(
    "breakage", [drop_selector, replicas_as_words, misspelt_field, unknown_kind]
)
def test_the_schema_check_refuses_a_broken_manifest(
    production: list[Document], breakage: Breakage
) -> None:
    breakage(production)
    problems = rules.schema_problems(production, rules.KUBERNETES_VERSIONS[0])
    assert len(problems) == 1, problems


# --- Carrel's rules ----------------------------------------------------------


RULES: list[Rule] = [
    rules.coverage_problems,
    rules.port_problems,
    rules.service_problems,
    rules.probe_problems,
    rules.resource_problems,
    rules.disruption_problems,
    rules.replica_problems,
    rules.image_problems,
    rules.secret_problems,
    rules.reference_problems,
    rules.security_problems,
    rules.env_name_problems,
]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_the_production_manifests_keep_the_rule(
    production: list[Document], rule: Rule
) -> None:
    assert rule(production) == []


def no_gateway(documents: list[Document]) -> None:
    documents.remove(find(documents, "Deployment", "carrel-gateway"))


def wrong_port(documents: list[Document]) -> None:
    container_of(documents, "carrel-profile-http")["ports"][0]["containerPort"] = 8111


def no_service(documents: list[Document]) -> None:
    documents.remove(find(documents, "Service", "carrel-matching"))


def no_readiness(documents: list[Document]) -> None:
    del container_of(documents, "carrel-gateway")["readinessProbe"]


def liveness_on_ready(documents: list[Document]) -> None:
    probe = container_of(documents, "carrel-teams-http")["livenessProbe"]
    probe["httpGet"]["path"] = "/health/ready"


def no_limits(documents: list[Document]) -> None:
    del container_of(documents, "carrel-teams-relay")["resources"]["limits"]


def no_budget(documents: list[Document]) -> None:
    documents.remove(find(documents, "PodDisruptionBudget", "carrel-resources-http"))


def budget_blocks_drains(documents: list[Document]) -> None:
    budget = find(documents, "PodDisruptionBudget", "carrel-gateway")
    del budget["spec"]["maxUnavailable"]
    budget["spec"]["minAvailable"] = 3


def two_relays(documents: list[Document]) -> None:
    find(documents, "Deployment", "carrel-teams-relay")["spec"]["replicas"] = 2


def lone_consumer(documents: list[Document]) -> None:
    find(documents, "Deployment", "carrel-matching-consumer")["spec"]["replicas"] = 1


def latest_image(documents: list[Document]) -> None:
    container_of(documents, "carrel-gateway")["image"] = "carrel:latest"


def untagged_image(documents: list[Document]) -> None:
    container_of(documents, "carrel-gateway")["image"] = "registry.example:5000/carrel"


def written_dsn(documents: list[Document]) -> None:
    env = container_of(documents, "carrel-profile-relay")["env"]
    env[:] = [{"name": "CARREL_PG_DSN", "value": "postgresql://c:pw@db:5432"}]


def password_in_config(documents: list[Document]) -> None:
    stack = find(documents, "ConfigMap", "carrel-stack")
    stack["data"]["CARREL_OPENSEARCH_URL"] = "https://admin:admin@search:9200"


def secret_object(documents: list[Document]) -> None:
    documents.append(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "carrel-profile-postgres", "namespace": "carrel"},
            "stringData": {"dsn": "postgresql://carrel:carrel@db"},
        }
    )


def missing_config_map(documents: list[Document]) -> None:
    documents.remove(find(documents, "ConfigMap", "carrel-site"))


def root_pod(documents: list[Document]) -> None:
    deployment = find(documents, "Deployment", "carrel-projection-consumer")
    del deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"]


def writable_root(documents: list[Document]) -> None:
    context = container_of(documents, "carrel-gateway")["securityContext"]
    context["readOnlyRootFilesystem"] = False


def misspelt_variable(documents: list[Document]) -> None:
    env = container_of(documents, "carrel-teams-http")["env"]
    env.append({"name": "CARREL_TEAM_PUBLIC_URL", "value": "https://x.example"})


def variable_of_another_service(documents: list[Document]) -> None:
    env = container_of(documents, "carrel-profile-http")["env"]
    env.append({"name": "CARREL_TEAMS_PORT", "value": "8101"})


BREAKAGES: list[tuple[Rule, Breakage]] = [
    (rules.coverage_problems, no_gateway),
    (rules.port_problems, wrong_port),
    (rules.service_problems, no_service),
    (rules.service_problems, wrong_port),
    (rules.probe_problems, no_readiness),
    (rules.probe_problems, liveness_on_ready),
    (rules.resource_problems, no_limits),
    (rules.disruption_problems, no_budget),
    (rules.disruption_problems, budget_blocks_drains),
    (rules.replica_problems, two_relays),
    (rules.replica_problems, lone_consumer),
    (rules.image_problems, latest_image),
    (rules.image_problems, untagged_image),
    (rules.secret_problems, written_dsn),
    (rules.secret_problems, password_in_config),
    (rules.secret_problems, secret_object),
    (rules.reference_problems, missing_config_map),
    (rules.security_problems, root_pod),
    (rules.security_problems, writable_root),
    (rules.env_name_problems, misspelt_variable),
    (rules.env_name_problems, variable_of_another_service),
]


@pytest.mark.parametrize(
    ("rule", "breakage"),
    BREAKAGES,
    ids=[f"{rule.__name__}-{breakage.__name__}" for rule, breakage in BREAKAGES],
)
def test_each_rule_catches_a_manifest_broken_against_it(
    production: list[Document], rule: Rule, breakage: Breakage
) -> None:
    broken = copy.deepcopy(production)
    breakage(broken)
    assert rule(broken) != []


def test_every_rule_is_shown_to_catch_a_breakage() -> None:
    assert {rule for rule, _ in BREAKAGES} == set(RULES)


def test_the_gateway_reaches_each_service_at_its_service_name_and_port(
    production: list[Document],
) -> None:
    env = {
        item["name"]: item.get("value")
        for item in container_of(production, "carrel-gateway")["env"]
    }
    for package in ("profile", "teams", "resources", "matching", "projection"):
        module = f"carrel_{package}.entrypoints.http"
        assert env[f"CARREL_{package.upper()}_URL"] == rules.service_address(
            production, module
        )


def test_the_services_read_the_databases_through_their_own_secrets(
    production: list[Document],
) -> None:
    for deployment in rules.deployments(production):
        package = rules.module_of(deployment).split(".")[0]
        for item in rules.the_container(deployment).get("env", []):
            if item["name"] == "CARREL_PG_DSN":
                secret = item["valueFrom"]["secretKeyRef"]["name"]
                service = package.removeprefix("carrel_")
                assert secret == f"carrel-{service}-postgres"


def test_the_readme_names_every_secret_and_key_the_manifests_need(
    production: list[Document],
) -> None:
    readme = (rules.K8S / "README.md").read_text(encoding="utf-8")
    references = {
        (ref["name"], ref["key"])
        for container in containers(production)
        for item in container.get("env", [])
        if (ref := item.get("valueFrom", {}).get("secretKeyRef"))
    }
    assert references
    for name, key in sorted(references):
        assert f"`{name}`" in readme and f"`{key}`" in readme, (name, key)


def bind_host_cases() -> list[Any]:
    return [
        pytest.param(
            process.module,
            marks=pytest.mark.xfail(
                process.package in rules.AWAITING_BIND_HOST,
                reason="serve() does not read bind_host yet",
                strict=True,
            ),
        )
        for process in rules.processes()
        if process.port is not None
    ]


@pytest.mark.parametrize("module", bind_host_cases())
def test_each_http_process_listens_where_the_manifests_say(
    production: list[Document], module: str
) -> None:
    (deployment,) = [
        d for d in rules.deployments(production) if rules.module_of(d) == module
    ]
    env = rules.the_container(deployment)["env"]
    assert {"name": "CARREL_BIND_HOST", "value": "0.0.0.0"} in env
    assert rules.reads_bind_host(module)
