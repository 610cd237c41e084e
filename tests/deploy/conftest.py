"""The rendered manifests, fresh for each test so that a test may break them."""

import pytest

from tests.deploy.kustomize import Document, render
from tests.deploy.rules import K8S, PRODUCTION


@pytest.fixture
def production() -> list[Document]:
    """What `kubectl apply -k deploy/k8s/overlays/production` would send."""
    return render(PRODUCTION)


@pytest.fixture
def base() -> list[Document]:
    return render(K8S / "base")
