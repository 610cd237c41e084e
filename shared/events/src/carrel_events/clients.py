"""How every Kafka, OpenSearch and PostgreSQL client of Carrel is configured.

One place turns :class:`~carrel_events.settings.StackSettings` into client
options, so that TLS and authentication reach every client a process makes:

- :func:`kafka_options` for every aiokafka producer, consumer and admin client;
- :func:`opensearch_options` for every opensearch-py client;
- :meth:`StackSettings.database_dsn` and
  :func:`~carrel_events.settings.eventsourcing_env` for psycopg, SQLAlchemy
  and the eventsourcing library.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code
from aiokafka.helpers import create_ssl_context

from carrel_events.settings import StackSettings
from carrel_events.topics import dead_letter_topic

Kafka = str | Mapping[str, Any]
"""A broker address, or the whole options that :func:`kafka_options` made."""


def kafka_options(settings: StackSettings) -> dict[str, Any]:
    """Keyword arguments for any aiokafka client: brokers, TLS and SASL."""
    protocol = settings.kafka_security_protocol
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap,
        "security_protocol": protocol,
    }
    if protocol.endswith("SSL"):
        options["ssl_context"] = create_ssl_context(
            cafile=_path(settings.kafka_ssl_cafile),
            certfile=_path(settings.kafka_ssl_certfile),
            keyfile=_path(settings.kafka_ssl_keyfile),
        )
    if protocol.startswith("SASL"):
        password = settings.kafka_sasl_password
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism
        options["sasl_plain_username"] = settings.kafka_sasl_username
        options["sasl_plain_password"] = password.get_secret_value() if password else ""
    return options


def kafka_client_options(kafka: Kafka) -> dict[str, Any]:
    """The options of :func:`kafka_options`, or a plain address's (tests)."""
    if isinstance(kafka, str):
        return {"bootstrap_servers": kafka}
    return dict(kafka)


def opensearch_options(settings: StackSettings) -> dict[str, Any]:
    """Keyword arguments for an opensearch-py client: address, auth and TLS."""
    options: dict[str, Any] = {"hosts": [settings.opensearch_url]}
    if settings.opensearch_username and settings.opensearch_password:
        options["http_auth"] = (
            settings.opensearch_username,
            settings.opensearch_password.get_secret_value(),
        )
    if settings.opensearch_url.startswith("https://"):
        options["verify_certs"] = settings.opensearch_verify_certs
        options["ssl_show_warn"] = settings.opensearch_verify_certs
        if settings.opensearch_ca_file:
            options["ca_certs"] = str(settings.opensearch_ca_file)
    return options


# An event topic is the record every read model is rebuilt from, read from
# its beginning, and a dead letter waits until a person retries it: Kafka
# deletes neither for age or size.
KEEP_FOREVER = {"retention.ms": "-1", "retention.bytes": "-1"}


async def create_topics(
    kafka: Kafka, names: Iterable[str], partitions: int, replication: int
) -> list[str]:
    """Create each event topic and its dead-letter twin; the ones made now.

    Both keep their messages forever (:data:`KEEP_FOREVER`). A topic that
    already exists is left as it is, retention included: one made by an
    older version keeps the broker's default retention until an operator
    changes it (``kafka-configs --alter``).
    """
    wanted = [_kept_forever(n, partitions, replication) for n in names]
    wanted += [_kept_forever(dead_letter_topic(t.name), 1, replication) for t in wanted]
    admin = AIOKafkaAdminClient(**kafka_client_options(kafka))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t.name not in existing]
        if not missing:
            return []
        answer = await admin.create_topics(missing)
        _refuse_errors(answer.topic_errors)
        # A topic made a moment ago may be missing from the listing yet: the
        # broker's answer says which ones this call really made.
        made = {str(topic) for topic, code, *_ in answer.topic_errors if not code}
        return [t.name for t in missing if t.name in made]
    finally:
        await admin.close()


def _kept_forever(name: str, partitions: int, replication: int) -> NewTopic:
    return NewTopic(name, partitions, replication, topic_configs=dict(KEEP_FOREVER))


def _refuse_errors(topic_errors: Iterable[tuple[Any, ...]]) -> None:
    for topic, code, *message in topic_errors:
        # Another process may have made a topic since the listing.
        if code and code != TopicAlreadyExistsError.errno:
            raise for_code(code)(f"topic {topic}: {message}")


def _path(value: object) -> str | None:
    return str(value) if value else None
