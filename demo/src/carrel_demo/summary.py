"""What the demo holds once loaded, and where to look: printed and as JSON.

``var/demo/summary.json`` and ``var/demo/credentials.json`` let scripts use
the running demo; the sign-in links are one-time and fresh on every run.
"""

import asyncio
import os
import time
from datetime import datetime
from pathlib import Path
from uuid import UUID

from pydantic import BaseModel

from carrel_demo.journal import TeamRecord
from carrel_demo.load import Load
from carrel_demo.mentoring import candidates_of
from carrel_demo.programme import Participant

SUMMARY_FILE = "summary.json"
CREDENTIALS_FILE = "credentials.json"
ROUND_PAUSE_SECONDS = 3.0


class Summary(BaseModel):
    state: str
    teams: int
    """The library teams and the consortium."""
    members: int
    """Participants who joined, and one coordinator per team."""
    mentors: int
    mentees: int
    mentees_with_ranked_candidates: int
    mentorships: int
    mentorships_with_top_candidate: int
    """Whose mentor was the best ranked candidate of the mentee's own team."""
    sessions_logged: int
    groups: int
    central_index_entries: int
    resources_shared: int
    loading_seconds: float
    phase_seconds: dict[str, float]
    api_calls: int
    added_this_run: dict[str, int]
    failed: dict[str, int]
    notes: list[str]


class SignIn(BaseModel):
    who: str
    team_id: UUID
    member_id: UUID
    link: str
    expires_at: datetime


class Credentials(BaseModel):
    dashboard_url: str
    """The consortium's dashboard: its member teams and their mentees."""
    team_dashboard_url: str
    """The dashboard of one library of the consortium."""
    coordinator: SignIn
    mentee: SignIn | None
    consortium_coordinator: SignIn


async def summarise(load: Load, seconds: float) -> Summary:
    state = load.journal.state
    joined = [p for p in load.people if p.key in state.members]
    mentees = [p for p in joined if not p.is_mentor]
    mentorships = [m for m in state.mentorships.values() if m.accepted]
    entries = state.central_index
    return Summary(
        state=load.settings.demo_state,
        teams=len(state.teams) + (state.consortium is not None),
        members=len(joined) + len(state.teams) + (state.consortium is not None),
        mentors=len(joined) - len(mentees),
        mentees=len(mentees),
        mentees_with_ranked_candidates=await _ranked(load, mentees),
        mentorships=len(mentorships),
        mentorships_with_top_candidate=sum(m.from_candidates for m in mentorships),
        sessions_logged=sum(m.sessions for m in mentorships),
        groups=sum(state.groups.values()),
        central_index_entries=entries.added + entries.already_present if entries else 0,
        resources_shared=sum(len(s) for s in state.shares.values()),
        loading_seconds=round(seconds, 1),
        phase_seconds={k: round(v, 1) for k, v in load.phase_seconds.items()},
        api_calls=load.api.calls,
        added_this_run=dict(load.added),
        failed=dict(load.failed),
        notes=load.notes,
    )


async def _ranked(load: Load, mentees: list[Participant]) -> int:
    """How many mentees matching has ranked candidates for, asked one by one.

    Matching may still be working through the last profiles when loading ends:
    the mentees without candidates are asked again until two rounds in a row
    find none more, for at most the matching wait.
    """
    deadline = time.monotonic() + load.settings.demo_matching_wait_seconds
    waiting, ranked, idle_rounds = list(mentees), 0, 0
    while waiting and idle_rounds < 2:
        found = await _with_candidates(load, waiting)
        ranked += len(found)
        waiting = [m for m in waiting if m.key not in found]
        idle_rounds = 0 if found else idle_rounds + 1
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(ROUND_PAUSE_SECONDS)
    return ranked


async def _with_candidates(load: Load, mentees: list[Participant]) -> set[str]:
    """The keys of the mentees matching ranks mentors for now."""
    found: set[str] = set()

    async def ask(mentee: Participant) -> None:
        if await candidates_of(load, mentee, as_coordinator=True):
            found.add(mentee.key)

    await load.each("counting candidates", mentees, ask)
    return found


async def credentials(load: Load) -> Credentials:
    """Fresh one-time sign-in links: a coordinator's, a mentee's, the consortium's."""
    state = load.journal.state
    headquarters = load.libraries[0]
    team = load.team_of(headquarters)
    assert state.consortium is not None
    return Credentials(
        dashboard_url=_dashboard(load, state.consortium.team_id),
        team_dashboard_url=_dashboard(load, team.team_id),
        coordinator=await _sign_in(
            load,
            f"coordinator of {headquarters.name}",
            team.team_id,
            team.coordinator_id,
        ),
        mentee=await _mentee(load, team),
        consortium_coordinator=await _sign_in(
            load,
            "coordinator of the consortium",
            state.consortium.team_id,
            state.consortium.coordinator_id,
        ),
    )


def _dashboard(load: Load, team_id: UUID) -> str:
    return f"{load.api.base_url}/teams/{team_id}/coordinate/dashboard"


async def _mentee(load: Load, team: TeamRecord) -> SignIn | None:
    """A mentee of the team, one with a mentorship if there is one."""
    state = load.journal.state
    home = load.libraries[0].library_id
    mentees = [
        p
        for p in load.people
        if not p.is_mentor and p.library.library_id == home and p.key in state.members
    ]
    mentees.sort(key=lambda p: (p.key not in state.mentorships, p.key))
    if not mentees:
        return None
    mentee = mentees[0]
    who = f"mentee {mentee.display_name}"
    return await _sign_in(load, who, team.team_id, state.members[mentee.key])


async def _sign_in(load: Load, who: str, team_id: UUID, member_id: UUID) -> SignIn:
    issued = await load.api.json(
        "POST",
        "/operator/sign-in-links",
        operator=True,
        json={"team_id": str(team_id), "member_id": str(member_id)},
    )
    return SignIn(
        who=who,
        team_id=team_id,
        member_id=member_id,
        link=issued["link"],
        expires_at=issued["expires_at"],
    )


def write(folder: Path, summary: Summary, signs_in: Credentials) -> None:
    """The summary and the sign-in links as JSON; the links readable by us only."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SUMMARY_FILE).write_text(summary.model_dump_json(indent=2) + "\n")
    path = folder / CREDENTIALS_FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(signs_in.model_dump_json(indent=2) + "\n")


def say(summary: Summary, signs_in: Credentials, folder: Path) -> None:
    """Where to look and what is there, for the person who ran ``make run``."""
    lines = [
        "",
        f"Carrel is running: the consortium's dashboard is at {signs_in.dashboard_url}",
        f"  and one library's dashboard at {signs_in.team_dashboard_url}",
        "Sign in first with one of these one-time links (valid for 30 minutes):",
    ]
    consortium = signs_in.consortium_coordinator
    lines.append(f"  {consortium.who}: {consortium.link}")
    lines.append(f"  {signs_in.coordinator.who}: {signs_in.coordinator.link}")
    if signs_in.mentee is not None:
        lines.append(f"  {signs_in.mentee.who}: {signs_in.mentee.link}")
    lines += ["", "What is loaded:"]
    counts = summary.model_dump(exclude={"phase_seconds", "added_this_run", "notes"})
    lines += [
        f"  {name.replace('_', ' '):<32} {value}" for name, value in counts.items()
    ]
    added = ", ".join(f"{k} {v}" for k, v in summary.added_this_run.items())
    lines.append(f"  added by this run: {added or 'nothing'}")
    lines += [f"  note: {note}" for note in summary.notes]
    lines.append(f"Written to {folder / SUMMARY_FILE} and {folder / CREDENTIALS_FILE}")
    print("\n".join(lines), flush=True)
