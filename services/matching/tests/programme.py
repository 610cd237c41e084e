"""A small programme told as events: a team, its mentors and a mentee."""

from dataclasses import dataclass, field
from uuid import UUID, uuid4

from carrel_events.contracts import profile
from carrel_events.contracts import teams as t
from carrel_events.contracts.common import SkillLevel

from .events import EventLog

METADATA = "esco.develop-information-standards"
PRESERVATION = "esco.manage-digital-archives"
CATALOGUING = "esco.classify-library-materials"
ARCHIVES = "esco.manage-archive"


@dataclass
class Programme:
    log: EventLog
    profile_topic: str
    teams_topic: str
    team_id: UUID = field(default_factory=uuid4)
    coordinator_id: UUID = field(default_factory=uuid4)
    mentee_id: UUID = field(default_factory=uuid4)
    near_mentor_id: UUID = field(default_factory=uuid4)
    far_mentor_id: UUID = field(default_factory=uuid4)

    def founded(self, **settings: object) -> None:
        self.log.add(
            self.teams_topic,
            self.team_id,
            t.TeamCreated(
                name="Prairie Libraries",
                kind="association",
                settings=t.ProgrammeSettings.model_validate(settings),
                founded_by=self.coordinator_id,
            ),
            self.team_id,
        )

    def joins(
        self, person_id: UUID, *roles: t.MemberRole, capacity: int | None = None
    ) -> None:
        self.log.add(
            self.teams_topic,
            self.team_id,
            t.MemberJoined(
                person_id=person_id,
                roles=list(roles),
                mentor_capacity=capacity,
                via="invitation",
            ),
            self.team_id,
        )

    def profile(self, person_id: UUID, *events: profile.ProfileEvent) -> None:
        for event in events:
            self.log.add(self.profile_topic, person_id, event)

    def everyone_joins_with_profiles(self) -> None:
        self.founded()
        self.joins(self.coordinator_id, "coordinator")
        self.joins(self.mentee_id, "mentee")
        self.joins(self.near_mentor_id, "mentor", capacity=2)
        self.joins(self.far_mentor_id, "mentor", capacity=2)
        self.profile(
            self.mentee_id,
            details("Ada", "Library Assistant", 2),
            profile.LearningGoalsUpdated(
                skill_ids=[METADATA, PRESERVATION, CATALOGUING, ARCHIVES]
            ),
            profile.AspirationsUpdated(target_roles=["Head of Technical Services"]),
            profile.InterestsUpdated(interests=["Zines", "open access"]),
            lincoln(),
        )
        self.profile(
            self.near_mentor_id,
            details("Grace", "Head of Technical Services", 18),
            profile.SkillsUpdated(
                skills=[
                    SkillLevel(skill_id=METADATA, proficiency=5),
                    SkillLevel(skill_id=PRESERVATION, proficiency=4),
                    SkillLevel(skill_id=CATALOGUING, proficiency=4),
                ]
            ),
            profile.InterestsUpdated(interests=["zines"]),
            omaha(),
        )
        self.profile(
            self.far_mentor_id,
            details("Linus", "Archivist", 10),
            profile.SkillsUpdated(
                skills=[SkillLevel(skill_id=ARCHIVES, proficiency=3)]
            ),
            honolulu(),
        )


def details(name: str, role: str, years: int) -> profile.DetailsUpdated:
    return profile.DetailsUpdated(
        display_name=name,
        current_role=role,
        years_of_experience=years,
        languages=["en"],
    )


def lincoln() -> profile.LocationChanged:
    return profile.LocationChanged(
        city="Lincoln", region="NE", country="US",
        latitude=40.8136, longitude=-96.7026, time_zone="America/Chicago",
    )  # fmt: skip


def omaha() -> profile.LocationChanged:
    return profile.LocationChanged(
        city="Omaha", region="NE", country="US",
        latitude=41.2565, longitude=-95.9345, time_zone="America/Chicago",
    )  # fmt: skip


def honolulu() -> profile.LocationChanged:
    return profile.LocationChanged(
        city="Honolulu", region="HI", country="US",
        latitude=21.3069, longitude=-157.8583, time_zone="Pacific/Honolulu",
    )  # fmt: skip
