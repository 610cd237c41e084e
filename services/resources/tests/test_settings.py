"""The settings a test or a demo sets to run the service on topics of its own."""

import pytest
from carrel_resources.settings import ResourcesSettings


def test_the_defaults_are_the_shared_topics_and_the_directory_group() -> None:
    settings = ResourcesSettings()
    assert (
        settings.resources_topic,
        settings.resources_reads_teams_topic,
        settings.resources_reads_profile_topic,
        settings.resources_consumer_group,
    ) == ("resources.events", "teams.events", "profile.events", "resources-directory")


def test_topics_and_group_come_from_the_services_own_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CARREL_RESOURCES_TOPIC", "run1.resources")
    monkeypatch.setenv("CARREL_RESOURCES_READS_TEAMS_TOPIC", "run1.teams")
    monkeypatch.setenv("CARREL_RESOURCES_READS_PROFILE_TOPIC", "run1.profile")
    monkeypatch.setenv("CARREL_RESOURCES_CONSUMER_GROUP", "run1-resources")
    monkeypatch.setenv("CARREL_CONSUMER_GROUP", "meant-for-someone-else")

    settings = ResourcesSettings()

    assert (
        settings.resources_topic,
        settings.resources_reads_teams_topic,
        settings.resources_reads_profile_topic,
        settings.resources_consumer_group,
    ) == ("run1.resources", "run1.teams", "run1.profile", "run1-resources")
