"""A team's own document: its name, kind, and the settings the read side needs."""

from datetime import date
from typing import Any

from carrel_events.contracts import teams as events
from carrel_events.serialisation import DecodedEvent

from carrel_projection.domain.documents import Document, mark_applied, stamped

DEFAULT_CAPACITY = events.ProgrammeSettings().default_mentor_capacity
TEAM_LEVEL_EVENTS = (
    events.TeamCreated,
    events.TeamSettingsChanged,
    events.ConsortiumMemberTeamAdded,
    events.ConsortiumConsentGiven,
    events.ConsortiumConsentWithdrawn,
    events.CohortRolledOver,
)
MEMBERSHIP_EVENTS = (
    events.MemberJoined,
    events.MemberRoleChanged,
    events.MentorCapacityChanged,
    events.MemberLeft,
    events.MentorPaused,
    events.MentorResumed,
    events.GraduationInvited,
    events.GraduationAccepted,
    events.MentorCapacityConfirmed,
)


def new_team(team_id: str) -> Document:
    return {
        "team_id": team_id,
        "name": "",
        "kind": None,
        **_settings(events.ProgrammeSettings()),
        "member_team_ids": [],
        "consenting_team_ids": [],
        "cohorts_rolled_over": 0,
        "applied": {},
    }


def apply(team: Document, event: DecodedEvent) -> Document:
    """``team`` after one team-level event (the caller checks the ledger)."""
    return stamped(mark_applied(_changed(team, event.payload), event), event)


def _changed(team: Document, payload: Any) -> Document:
    if isinstance(payload, events.TeamCreated):
        named = {**team, "name": payload.name, "kind": payload.kind}
        return {**named, **_settings(payload.settings)}
    if isinstance(payload, events.TeamSettingsChanged):
        return {**team, **_settings(payload.settings)}
    if isinstance(payload, events.CohortRolledOver):
        return {
            **team,
            "cohort_starts_on": payload.cohort_starts_on.isoformat(),
            "cohort_ends_on": payload.cohort_ends_on.isoformat(),
            "cohorts_rolled_over": team.get("cohorts_rolled_over", 0) + 1,
        }
    member_team = str(getattr(payload, "member_team_id", ""))
    if isinstance(payload, events.ConsortiumMemberTeamAdded):
        return _with(team, "member_team_ids", member_team, True)
    if isinstance(payload, events.ConsortiumConsentGiven):
        return _with(team, "consenting_team_ids", member_team, True)
    if isinstance(payload, events.ConsortiumConsentWithdrawn):
        return _with(team, "consenting_team_ids", member_team, False)
    return team


def _with(team: Document, field: str, value: str, present: bool) -> Document:
    others = [v for v in team[field] if v != value]
    return {**team, field: sorted([*others, value]) if present else others}


def _settings(settings: events.ProgrammeSettings) -> dict[str, Any]:
    return {
        "mode": settings.mode,
        "cohort_starts_on": _day(settings.cohort_starts_on),
        "cohort_ends_on": _day(settings.cohort_ends_on),
        "programme_summary": settings.programme_summary,
        "programme_page_visible_to": settings.programme_page_visible_to,
        "referrals_need_approval": settings.referrals_need_approval,
        "default_mentor_capacity": settings.default_mentor_capacity,
        "request_expiry_hours": settings.request_expiry_hours,
        "mentors_visible_to": settings.visibility.mentors_visible_to,
        "mentees_visible_to": settings.visibility.mentees_visible_to,
    }


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None
