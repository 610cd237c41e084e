"""Prometheus metrics of the outbox relay, labelled by relay name."""

from prometheus_client import Counter, Gauge

BACKLOG = Gauge(
    "carrel_relay_backlog",
    "Notifications in the event store that the relay has not yet published.",
    ["relay"],
)
PUBLISHED = Counter(
    "carrel_relay_published_total",
    "Notifications the relay published (internal events included).",
    ["relay"],
)
ACTIVE = Gauge(
    "carrel_relay_active",
    "1 while this copy holds the relay's lock and publishes, 0 while it waits.",
    ["relay"],
)
