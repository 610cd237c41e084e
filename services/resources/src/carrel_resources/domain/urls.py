"""One URL is one entry: the normal form of a resource's URL and the id from it."""

import re
from urllib.parse import SplitResult, urlsplit, urlunsplit
from uuid import NAMESPACE_URL, UUID, uuid5

from carrel_resources.domain.errors import RuleViolation

_HOST = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_LENGTH = 2000


def normalise_url(raw: str, loc: tuple[str | int, ...] = ("url",)) -> str:
    """The canonical spelling of a web address, or a 422-worthy RuleViolation.

    Scheme and host go to lower case, the fragment and a trailing slash go;
    the query stays, because it often names the document itself.
    """
    text = raw.strip()
    parts = _split(text, loc)
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise RuleViolation(loc, "the URL must start with http:// or https://", "url")
    host = (parts.hostname or "").lower()
    # A host without a dot is well-formed, if unlikely to resolve: the LIBER
    # guides list one (http://natlibfi/...), and a listed row must load.
    if not _HOST.match(host):
        raise RuleViolation(loc, "the URL must name a host like example.org", "url")
    if any(c.isspace() for c in text) or len(text) > MAX_URL_LENGTH:
        raise RuleViolation(loc, "the URL has spaces or is too long", "url")
    return urlunsplit(
        (
            parts.scheme.lower(),
            _netloc(parts, host, loc),
            parts.path.rstrip("/"),
            parts.query,
            "",
        )
    )


def resource_id_for(normalised_url: str) -> UUID:
    """The id of the central index entry for a URL already normalised."""
    return uuid5(NAMESPACE_URL, f"carrel:resource:{normalised_url}")


def _split(text: str, loc: tuple[str | int, ...]) -> SplitResult:
    try:
        return urlsplit(text)
    except ValueError as error:
        raise RuleViolation(loc, f"the URL cannot be read: {error}", "url") from None


def _netloc(parts: SplitResult, host: str, loc: tuple[str | int, ...]) -> str:
    try:
        port = parts.port
    except ValueError:
        raise RuleViolation(loc, "the URL's port is not a number", "url") from None
    if parts.username or parts.password:
        raise RuleViolation(loc, "the URL must not carry a user or password", "url")
    if port is None or port == _DEFAULT_PORTS[parts.scheme.lower()]:
        return host
    return f"{host}:{port}"
