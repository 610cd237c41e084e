"""The real servers do what Carrel needs from them, end to end."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from opensearchpy import OpenSearch
from psycopg import sql

from .stack import Stack

pytestmark = pytest.mark.integration

RECEIVE_TIMEOUT_S = 30
CREATE_TABLE = "CREATE TABLE {} (id integer PRIMARY KEY, name text NOT NULL)"


@pytest.fixture
async def topic(stack: Stack, unique_name: str) -> AsyncIterator[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(unique_name, num_partitions=3, replication_factor=1)]
        )
        try:
            yield unique_name
        finally:
            await admin.delete_topics([unique_name])
    finally:
        await admin.close()


@pytest.fixture
def opensearch(stack: Stack) -> Iterator[Any]:
    client = OpenSearch(hosts=[stack.opensearch_url], timeout=30)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def table(stack: Stack, unique_name: str) -> Iterator[sql.Identifier]:
    name = sql.Identifier(unique_name)
    with psycopg.connect(stack.database_dsn("carrel_test"), autocommit=True) as db:
        db.execute(sql.SQL(CREATE_TABLE).format(name))
        yield name
        db.execute(sql.SQL("DROP TABLE {}").format(name))


async def test_a_message_produced_to_a_new_topic_is_consumed_by_a_group(
    stack: Stack, topic: str
) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=stack.kafka_bootstrap, enable_idempotence=True
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, b'{"skill": "cataloguing"}', key=b"m-1")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=stack.kafka_bootstrap,
        group_id=topic,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), RECEIVE_TIMEOUT_S)
    finally:
        await consumer.stop()

    assert (record.key, record.value) == (b"m-1", b'{"skill": "cataloguing"}')


def test_a_document_indexed_and_refreshed_is_found_by_a_search(
    opensearch: Any, unique_name: str
) -> None:
    opensearch.indices.create(
        index=unique_name,
        body={"mappings": {"properties": {"title": {"type": "text"}}}},
    )
    try:
        opensearch.index(
            index=unique_name, id="r-1", body={"title": "Research data management"}
        )
        opensearch.indices.refresh(index=unique_name)
        found = opensearch.search(
            index=unique_name, body={"query": {"match": {"title": "data"}}}
        )
    finally:
        opensearch.indices.delete(index=unique_name)

    assert [hit["_id"] for hit in found["hits"]["hits"]] == ["r-1"]


# asciifolding comes with analysis-common, search_as_you_type with
# mapper-extras and scripts with lang-painless: none is in the bare zip.
FOLDED_NAMES = {
    "settings": {
        "analysis": {
            "analyzer": {
                "folded": {
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding"],
                }
            }
        }
    },
    "mappings": {
        "properties": {
            "name": {"type": "search_as_you_type", "analyzer": "folded"},
            "sessions": {"type": "integer"},
        }
    },
}
PREFIX_QUERY = {
    "query": {
        "multi_match": {
            "query": "bibliotheque nat",
            "type": "bool_prefix",
            "fields": ["name", "name._2gram", "name._3gram"],
        }
    },
    "script_fields": {
        "doubled": {
            "script": {"lang": "painless", "source": "doc['sessions'].value * 2"}
        }
    },
}


def test_the_modules_added_to_opensearch_fold_accents_and_suggest_as_you_type(
    opensearch: Any, unique_name: str
) -> None:
    opensearch.indices.create(index=unique_name, body=FOLDED_NAMES)
    try:
        opensearch.index(
            index=unique_name,
            id="m-1",
            body={"name": "Bibliothèque nationale", "sessions": 2},
            refresh=True,
        )
        found = opensearch.search(index=unique_name, body=PREFIX_QUERY)
    finally:
        opensearch.indices.delete(index=unique_name)

    [hit] = found["hits"]["hits"]
    assert (hit["_id"], hit["fields"]["doubled"]) == ("m-1", [4])


def test_a_row_written_by_one_connection_is_read_by_another(
    stack: Stack, table: sql.Identifier
) -> None:
    dsn = stack.database_dsn("carrel_test")
    with psycopg.connect(dsn) as writer:
        writer.execute(
            sql.SQL("INSERT INTO {} (id, name) VALUES (%s, %s)").format(table),
            (1, "Mentoring circle"),
        )

    with psycopg.connect(dsn) as reader:
        row = reader.execute(
            sql.SQL("SELECT name FROM {} WHERE id = %s").format(table), (1,)
        ).fetchone()

    assert row == ("Mentoring circle",)
