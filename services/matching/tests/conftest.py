"""Fixtures of the matching tests: the real vocabulary, people, PostgreSQL."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.settings import MatchingSettings
from carrel_vocabulary import load_vocabulary
from psycopg import sql

TEST_DATABASE = "carrel_test"
DATA_DIR = MatchingSettings().data_dir


@pytest.fixture(scope="session")
def skills() -> VocabularySkills:
    return VocabularySkills(load_vocabulary(Path(DATA_DIR)))


@pytest.fixture
def matching_settings(stack: Any) -> Iterator[MatchingSettings]:
    """Settings on a fresh schema of its own in ``carrel_test``, unique topics."""
    schema = f"matching_{uuid4().hex[:12]}"
    dsn = stack.database_dsn(TEST_DATABASE)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    suffix = uuid4().hex[:10]
    yield MatchingSettings(
        pg_dsn=stack.pg_dsn,
        kafka_bootstrap=stack.kafka_bootstrap,
        matching_database=TEST_DATABASE,
        matching_schema=schema,
        matching_consumer_group=f"matching-test-{suffix}",
        profile_topic=f"test.profile.{suffix}",
        teams_topic=f"test.teams.{suffix}",
        matching_topic=f"test.matching.{suffix}",
    )
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema))
        )
