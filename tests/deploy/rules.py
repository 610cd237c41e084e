"""Carrel's rules for its manifests: each function lists what breaks its rule.

An empty list means the rule holds. The tests run every rule on the rendered
manifests and on a copy broken on purpose, so that no rule can pass by
checking nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import kubernetes_validate  # type: ignore[import-untyped]
from carrel_demo.services import CARREL
from carrel_events.settings import StackSettings

from tests.deploy.kustomize import Document, containers, split_image

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
PRODUCTION = K8S / "overlays" / "production"

# An older Kubernetes release that many clusters still run, and
# the newest whose schemas kubernetes-validate ships.
KUBERNETES_VERSIONS = ("1.31", "1.37")

# HTTP processes whose serve() does not read StackSettings.bind_host yet: in
# a pod they would listen on 127.0.0.1 only. Take a package out once its
# serve() reads bind_host.
AWAITING_BIND_HOST: frozenset[str] = frozenset()

# Variables that carry credentials and so must come from a Secret.
SECRET_NAME = re.compile(r"(SECRET|PASSWORD|TOKEN|KEY|DSN)$")
CREDENTIALS_IN_URL = re.compile(r"://[^/\s@]+:[^/\s@]+@")

EnvSource = Literal["value", "config", "secret", "optional-secret"]


@dataclass(frozen=True)
class Process:
    """One process of Carrel as the demo supervisor knows it."""

    module: str
    port: int | None

    @property
    def package(self) -> str:
        return self.module.split(".")[0]


def processes() -> list[Process]:
    """Every process of Carrel, with its port when it serves HTTP."""
    return [
        Process(
            module=process.module,
            port=urlsplit(process.ready_url).port if process.ready_url else None,
        )
        for process in CARREL
    ]


def schema_problems(documents: list[Document], version: str) -> list[str]:
    """Documents the Kubernetes schemas of ``version`` refuse (strictly)."""
    problems = []
    for document in documents:
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = ".".join(str(part) for part in error.path)
            problems.append(f"{_named(document)}: {where}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            problems.append(f"{_named(document)}: {error.message}")
    return problems


def deployments(documents: list[Document]) -> list[Document]:
    return [doc for doc in documents if doc["kind"] == "Deployment"]


def the_container(deployment: Document) -> dict[str, Any]:
    """The one container of a Carrel pod."""
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    found: dict[str, Any] = container
    return found


def module_of(deployment: Document) -> str:
    """The module a Deployment runs: the image's entrypoint is ``python -m``."""
    args = the_container(deployment).get("args", [])
    return str(args[0]) if args else ""


def http_port(deployment: Document) -> int | None:
    ports = the_container(deployment).get("ports", [])
    named = [port["containerPort"] for port in ports if port.get("name") == "http"]
    return int(named[0]) if named else None


def coverage_problems(documents: list[Document]) -> list[str]:
    """Processes without exactly one Deployment, and Deployments of no process."""
    running = [module_of(deployment) for deployment in deployments(documents)]
    known = {process.module for process in processes()}
    problems = [
        f"{module} runs in {running.count(module)} deployments"
        for module in sorted(known)
        if running.count(module) != 1
    ]
    return problems + [f"{m!r} is no Carrel process" for m in running if m not in known]


def port_problems(documents: list[Document]) -> list[str]:
    """HTTP processes that do not listen on their port, and workers that do."""
    ports = {process.module: process.port for process in processes()}
    return [
        f"{_named(deployment)} listens on {http_port(deployment)}, "
        f"the process on {ports.get(module_of(deployment))}"
        for deployment in deployments(documents)
        if http_port(deployment) != ports.get(module_of(deployment))
    ]


def service_problems(documents: list[Document]) -> list[str]:
    """HTTP Deployments without exactly one Service on their port."""
    services = [doc for doc in documents if doc["kind"] == "Service"]
    problems = []
    for deployment in deployments(documents):
        port = http_port(deployment)
        if port is None:
            continue
        serving = [service for service in services if _selects(service, deployment)]
        ports = [
            (entry["port"], entry.get("targetPort"))
            for service in serving
            for entry in service["spec"]["ports"]
        ]
        if ports != [(port, "http")]:
            problems.append(f"{_named(deployment)}: served as {ports}")
    return problems


def service_address(documents: list[Document], module: str) -> str:
    """The in-cluster address of the Service in front of ``module``."""
    (deployment,) = [d for d in deployments(documents) if module_of(d) == module]
    for service in documents:
        if service["kind"] == "Service" and _selects(service, deployment):
            return f"http://{service['metadata']['name']}:{http_port(deployment)}"
    return ""


def probe_problems(documents: list[Document]) -> list[str]:
    """HTTP containers without readiness and liveness probes on /health/*."""
    wanted = {"readinessProbe": "/health/ready", "livenessProbe": "/health/live"}
    problems = []
    for deployment in deployments(documents):
        if http_port(deployment) is None:
            continue
        container = the_container(deployment)
        for probe, path in wanted.items():
            get = container.get(probe, {}).get("httpGet", {})
            if get.get("path") != path or get.get("port") not in ("http", 0):
                problems.append(f"{_named(deployment)}: {probe} is not GET {path}")
    return problems


def resource_problems(documents: list[Document]) -> list[str]:
    """Containers without CPU and memory requests and limits."""
    problems = []
    for container in containers(documents):
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            missing = {"cpu", "memory"} - set(resources.get(bound, {}))
            if missing:
                problems.append(f"{container['name']}: no {bound} {sorted(missing)}")
    return problems


def disruption_problems(documents: list[Document]) -> list[str]:
    """Deployments not covered by exactly one budget, or whose budget blocks drains."""
    budgets = [doc for doc in documents if doc["kind"] == "PodDisruptionBudget"]
    problems = []
    for deployment in deployments(documents):
        covering = [budget for budget in budgets if _selects(budget, deployment)]
        if len(covering) != 1:
            problems.append(f"{_named(deployment)}: {len(covering)} budgets")
            continue
        if not _allows_one_eviction(covering[0], deployment["spec"]["replicas"]):
            problems.append(f"{_named(deployment)}: its budget blocks every drain")
    return problems


def replica_problems(documents: list[Document]) -> list[str]:
    """HTTP processes and consumers below two replicas; relays above one."""
    problems = []
    for deployment in deployments(documents):
        replicas = deployment["spec"].get("replicas", 1)
        relay = module_of(deployment).endswith(".relay")
        if relay and replicas != 1:
            problems.append(f"{_named(deployment)}: a relay must run alone")
        if not relay and replicas < 2:
            problems.append(f"{_named(deployment)}: {replicas} replica(s)")
    return problems


def image_problems(documents: list[Document]) -> list[str]:
    """Images without a tag or digest, or tagged latest."""
    problems = []
    for container in containers(documents):
        _, tag, digest = split_image(container["image"])
        if not digest and tag in ("", "latest"):
            problems.append(f"{container['name']}: image {container['image']}")
    return problems


def secret_problems(documents: list[Document]) -> list[str]:
    """Secrets written into the manifests rather than referred to."""
    problems = [
        f"{_named(doc)} holds secret data"
        for doc in documents
        if doc["kind"] == "Secret"
    ]
    for document in documents:
        if document["kind"] == "ConfigMap":
            problems += _literal_secrets(_named(document), document.get("data", {}))
    for container in containers(documents):
        literals = {
            item["name"]: item["value"]
            for item in container.get("env", [])
            if "value" in item
        }
        problems += _literal_secrets(container["name"], literals)
    return problems


def reference_problems(documents: list[Document]) -> list[str]:
    """References to ConfigMaps or keys that the manifests do not hold."""
    maps = {
        doc["metadata"]["name"]: set(doc.get("data", {}))
        for doc in documents
        if doc["kind"] == "ConfigMap"
    }
    problems = []
    for container in containers(documents):
        for source in container.get("envFrom", []):
            name = source.get("configMapRef", {}).get("name")
            if name is not None and name not in maps:
                problems.append(f"{container['name']}: no ConfigMap {name}")
        for item in container.get("env", []):
            ref = item.get("valueFrom", {}).get("configMapKeyRef")
            if ref and ref["key"] not in maps.get(ref["name"], set()):
                problems.append(f"{container['name']}: no {ref['name']}/{ref['key']}")
    return problems


def security_problems(documents: list[Document]) -> list[str]:
    """Pods that the "restricted" Pod Security Standard would refuse."""
    problems = []
    for deployment in deployments(documents):
        pod = deployment["spec"]["template"]["spec"]
        context = pod.get("securityContext", {})
        if context.get("runAsNonRoot") is not True:
            problems.append(f"{_named(deployment)}: may run as root")
        if context.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{_named(deployment)}: no RuntimeDefault seccomp")
    for container in containers(documents):
        context = container.get("securityContext", {})
        if context.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{container['name']}: may escalate privileges")
        if context.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{container['name']}: writable root filesystem")
        if context.get("capabilities", {}).get("drop") != ["ALL"]:
            problems.append(f"{container['name']}: keeps capabilities")
    return problems


def container_env(
    container: dict[str, Any], documents: list[Document]
) -> dict[str, EnvSource]:
    """Every variable a container gets, and where its value comes from."""
    maps = {
        doc["metadata"]["name"]: doc.get("data", {})
        for doc in documents
        if doc["kind"] == "ConfigMap"
    }
    env: dict[str, EnvSource] = {}
    for source in container.get("envFrom", []):
        name = source.get("configMapRef", {}).get("name")
        env.update(dict.fromkeys(maps.get(name, {}), "config"))
    for item in container.get("env", []):
        env[item["name"]] = _env_source(item)
    return env


def settings_names(package: str) -> frozenset[str]:
    """The ``CARREL_`` variables a service's settings class reads."""
    fields = set(_settings_class(package).model_fields)
    return frozenset(f"CARREL_{field.upper()}" for field in fields)


def env_name_problems(documents: list[Document]) -> list[str]:
    """Variables that no setting of the process's service reads."""
    problems = []
    for deployment in deployments(documents):
        package = module_of(deployment).split(".")[0]
        names = container_env(the_container(deployment), documents)
        problems += [
            f"{_named(deployment)}: {name} is no setting of {package}"
            for name in sorted(set(names) - settings_names(package))
        ]
    return problems


def reads_bind_host(module: str) -> bool:
    """Whether a module's source mentions ``bind_host``, read without running it."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return False
    return "bind_host" in Path(spec.origin).read_text(encoding="utf-8")


def _named(document: Document) -> str:
    return f"{document['kind']}/{document['metadata']['name']}"


def _selects(selector: Document, deployment: Document) -> bool:
    """Whether a budget or Service selects the pods of a Deployment."""
    spec = selector["spec"]
    wanted = spec.get("selector", {})
    if selector["kind"] != "Service":
        wanted = wanted.get("matchLabels", {})
    labels = deployment["spec"]["template"]["metadata"].get("labels", {})
    namespace = selector["metadata"].get("namespace")
    same_namespace = namespace == deployment["metadata"].get("namespace")
    return bool(wanted) and same_namespace and wanted.items() <= labels.items()


def _allows_one_eviction(budget: Document, replicas: int) -> bool:
    spec = budget["spec"]
    if "maxUnavailable" in spec:
        return isinstance(spec["maxUnavailable"], int) and spec["maxUnavailable"] >= 1
    minimum = spec.get("minAvailable")
    return isinstance(minimum, int) and minimum < replicas


def _literal_secrets(owner: str, values: dict[str, Any]) -> list[str]:
    return [
        f"{owner}: {name} is written out"
        for name, value in values.items()
        if SECRET_NAME.search(name) or CREDENTIALS_IN_URL.search(str(value))
    ]


def _env_source(item: dict[str, Any]) -> EnvSource:
    reference = item.get("valueFrom", {})
    if "secretKeyRef" in reference:
        optional = reference["secretKeyRef"].get("optional", False)
        return "optional-secret" if optional else "secret"
    return "config" if "configMapKeyRef" in reference else "value"


@cache
def _settings_class(package: str) -> type[StackSettings]:
    try:
        module = importlib.import_module(f"{package}.settings")
    except ModuleNotFoundError as missing:
        # A service still being written may have no settings yet; then it
        # reads the common ones only.
        if missing.name != f"{package}.settings":
            raise
        return StackSettings
    (found,) = [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, StackSettings)
        and value.__module__ == module.__name__
    ]
    return found
