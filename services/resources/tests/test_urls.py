import pytest
from carrel_resources.domain.errors import RuleViolation
from carrel_resources.domain.urls import normalise_url, resource_id_for


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("HTTPS://Example.ORG/Guide/", "https://example.org/Guide"),
        ("https://example.org/guide#section-2", "https://example.org/guide"),
        ("http://example.org:80/a?b=1", "http://example.org/a?b=1"),
        ("https://example.org:8443/", "https://example.org:8443"),
        ("  https://example.org  ", "https://example.org"),
    ],
)
def test_a_url_is_spelt_one_way(raw: str, normal: str) -> None:
    assert normalise_url(raw) == normal


@pytest.mark.parametrize(
    "raw",
    [
        "example.org/guide",
        "ftp://example.org/file",
        "https://",
        "https://exa mple.org/",
        "https://user:secret@example.org/",
        "https://example.org:99999999/",
        "https://[::1/",
        "javascript:alert(1)",
    ],
)
def test_a_malformed_url_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        normalise_url(raw, loc=("links", 0, "url"))

    assert refused.value.loc == ("links", 0, "url")


def test_spellings_of_one_url_share_one_resource_id() -> None:
    first = resource_id_for(normalise_url("https://Glam-Workbench.net/"))
    second = resource_id_for(normalise_url("https://glam-workbench.net#top"))

    assert first == second
    assert first != resource_id_for(normalise_url("https://glam-workbench.net/x"))
