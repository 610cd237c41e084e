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
LAG = Gauge(
    "carrel_consumer_lag",
    "Messages on a partition that the consumer has not yet processed.",
    ["group", "topic", "partition"],
)
