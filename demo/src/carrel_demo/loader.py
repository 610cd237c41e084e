"""Loads the demo programme into a running Carrel through its public API.

The phases run in order; each skips what the journal says is done, so a
second run adds nothing and a run cut short carries on where it stopped.
Nothing is written to a database directly: every change is an API call.
"""

import logging
import time
from dataclasses import dataclass

from carrel_resources.adapters.liber import read_liber
from carrel_resources.domain.entries import EntryDraft, drafts_from_listing
from carrel_vocabulary import load_vocabulary

from carrel_demo import mentoring, people, summary
from carrel_demo.api import CarrelApi, LoadError
from carrel_demo.journal import Entries, Journal, TeamRecord
from carrel_demo.load import Load, redeem
from carrel_demo.programme import (
    STATE_NAMES,
    Library,
    consortium_libraries,
    participants,
)
from carrel_demo.settings import DemoSettings
from carrel_demo.summary import Credentials, Summary

logger = logging.getLogger(__name__)


class StackHoldsData(RuntimeError):
    """The journal is gone but the stack was loaded: loading again would double."""


@dataclass(frozen=True)
class Outcome:
    summary: Summary
    credentials: Credentials


async def load_demo(settings: DemoSettings, operator_key: str) -> Outcome:
    """Load what is not loaded yet; the summary and sign-in links of the result."""
    started = time.monotonic()
    libraries = consortium_libraries(settings.data_dir, settings.demo_state)
    libraries = libraries[: settings.demo_libraries]
    vocabulary = load_vocabulary(settings.data_dir)
    count, seed = settings.demo_participants, settings.demo_seed
    journal = Journal.open(settings.demo_folder)
    async with CarrelApi(
        settings.gateway_url, operator_key, settings.demo_concurrency
    ) as api:
        load = Load(api, journal, settings, libraries, [])
        load.people = participants(vocabulary, libraries, count, seed)
        try:
            await _load(load, liber_entries(settings))
        finally:
            journal.flush()
        outcome = Outcome(
            await summary.summarise(load, time.monotonic() - started),
            await summary.credentials(load),
        )
    summary.write(settings.demo_folder, outcome.summary, outcome.credentials)
    return outcome


def liber_entries(settings: DemoSettings) -> list[EntryDraft]:
    """The central index to load: one entry per URL of the LIBER guides."""
    return drafts_from_listing(read_liber(settings.data_dir))


async def _load(load: Load, entries: list[EntryDraft]) -> None:
    print(f"Loading the demo through {load.api.base_url}/api/v1", flush=True)
    await check_journal(load, entries)
    await load_central_index(load, entries)
    await found_teams(load)
    await check_vocabulary(load)
    await join_consortium(load)
    await people.invite_and_accept(load)
    await people.fill_profiles(load)
    await people.set_capacities(load)
    await mentoring.share_resources(load)
    await mentoring.make_mentorships(load)
    await mentoring.make_groups(load)


async def check_journal(load: Load, entries: list[EntryDraft]) -> None:
    """Trust the journal only if it describes this stack; refuse to double."""
    journal = load.journal
    if journal.state.consortium is not None:
        if not await _known(load, journal.state.consortium):
            stale = journal.set_aside()
            print(f"  the journal describes another stack; kept as {stale}")
        return
    if journal.is_empty and entries and await _catalogued(load, entries[0]):
        raise StackHoldsData(
            f"{journal.path} is missing but the stack already holds a central "
            "index: loading again would found every team a second time. Run "
            "`make reset` to start over on an empty stack."
        )


async def _known(load: Load, team: TeamRecord) -> bool:
    try:
        await load.session(team.coordinator_id, team.team_id)
    except LoadError as error:
        if error.status_code == 404:
            return False
        raise
    return True


async def _catalogued(load: Load, entry: EntryDraft) -> bool:
    """Adds the first entry; whether it was there already (409)."""
    answer = await load.api.call(
        "POST",
        "/operator/catalogue/entries",
        operator=True,
        json=_entry_body(entry),
        ok=(201, 409),
    )
    if answer.status_code == 201:
        load.added["central index entries"] += 1
    return answer.status_code == 409


def _entry_body(entry: EntryDraft) -> dict[str, object]:
    return {
        "url": entry.url,
        "title": entry.title,
        "resource_type": entry.resource_type,
        "topics": entry.topics,
        "description": entry.description,
    }


async def load_central_index(load: Load, entries: list[EntryDraft]) -> None:
    """Every LIBER entry through the operator's route; 409 means already there."""
    if load.journal.state.central_index is not None:
        return
    counts = Entries()

    async def add(entry: EntryDraft) -> None:
        answer = await load.api.call(
            "POST",
            "/operator/catalogue/entries",
            operator=True,
            json=_entry_body(entry),
            ok=(201, 409),
        )
        if answer.status_code == 201:
            counts.added += 1
        else:
            counts.already_present += 1

    await load.each("central index", entries, add)
    load.added["central index entries"] += counts.added
    load.journal.state.central_index = counts
    load.journal.note()


async def found_teams(load: Load) -> None:
    """The consortium, then one team per library, each with its coordinator."""
    state = load.journal.state
    if state.consortium is None:
        name = f"{STATE_NAMES.get(load.settings.demo_state, '')} Library Cooperative"
        state.consortium = await _found(load, name.strip(), "consortium")
        load.journal.note()
    missing = [lib for lib in load.libraries if lib.library_id not in state.teams]

    async def found(library: Library) -> None:
        state.teams[library.library_id] = await _found(load, library.name, "library")
        load.journal.note()

    await load.each("teams", missing, found)


async def _found(load: Load, name: str, kind: str) -> TeamRecord:
    founded = await load.api.json(
        "POST",
        "/operator/teams",
        operator=True,
        json={
            "name": name,
            "kind": kind,
            "coordinator_name": people.coordinator_name(name),
        },
    )
    team = TeamRecord(
        team_id=founded["team_id"], coordinator_id=founded["coordinator_id"]
    )
    load.tokens[team.coordinator_id] = await redeem(load.api, founded["sign_in_link"])
    load.added["teams"] += 1
    return team


async def check_vocabulary(load: Load) -> None:
    """The skills vocabulary is built from the data files: check it answers."""
    assert load.journal.state.consortium is not None
    token = await load.coordinator(load.journal.state.consortium)
    found = await load.api.json(
        "GET", "/skills", token=token, params={"q": "catalog", "limit": 5}
    )
    print(f"  {'skills vocabulary':<22} answers: 'catalog' finds {len(found)} skills")


async def join_consortium(load: Load) -> None:
    """Each library team joins the consortium and consents to share mentors."""
    state = load.journal.state
    consortium = state.consortium
    assert consortium is not None
    owner = await load.coordinator(consortium)
    wanted = [lib for lib in load.libraries if lib.library_id not in state.consents]

    async def join(library: Library) -> None:
        team = load.team_of(library)
        if library.library_id not in state.member_teams:
            await load.api.call(
                "POST",
                f"/teams/{consortium.team_id}/member-teams",
                token=owner,
                json={"member_team_id": str(team.team_id)},
            )
            state.member_teams.add(library.library_id)
            load.journal.note()
        await load.api.call(
            "PUT",
            f"/teams/{team.team_id}/consortia/{consortium.team_id}/consent",
            token=await load.coordinator(team),
            json={"consent": True},
        )
        state.consents.add(library.library_id)
        load.added["consortium members"] += 1
        load.journal.note()

    # Every addition and consent changes the one consortium aggregate: one at
    # a time, so that they do not collide on its version.
    await load.each("consortium", wanted, join, width=1)
