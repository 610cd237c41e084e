"""The programme at work: shared resources, mentorships with sessions, groups.

These steps need the read side: the resources service must know who
coordinates a team before it lets them share, and matching must have ranked a
mentee's candidates before the mentee can pick the best. So they wait, a
bounded time, for the events to arrive, and say so when they do not.
"""

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

from carrel_demo.api import LoadError
from carrel_demo.journal import MentorshipRecord
from carrel_demo.load import Load
from carrel_demo.programme import Library, Participant

T = TypeVar("T")

# Answers of a service whose read side has not seen the change yet.
NOT_YET = frozenset({403, 404, 409, 422, 503})
PATIENCE_SECONDS = 120.0


async def patiently(
    attempt: Callable[[], Awaitable[T]], within: float = PATIENCE_SECONDS
) -> T:
    """Try again while the answer is one the read side gives before it catches up."""
    deadline = time.monotonic() + within
    while True:
        try:
            return await attempt()
        except LoadError as error:
            if error.status_code not in NOT_YET or time.monotonic() > deadline:
                raise
        await asyncio.sleep(1.0)


async def share_resources(load: Load) -> None:
    """Each coordinator shares a few central-index resources with their team."""
    wanted = load.settings.demo_shares_per_team
    shares = load.journal.state.shares
    todo = [
        lib for lib in load.libraries if len(shares.get(lib.library_id, [])) < wanted
    ]
    if not todo:
        return
    catalogue = await _central_index(load)
    await load.each("resource shares", todo, lambda lib: _share(load, lib, catalogue))


async def _central_index(load: Load) -> list[UUID]:
    consortium = load.journal.state.consortium
    assert consortium is not None
    page = await load.api.json(
        "GET",
        "/catalogue/entries",
        token=await load.coordinator(consortium),
        params={"limit": 500},
    )
    return sorted(UUID(entry["id"]) for entry in page["entries"])


async def _share(load: Load, library: Library, catalogue: list[UUID]) -> None:
    team = load.team_of(library)
    token = await load.coordinator(team)
    rng = random.Random(f"{load.settings.demo_seed}:{library.library_id}")
    picks = rng.sample(
        catalogue, min(load.settings.demo_shares_per_team, len(catalogue))
    )
    done = load.journal.state.shares.setdefault(library.library_id, [])
    for resource_id in [r for r in picks if r not in done]:
        await patiently(partial(_share_one, load, team.team_id, token, resource_id))
        done.append(resource_id)
        load.added["resource shares"] += 1
        load.journal.note()


async def _share_one(load: Load, team_id: UUID, token: str, resource_id: UUID) -> None:
    body = {
        "resource_id": str(resource_id),
        "audience": {"kind": "team"},
        "note": "Worth an hour this month: pick it up and tell us what you think.",
    }
    await load.api.call("POST", f"/teams/{team_id}/shares", token=token, json=body)


def chosen_mentees(load: Load) -> list[Participant]:
    """The mentees who ask for a mentor: the same ones on every run."""
    mentees = [p for p in load.people if not p.is_mentor]
    rng = random.Random(load.settings.demo_seed)
    return rng.sample(mentees, min(load.settings.demo_mentorships, len(mentees)))


async def make_mentorships(load: Load) -> None:
    """Chosen mentees ask their best candidate; the mentor accepts; they meet."""
    state = load.journal.state
    mentees = [p for p in chosen_mentees(load) if p.key in state.profiles]
    todo = [p for p in mentees if not _finished(load, p)]
    if not todo:
        return
    pairing = Pairing(load)
    pairing.ranked = await _matching_answers(load, todo[0])
    if not pairing.ranked:
        load.notes.append(
            "matching ranked no candidates within "
            f"{load.settings.demo_matching_wait_seconds:.0f}s: mentors were "
            "chosen from the mentee's own team by spare capacity"
        )
    await load.each("mentorships", todo, pairing.mentor)


def _finished(load: Load, mentee: Participant) -> bool:
    record = load.journal.state.mentorships.get(mentee.key)
    return (
        record is not None and record.accepted and record.sessions >= _sessions(mentee)
    )


def _sessions(mentee: Participant) -> int:
    """One to three sessions, the same number on every run."""
    return 1 + int(mentee.key[-2:]) % 3


async def _matching_answers(load: Load, mentee: Participant) -> bool:
    """Whether matching ranks the first mentee's candidates within the wait."""
    deadline = time.monotonic() + load.settings.demo_matching_wait_seconds
    while True:
        if await candidates_of(load, mentee):
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(2.0)


async def candidates_of(
    load: Load, mentee: Participant, as_coordinator: bool = False
) -> list[UUID]:
    """The mentee's ranked mentors, best first; none if matching cannot say.

    Asked as the mentee, or as their coordinator, who signs in once per team
    rather than once per mentee.
    """
    member_id = load.member_id(mentee)
    assert member_id is not None
    team = load.team_of(mentee.library)
    if as_coordinator:
        path = f"/teams/{team.team_id}/mentees/{member_id}/candidates"
        token = await load.coordinator(team)
    else:
        path = f"/teams/{team.team_id}/candidates"
        token = await load.session(member_id, team.team_id)
    try:
        answer = await load.api.json("GET", path, token=token)
    except LoadError:
        return []
    ranked = sorted(answer.get("candidates", []), key=lambda c: c["rank"])
    return [UUID(c["mentor_id"]) for c in ranked]


class Pairing:
    """Who mentors whom: the best candidate of the mentee's team with room."""

    def __init__(self, load: Load) -> None:
        self.load = load
        self.ranked = False
        state = load.journal.state
        by_key = {p.key: p for p in load.people}
        self.person_of = {state.members[k]: by_key[k] for k in state.members}
        self.room = {p.key: p.mentor_capacity for p in load.people if p.is_mentor}
        for record in state.mentorships.values():
            self.room[record.mentor_key] -= 1

    async def mentor(self, mentee: Participant) -> None:
        state = self.load.journal.state
        record = state.mentorships.get(mentee.key)
        if record is None:
            record = await self._request(mentee)
            if record is None:
                return
        if not record.accepted:
            await self._accept(record)
        while record.sessions < _sessions(mentee):
            await self._log_session(record)

    async def _request(self, mentee: Participant) -> MentorshipRecord | None:
        mentor, from_candidates = await self._choose(mentee)
        if mentor is None:
            self.load.failed["mentorships: no mentor with room"] += 1
            return None
        team = self.load.team_of(mentee.library)
        mentee_id, mentor_id = self.load.member_id(mentee), self.load.member_id(mentor)
        assert mentee_id is not None and mentor_id is not None
        answer = await self.load.api.json(
            "POST",
            f"/teams/{team.team_id}/mentorships",
            token=await self.load.session(mentee_id, team.team_id),
            json={"mentor_id": str(mentor_id), "message": _ask(mentee)},
        )
        record = MentorshipRecord(
            mentorship_id=answer["id"],
            team_id=team.team_id,
            mentor_key=mentor.key,
            from_candidates=from_candidates,
        )
        self.load.journal.state.mentorships[mentee.key] = record
        self.load.added["mentorship requests"] += 1
        self.load.journal.note()
        return record

    async def _choose(self, mentee: Participant) -> tuple[Participant | None, bool]:
        candidates = await candidates_of(self.load, mentee) if self.ranked else []
        for mentor_id in candidates:
            mentor = self.person_of.get(mentor_id)
            if mentor is not None and self._fits(mentee, mentor):
                self.room[mentor.key] -= 1
                return mentor, True
        colleagues = [
            p
            for p in self.load.people
            if p.is_mentor
            and p.key in self.load.journal.state.members
            and self._fits(mentee, p)
        ]
        if not colleagues:
            return None, False
        mentor = max(colleagues, key=lambda p: (self.room[p.key], p.key))
        self.room[mentor.key] -= 1
        return mentor, False

    def _fits(self, mentee: Participant, mentor: Participant) -> bool:
        """The teams service takes requests to mentors of the mentee's own team."""
        same_team = mentor.library.library_id == mentee.library.library_id
        return same_team and self.room.get(mentor.key, 0) > 0

    async def _accept(self, record: MentorshipRecord) -> None:
        path = f"/teams/{record.team_id}/mentorships/{record.mentorship_id}/accept"
        await self.load.api.call(
            "POST", path, token=await self._mentor_token(record), json={}
        )
        record.accepted = True
        self.load.added["mentorships accepted"] += 1
        self.load.journal.note()

    async def _log_session(self, record: MentorshipRecord) -> None:
        path = f"/teams/{record.team_id}/mentorships/{record.mentorship_id}/sessions"
        held_on = date.today() - timedelta(days=7 * (3 - record.sessions))
        body: dict[str, Any] = {"held_on": held_on.isoformat(), "minutes": 45}
        await self.load.api.call(
            "POST", path, token=await self._mentor_token(record), json=body
        )
        record.sessions += 1
        self.load.added["sessions logged"] += 1
        self.load.journal.note()

    async def _mentor_token(self, record: MentorshipRecord) -> str:
        mentor_id = self.load.journal.state.members[record.mentor_key]
        return await self.load.session(mentor_id, record.team_id)


def _ask(mentee: Participant) -> str:
    hope = mentee.aspirations[0] if mentee.aspirations else "my next role"
    return f"Hello! I am working towards {hope} and would value your guidance."


async def make_groups(load: Load) -> None:
    """The largest teams accept matching's suggestion of groups by interest."""
    done = load.journal.state.groups
    count = load.settings.demo_grouped_teams
    sizes = {lib.library_id: 0 for lib in load.libraries}
    for person in load.people:
        sizes[person.library.library_id] += 1
    largest = sorted(load.libraries, key=lambda lib: -sizes[lib.library_id])[:count]
    todo = [lib for lib in largest if lib.library_id not in done]
    await load.each("groups", todo, lambda lib: _group(load, lib))


async def _group(load: Load, library: Library) -> None:
    team = load.team_of(library)
    token = await load.coordinator(team)
    base = f"/teams/{team.team_id}"
    body = {"basis": "interests", "smallest": 3, "largest": 6}
    try:
        suggestion = await patiently(
            lambda: load.api.json(
                "POST", f"{base}/group-suggestions", token=token, json=body
            ),
            within=load.settings.demo_matching_wait_seconds,
        )
    except LoadError as error:
        load.notes.append(f"no groups for {library.name}: {error}"[:300])
        return
    for index, group in enumerate(suggestion["groups"], start=1):
        shared = group.get("shared") or [f"circle {index}"]
        await load.api.call(
            "POST",
            f"{base}/groups",
            token=token,
            json={
                "name": f"{shared[0][:150].capitalize()} ({index})",
                "member_ids": group["member_ids"],
                "suggestion_id": suggestion["suggestion_id"],
            },
        )
        load.added["groups"] += 1
    load.journal.state.groups[library.library_id] = len(suggestion["groups"])
    load.journal.note()
