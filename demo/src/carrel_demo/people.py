"""The participants: invited by their library's coordinator, then their profiles.

Each participant accepts their invitation as a newcomer (the gateway makes
their member id and profile), fills in the sections of their profile as
themselves, and a mentor says how many mentees they take in their team.
"""

import hashlib
from typing import Any
from uuid import UUID

from carrel_demo.api import token_in
from carrel_demo.journal import InvitationRecord
from carrel_demo.load import Load
from carrel_demo.programme import STATE_NAMES, TIME_ZONES, Participant

_COORDINATOR_NAMES = (
    "Alex Moreno",
    "Brooke Lindgren",
    "Casey Odum",
    "Devon Achebe",
    "Emery Castellano",
    "Frankie Nguyen",
    "Harper Kaur",
    "Jordan Whitfield",
    "Morgan Petrov",
    "Riley Osei",
)


def coordinator_name(team_name: str) -> str:
    """An invented coordinator's name, the same for a team on every run."""
    digest = hashlib.sha256(team_name.encode()).digest()
    return _COORDINATOR_NAMES[digest[0] % len(_COORDINATOR_NAMES)]


async def invite_and_accept(load: Load) -> None:
    """Every participant not yet a member is invited and accepts."""
    joined = load.journal.state.members
    waiting = [p for p in load.people if p.key not in joined]
    await load.each("members", waiting, lambda person: _join(load, person))


async def _join(load: Load, person: Participant) -> None:
    state = load.journal.state
    invitation = state.invitations.get(person.key) or await _invite(load, person)
    answer = await load.api.json(
        "POST",
        "/sessions/invitation",
        json={
            "invitation_id": str(invitation.invitation_id),
            "token": invitation.token,
            "display_name": person.display_name,
        },
    )
    state.members[person.key] = UUID(answer["member_id"])
    load.tokens[state.members[person.key]] = answer["access_token"]
    del state.invitations[person.key]
    load.added["members"] += 1
    load.journal.note()


async def _invite(load: Load, person: Participant) -> InvitationRecord:
    team = load.team_of(person.library)
    sent = await load.api.json(
        "POST",
        f"/teams/{team.team_id}/invitations",
        token=await load.coordinator(team),
        json={
            "name": person.display_name,
            "email": person.email,
            "roles": list(person.roles),
        },
    )
    record = InvitationRecord(invitation_id=sent["id"], token=token_in(sent["link"]))
    load.journal.state.invitations[person.key] = record
    load.added["invitations"] += 1
    load.journal.note()
    return record


async def fill_profiles(load: Load) -> None:
    """Each member writes the sections of their profile, one after another."""
    state = load.journal.state
    todo = [p for p in load.people if p.key in state.members]
    todo = [p for p in todo if p.key not in state.profiles]
    await load.each("profiles", todo, lambda person: _fill(load, person))


async def _fill(load: Load, person: Participant) -> None:
    member_id = load.member_id(person)
    assert member_id is not None
    token = await load.session(member_id, load.team_of(person.library).team_id)
    for section, body in profile_sections(person):
        await load.api.call("PUT", f"/me/profile/{section}", token=token, json=body)
        load.added["profile sections"] += 1
    load.journal.state.profiles.add(person.key)
    load.journal.note()


def profile_sections(person: Participant) -> list[tuple[str, dict[str, Any]]]:
    """The sections of the person's profile as the profile API takes them."""
    library = person.library
    sections: list[tuple[str, dict[str, Any]]] = [
        ("details", _details(person)),
        ("skills", {"skills": [_level(s, n) for s, n in person.skills]}),
        ("interests", {"interests": list(person.interests)}),
        ("location", _location(person)),
        ("mentoring", _mentoring(person)),
    ]
    if person.learning_goals:
        sections.append(("learning-goals", {"skill_ids": list(person.learning_goals)}))
    if person.aspirations:
        sections.append(("aspirations", {"target_roles": list(person.aspirations)}))
    assert library.library_id
    return sections


def _details(person: Participant) -> dict[str, Any]:
    library = person.library
    return {
        "display_name": person.display_name,
        "headline": f"{person.current_role} at {library.name}"[:200],
        "current_role": person.current_role[:200],
        "institution": {"name": library.name[:120], "library_id": library.library_id},
        "years_of_experience": person.years_of_experience,
        "languages": list(person.languages),
    }


def _level(skill_id: str, proficiency: int) -> dict[str, Any]:
    return {"skill_id": skill_id, "proficiency": proficiency}


def _location(person: Participant) -> dict[str, Any]:
    library = person.library
    return {
        "city": library.city,
        "region": STATE_NAMES.get(library.state, library.state),
        "country": "US",
        "latitude": library.latitude,
        "longitude": library.longitude,
        "time_zone": TIME_ZONES.get(library.state, ""),
    }


def _mentoring(person: Participant) -> dict[str, Any]:
    return {
        "roles": list(person.roles),
        "mentor_capacity": person.mentor_capacity,
        "meeting_preference": "either",
        "place_weight": 0.5,
    }


async def set_capacities(load: Load) -> None:
    """Each mentor sets how many mentees they take in their team."""
    state = load.journal.state
    mentors = [p for p in load.people if p.is_mentor and p.key in state.profiles]
    todo = [p for p in mentors if p.key not in state.capacities]
    await load.each("mentor capacity", todo, lambda person: _capacity(load, person))


async def _capacity(load: Load, person: Participant) -> None:
    member_id = load.member_id(person)
    assert member_id is not None
    team = load.team_of(person.library)
    await load.api.call(
        "PUT",
        f"/teams/{team.team_id}/members/{member_id}/mentor-capacity",
        token=await load.session(member_id, team.team_id),
        json={"mentor_capacity": person.mentor_capacity},
    )
    load.journal.state.capacities.add(person.key)
    load.added["mentor capacities"] += 1
    load.journal.note()
