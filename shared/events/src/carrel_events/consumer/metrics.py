"""Prometheus metrics of the consumer runtime, labelled by consumer group."""

from prometheus_client import Counter, Gauge

PROCESSED = Counter(
    "carrel_consumer_processed_total",
    "Messages a consumer processed (including skipped duplicates).",
    ["group", "topic"],
)
FAILED = Counter(
    "carrel_consumer_failed_total",
    "Messages a consumer sent to the dead-letter topic.",
    ["group", "topic"],
)
RETRIED = Counter(
    "carrel_consumer_retried_total",
    "Attempts a consumer repeated after a transient error.",
    ["group", "topic"],
)
DEPENDENCY_WAIT = Gauge(
    "carrel_consumer_dependency_wait_seconds",
    "How long the batch in hand has waited for a dependency; 0 when none is away.",
    ["group", "topic"],
)
COMMIT_FAILED = Counter(
    "carrel_consumer_commit_failed_total",
    "Offset commits that failed; the offsets are tried again or re-delivered.",
    ["group"],
)
LAG = Gauge(
    "carrel_consumer_lag",
    "Messages on a partition that the consumer has not yet processed.",
    ["group", "topic", "partition"],
)
