"""Event topics and their dead-letter twins keep every message."""

import uuid
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from carrel_events import dead_letter_topic
from carrel_events.clients import create_topics

pytestmark = pytest.mark.integration


async def topic_configs(bootstrap: str, topic: str) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        resource = ConfigResource(ConfigResourceType.TOPIC, topic)
        responses = await admin.describe_configs([resource])
    finally:
        await admin.close()
    _, _, _, _, entries = responses[0].resources[0]
    return {name: value for name, value, *_ in entries}


async def test_event_and_dead_letter_topics_are_made_to_keep_events_forever(
    stack: Any,
) -> None:
    topic = f"it.topics.retention.{uuid.uuid4().hex[:12]}"

    made = await create_topics(stack.kafka_bootstrap, [topic], 3, 1)

    assert sorted(made) == sorted([topic, dead_letter_topic(topic)])
    for name in made:
        configs = await topic_configs(stack.kafka_bootstrap, name)
        assert (configs["retention.ms"], configs["retention.bytes"]) == ("-1", "-1")
