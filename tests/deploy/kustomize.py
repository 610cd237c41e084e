"""A small Kustomize renderer for the few features deploy/k8s uses.

It knows ``resources``, ``namespace``, ``images``, ``replicas`` and ``labels``
(without selectors) and refuses every other field, so a patch added to a
kustomization fails the tests instead of being ignored. Where ``kubectl`` is
installed, the tests compare this renderer's output with ``kubectl kustomize``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

Document = dict[str, Any]

KNOWN_FIELDS = frozenset(
    {"apiVersion", "kind", "resources", "namespace", "images", "replicas", "labels"}
)
CLUSTER_SCOPED = frozenset(
    {"Namespace", "ClusterRole", "ClusterRoleBinding", "PriorityClass", "StorageClass"}
)
WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"})
SCALABLE = frozenset({"Deployment", "StatefulSet", "ReplicaSet"})


class UnsupportedKustomization(ValueError):
    """The kustomization uses something this renderer does not apply."""


def load_documents(path: Path) -> list[Document]:
    """Every non-empty YAML document of a file."""
    with path.open(encoding="utf-8") as file:
        return [doc for doc in yaml.safe_load_all(file) if doc is not None]


def render(directory: Path) -> list[Document]:
    """The documents a kustomization directory builds to."""
    (kustomization,) = load_documents(directory / "kustomization.yaml")
    unknown = set(kustomization) - KNOWN_FIELDS
    if unknown:
        raise UnsupportedKustomization(f"{directory}: {sorted(unknown)}")
    documents = _resources(directory, kustomization.get("resources", []))
    _refuse_duplicates(directory, documents)
    for entry in kustomization.get("labels", []):
        _add_labels(documents, entry)
    if "namespace" in kustomization:
        _set_namespace(documents, kustomization["namespace"])
    for entry in kustomization.get("images", []):
        _set_image(documents, entry)
    for entry in kustomization.get("replicas", []):
        _set_replicas(documents, entry)
    return documents


def resource_id(document: Document) -> tuple[str, str, str]:
    """Kind, namespace and name: what Kustomize tells resources apart by."""
    metadata = document["metadata"]
    return document["kind"], metadata.get("namespace", ""), metadata["name"]


def _resources(directory: Path, entries: list[str]) -> list[Document]:
    documents: list[Document] = []
    for entry in entries:
        path = directory / entry
        found = render(path) if path.is_dir() else load_documents(path)
        documents.extend(copy.deepcopy(found))
    return documents


def _refuse_duplicates(directory: Path, documents: list[Document]) -> None:
    ids = [resource_id(doc) for doc in documents]
    repeated = {one for one in ids if ids.count(one) > 1}
    if repeated:
        raise UnsupportedKustomization(f"{directory}: repeated {sorted(repeated)}")


def _add_labels(documents: list[Document], entry: dict[str, Any]) -> None:
    if set(entry) - {"pairs", "includeTemplates", "includeSelectors"}:
        raise UnsupportedKustomization(f"labels entry {entry}")
    if entry.get("includeSelectors", False):
        raise UnsupportedKustomization("labels with includeSelectors")
    pairs: dict[str, str] = entry["pairs"]
    for document in documents:
        document["metadata"].setdefault("labels", {}).update(pairs)
        if entry.get("includeTemplates", False) and document["kind"] in WORKLOADS:
            template = document["spec"]["template"]
            template.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)


def _set_namespace(documents: list[Document], namespace: str) -> None:
    for document in documents:
        if document["kind"] not in CLUSTER_SCOPED:
            document["metadata"]["namespace"] = namespace


def _set_image(documents: list[Document], entry: dict[str, str]) -> None:
    if set(entry) - {"name", "newName", "newTag", "digest"}:
        raise UnsupportedKustomization(f"images entry {entry}")

    def rewrite(image: str) -> str:
        name, tag, digest = split_image(image)
        if name != entry["name"]:
            return image
        name = entry.get("newName", name)
        tag = entry.get("newTag", tag)
        digest = entry.get("digest", digest)
        return name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")

    for container in containers(documents):
        container["image"] = rewrite(container["image"])


def _set_replicas(documents: list[Document], entry: dict[str, Any]) -> None:
    if set(entry) != {"name", "count"}:
        raise UnsupportedKustomization(f"replicas entry {entry}")
    targets = [
        doc
        for doc in documents
        if doc["kind"] in SCALABLE and doc["metadata"]["name"] == entry["name"]
    ]
    if not targets:
        raise UnsupportedKustomization(f"replicas for unknown {entry['name']}")
    for target in targets:
        target["spec"]["replicas"] = entry["count"]


def containers(documents: list[Document]) -> Iterator[dict[str, Any]]:
    """Every container and init container of every workload's pod template."""
    for document in documents:
        if document["kind"] not in WORKLOADS:
            continue
        pod = document["spec"]["template"]["spec"]
        yield from pod.get("initContainers", [])
        yield from pod.get("containers", [])


def split_image(image: str) -> tuple[str, str, str]:
    """Name, tag and digest of an image reference; tag and digest may be ''."""
    rest, _, digest = image.partition("@")
    name, colon, tag = rest.rpartition(":")
    if not colon or "/" in tag:
        return rest, "", digest
    return name, tag, digest
