"""The runtime every Kafka consumer of Carrel runs on."""

from carrel_events.consumer.ledger import AppliedVersions
from carrel_events.consumer.runtime import (
    ConsumerRuntime,
    Delivery,
    RetryPolicy,
    run_until_signalled,
)

__all__ = [
    "AppliedVersions",
    "ConsumerRuntime",
    "Delivery",
    "RetryPolicy",
    "run_until_signalled",
]
