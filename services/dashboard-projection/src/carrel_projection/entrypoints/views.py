"""What the read API answers: pydantic models, and how answers are shaped."""

from typing import Any, Self

from pydantic import BaseModel, ConfigDict

from carrel_projection.domain.documents import Document


class View(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @classmethod
    def of(cls, source: Document) -> Self:
        """The view of a document, taking only the fields the view shows."""
        return cls.model_validate(
            {k: v for k, v in source.items() if k in cls.model_fields}
        )


class GeoPoint(View):
    lat: float
    lon: float


class SkillLevel(View):
    skill_id: str
    proficiency: int


class MemberCard(View):
    """A member as the directory shows them; absent sections are private or unset."""

    person_id: str
    display_name: str = ""
    roles: list[str] = []
    headline: str | None = None
    current_role: str | None = None
    institution: str | None = None
    years_of_experience: int | None = None
    has_library_degree: bool | None = None
    languages: list[str] = []
    skills: list[SkillLevel] = []
    interests: list[str] = []
    learning_goals: list[str] = []
    aspirations: list[str] = []
    city: str | None = None
    region: str | None = None
    country: str | None = None
    location: GeoPoint | None = None
    time_zone: str | None = None
    mentoring_roles: list[str] = []
    meeting_preference: str | None = None
    available: bool | None = None
    paused_until: str | None = None
    match_status: str | None = None
    mentor_capacity: int | None = None
    active_mentees: int = 0
    at_capacity: bool = False
    spare_places: int | None = None
    typical_response_hours: float | None = None
    """For a mentor: the median time to first answer a request."""
    paused_for_silence: bool = False
    group_ids: list[str] = []
    joined_at: str | None = None
    distance_km: float | None = None


class FacetCount(View):
    value: str
    count: int


class DirectoryPage(View):
    total: int
    members: list[MemberCard]
    facets: dict[str, list[FacetCount]]


def member_card(hit: dict[str, Any], by_distance: bool) -> MemberCard:
    card = MemberCard.of(hit["_source"])
    if by_distance and hit.get("sort"):
        card.distance_km = round(float(hit["sort"][0]), 3)
    return card


def directory_page(answer: dict[str, Any], by_distance: bool) -> DirectoryPage:
    facets = {
        name: [
            FacetCount(
                value=str(b.get("key_as_string", b["key"])), count=b["doc_count"]
            )
            for b in agg["buckets"]
        ]
        for name, agg in answer["aggregations"].items()
    }
    members = [member_card(hit, by_distance) for hit in answer["hits"]["hits"]]
    return DirectoryPage(
        total=answer["hits"]["total"]["value"], members=members, facets=facets
    )


class Members(View):
    total: int
    by_role: dict[str, int]


class Mentees(View):
    total: int
    matched: int
    requested: int
    unmatched: int
    with_candidates: int
    """Mentees for whom matching has ranked at least one mentor."""


class MentorLoad(View):
    mentors: int
    at_capacity: int
    available: int
    active_mentees: int
    capacity: int


class Requests(View):
    pending: int
    expired: int
    declined: int
    accepted: int
    ended: int


class StalledPair(View):
    mentorship_id: str
    mentor_id: str
    mentee_id: str
    last_session_on: str | None = None
    accepted_at: str | None = None


class Stalled(View):
    after_days: int
    count: int
    pairs: list[StalledPair]


class SkillBalance(View):
    skill_id: str
    supply: int
    demand: int


class GroupSize(View):
    group_id: str
    name: str
    member_count: int


class ResourceUse(View):
    shared: int
    opened: int
    completed: int


class WeekOfJoins(View):
    week: str
    """The Monday the week starts on."""
    total: int
    by_source: dict[str, int]


class Wait(View):
    """How long newcomers waited, over those who got there; None when no one has."""

    count: int
    median_seconds: float | None
    p90_seconds: float | None


class PausedMentor(View):
    person_id: str
    display_name: str = ""
    paused_at: str | None = None


class Growth(View):
    joins_by_week: list[WeekOfJoins]
    """The last twelve weeks with joins, oldest first."""
    join_sources: dict[str, int]
    to_first_candidate: Wait
    to_first_mentorship: Wait
    graduations_invited: int
    graduations_accepted: int
    paused_for_silence: list[PausedMentor]


class HighlightedMentor(View):
    """A mentor with spare places in skills many mentees want to learn."""

    person_id: str
    display_name: str = ""
    spare_places: int
    wanted_skills: list[str]


class MemberTeam(View):
    """One member team of a consortium, on the consortium's dashboard.

    Only a team that consents to share with the consortium shows its figures;
    the others show their name and zeros.
    """

    team_id: str
    name: str
    consenting: bool
    mentors: int
    mentees: int
    mentees_matched: int
    mentees_with_candidates: int


class Dashboard(View):
    """A team's dashboard, computed from the read models when asked.

    A consortium's dashboard counts its own members and those of every member
    team that consents to share, and lists the member teams one by one.
    """

    members: Members
    mentees: Mentees
    requests: Requests
    mentor_load: MentorLoad
    sessions_last_30_days: int
    stalled: Stalled
    skills: list[SkillBalance]
    groups: list[GroupSize]
    resources: ResourceUse
    member_teams: list[MemberTeam]
    growth: Growth
    highlighted_mentors: list[HighlightedMentor]


def _buckets(agg: dict[str, Any]) -> dict[str, int]:
    return {str(b["key"]): b["doc_count"] for b in agg["buckets"]}


def dashboard(
    answers: dict[str, Any],
    stalled_after_days: int,
    member_teams: tuple[Document, ...] = (),
) -> Dashboard:
    members = answers["members"]
    aggs = members["aggregations"]
    mentors = aggs["mentors"]
    return Dashboard(
        members=Members(
            total=members["hits"]["total"]["value"], by_role=_buckets(aggs["roles"])
        ),
        mentees=_mentees(aggs["mentees"]),
        requests=_requests(answers["mentorships"]),
        mentor_load=MentorLoad(
            mentors=mentors["doc_count"],
            at_capacity=mentors["at_capacity"]["doc_count"],
            available=mentors["available"]["doc_count"],
            active_mentees=int(mentors["active_mentees"]["value"]),
            capacity=int(mentors["capacity"]["value"]),
        ),
        sessions_last_30_days=answers["sessions"]["hits"]["total"]["value"],
        stalled=_stalled(answers["mentorships"], stalled_after_days),
        skills=_skills(_buckets(mentors["supply"]), _buckets(aggs["demand"]["goals"])),
        groups=_group_sizes(answers["groups"], answers["group_sizes"]),
        resources=_resources(answers["shares"], answers["progress"]),
        member_teams=_member_teams(member_teams, aggs["by_team"]),
        growth=_growth(answers["growth"]["aggregations"]),
        highlighted_mentors=_highlighted(answers["highlighted"]),
    )


def _growth(aggs: dict[str, Any]) -> Growth:
    weeks = [
        WeekOfJoins(
            week=b["key_as_string"][:10],
            total=b["doc_count"],
            by_source=_buckets(b["source"]),
        )
        for b in aggs["joins"]["buckets"]
    ]
    paused = aggs["paused"]["who"]["hits"]["hits"]
    graduations = _buckets(aggs["graduations"])
    return Growth(
        joins_by_week=weeks[-12:],
        join_sources=_buckets(aggs["sources"]),
        to_first_candidate=_wait(aggs, "to_first_candidate"),
        to_first_mentorship=_wait(aggs, "to_first_mentorship"),
        graduations_invited=graduations.get("invited", 0)
        + graduations.get("accepted", 0),
        graduations_accepted=graduations.get("accepted", 0),
        paused_for_silence=[PausedMentor.of(h["_source"]) for h in paused],
    )


def _wait(aggs: dict[str, Any], name: str) -> Wait:
    values = aggs[name]["values"]
    return Wait(
        count=int(aggs[f"{name}_count"]["value"]),
        median_seconds=values.get("50.0"),
        p90_seconds=values.get("90.0"),
    )


def _highlighted(answer: dict[str, Any] | None) -> list[HighlightedMentor]:
    if answer is None:
        return []
    wanted = set(answer["wanted_skills"])
    return [
        HighlightedMentor(
            person_id=h["_source"]["person_id"],
            display_name=h["_source"].get("display_name", ""),
            spare_places=h["_source"]["spare_places"],
            wanted_skills=sorted(wanted & set(h["_source"].get("skill_ids", []))),
        )
        for h in answer["hits"]["hits"]
    ]


def _mentees(agg: dict[str, Any]) -> Mentees:
    status = _buckets(agg["status"])
    return Mentees(
        total=agg["doc_count"],
        matched=status.get("matched", 0),
        requested=status.get("requested", 0),
        unmatched=status.get("unmatched", 0),
        with_candidates=agg["with_candidates"]["doc_count"],
    )


def _member_teams(
    member_teams: tuple[Document, ...], by_team: dict[str, Any]
) -> list[MemberTeam]:
    counted = {b["key"]: b for b in by_team["buckets"]}
    listed = []
    for team in member_teams:
        bucket = counted.get(team["team_id"]) if team["consenting"] else None
        mentees = _mentees(bucket["mentees"]) if bucket else None
        listed.append(
            MemberTeam(
                **team,
                mentors=bucket["mentors"]["doc_count"] if bucket else 0,
                mentees=mentees.total if mentees else 0,
                mentees_matched=mentees.matched if mentees else 0,
                mentees_with_candidates=mentees.with_candidates if mentees else 0,
            )
        )
    return sorted(listed, key=lambda t: (t.name.casefold(), t.team_id))


def _requests(answer: dict[str, Any]) -> Requests:
    status = _buckets(answer["aggregations"]["status"])
    return Requests(
        pending=status.get("requested", 0) + status.get("information_requested", 0),
        expired=status.get("expired", 0),
        declined=status.get("declined", 0),
        accepted=status.get("accepted", 0),
        ended=status.get("ended", 0),
    )


def _stalled(answer: dict[str, Any], after_days: int) -> Stalled:
    agg = answer["aggregations"]["stalled"]
    pairs = [
        StalledPair.model_validate(h["_source"]) for h in agg["pairs"]["hits"]["hits"]
    ]
    return Stalled(after_days=after_days, count=agg["doc_count"], pairs=pairs)


def _skills(supply: dict[str, int], demand: dict[str, int]) -> list[SkillBalance]:
    """Skills mentors offer against skills mentees want, widest gap first."""
    balances = [
        SkillBalance(skill_id=s, supply=supply.get(s, 0), demand=demand.get(s, 0))
        for s in sorted(supply.keys() | demand.keys())
    ]
    return sorted(balances, key=lambda b: (b.supply - b.demand, b.skill_id))


def _group_sizes(groups: dict[str, Any], sizes: dict[str, Any]) -> list[GroupSize]:
    """Active groups, each counting the team's current members in it."""
    counted = _buckets(sizes["aggregations"]["groups"])
    return [
        GroupSize(
            group_id=hit["_source"]["group_id"],
            name=hit["_source"]["name"],
            member_count=counted.get(hit["_source"]["group_id"], 0),
        )
        for hit in groups["hits"]["hits"]
    ]


def _resources(shares: dict[str, Any], progress: dict[str, Any]) -> ResourceUse:
    aggs = progress["aggregations"]
    return ResourceUse(
        shared=shares["hits"]["total"]["value"],
        opened=aggs["opened"]["doc_count"],
        completed=aggs["completed"]["doc_count"],
    )


class ActivityEntry(View):
    event_id: str
    event_type: str
    occurred_at: str
    actor_id: str | None
    actor_name: str | None
    subject_ids: list[str]
    subject_names: list[str]
    facts: dict[str, Any]


class ActivityPage(View):
    entries: list[ActivityEntry]
    next_before: str | None
    """Pass as ``before`` for the next, older page; none at the end."""


class Group(View):
    group_id: str
    name: str
    origin: str | None
    member_ids: list[str]
    member_count: int
    archived: bool
    created_at: str | None = None


class SharedResource(View):
    share_id: str
    resource_id: str
    title: str | None
    url: str | None
    resource_status: str | None
    audience: str
    group_id: str | None
    recipient_ids: list[str]
    recipient_count: int
    shared_by: str
    shared_at: str
    opened: int
    completed: int


class Material(View):
    resource_id: str
    title: str
    url: str | None
    status: str
    skill_ids: list[str]


class TeamResources(View):
    shared: list[SharedResource]
    material: list[Material]
