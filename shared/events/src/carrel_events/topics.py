"""Kafka topic names: one topic per producing service, and a dead-letter twin."""

from enum import StrEnum


class Topic(StrEnum):
    PROFILE = "profile.events"
    TEAMS = "teams.events"
    RESOURCES = "resources.events"
    MATCHING = "matching.events"


DEAD_LETTER_SUFFIX = ".dlq"


def dead_letter_topic(topic: str) -> str:
    """The topic where messages of ``topic`` that cannot be processed go."""
    return topic + DEAD_LETTER_SUFFIX
