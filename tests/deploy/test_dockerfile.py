"""deploy/docker/Dockerfile holds the whole workspace and runs as the pods expect.

No Docker engine here, so the image has never been built by these tests: they
read the file. Its uv steps were rehearsed outside Docker (deploy/k8s/README.md).
"""

import json
import re
import tomllib

from tests.deploy import rules
from tests.deploy.kustomize import Document

DOCKERFILE = rules.REPO / "deploy" / "docker" / "Dockerfile"
IGNORE = DOCKERFILE.with_name("Dockerfile.dockerignore")


def instructions() -> list[tuple[str, str]]:
    """Each instruction and its arguments, continuation lines joined."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def workspace_members() -> list[str]:
    """The folders of the uv workspace, its globs expanded."""
    root = tomllib.loads((rules.REPO / "pyproject.toml").read_text(encoding="utf-8"))
    members = []
    for pattern in root["tool"]["uv"]["workspace"]["members"]:
        for folder in sorted(rules.REPO.glob(pattern)):
            if (folder / "pyproject.toml").is_file():
                members.append(folder.relative_to(rules.REPO).as_posix())
    return members


def test_the_dependency_layer_sees_every_workspace_member() -> None:
    copies = {rest for keyword, rest in instructions() if keyword == "COPY"}
    for member in workspace_members():
        assert f"{member}/pyproject.toml {member}/" in copies, member


def test_the_source_layer_copies_every_workspace_member() -> None:
    sources = [
        rest.split()[0]
        for keyword, rest in instructions()
        if keyword == "COPY" and not rest.startswith("--")
    ]
    for member in workspace_members():
        assert any(f"{member}/".startswith(source) for source in sources), member


def test_the_image_takes_the_module_to_run_as_its_command() -> None:
    (entrypoint,) = [
        rest for keyword, rest in instructions() if keyword == "ENTRYPOINT"
    ]
    assert json.loads(entrypoint) == ["python", "-m"]


def test_the_image_user_is_the_one_the_pods_run_as(
    production: list[Document],
) -> None:
    (user,) = [rest for keyword, rest in instructions() if keyword == "USER"]
    uid, _, gid = user.partition(":")
    for deployment in rules.deployments(production):
        context = deployment["spec"]["template"]["spec"]["securityContext"]
        assert (context["runAsUser"], context["runAsGroup"]) == (int(uid), int(gid))


def test_the_build_context_lets_every_workspace_member_in() -> None:
    lines = IGNORE.read_text(encoding="utf-8").splitlines()
    allowed = [line[1:] for line in lines if line.startswith("!")]
    assert lines.index("**") < lines.index(f"!{allowed[0]}")
    for member in workspace_members():
        assert any(f"{member}/".startswith(path) for path in allowed), member
