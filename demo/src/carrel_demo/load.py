"""What every phase of loading shares: the API, the journal, the people."""

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar
from uuid import UUID

from carrel_demo.api import CarrelApi, LoadError, token_in
from carrel_demo.journal import Journal, TeamRecord
from carrel_demo.programme import Library, Participant
from carrel_demo.progress import Progress
from carrel_demo.settings import DemoSettings

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class Load:
    """One run of the loader."""

    api: CarrelApi
    journal: Journal
    settings: DemoSettings
    libraries: list[Library]
    people: list[Participant]
    tokens: dict[UUID, str] = field(default_factory=dict)
    """Bearer tokens of the members this run signed in, by member id."""
    added: Counter[str] = field(default_factory=Counter)
    """What this run created, by kind: a second run should add nothing."""
    failed: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    phase_seconds: dict[str, float] = field(default_factory=dict)

    def team_of(self, library: Library) -> TeamRecord:
        return self.journal.state.teams[library.library_id]

    def member_id(self, person: Participant) -> UUID | None:
        return self.journal.state.members.get(person.key)

    async def session(self, member_id: UUID, team_id: UUID) -> str:
        """A bearer token for the member: kept from this run, or signed in anew."""
        if member_id not in self.tokens:
            issued = await self.api.json(
                "POST",
                "/operator/sign-in-links",
                operator=True,
                json={"team_id": str(team_id), "member_id": str(member_id)},
            )
            self.tokens[member_id] = await redeem(self.api, issued["link"])
        return self.tokens[member_id]

    async def coordinator(self, team: TeamRecord) -> str:
        return await self.session(team.coordinator_id, team.team_id)

    async def each(
        self,
        phase: str,
        items: Iterable[T],
        step: Callable[[T], Awaitable[None]],
        width: int | None = None,
    ) -> None:
        """Run ``step`` on every item, several at once, with progress.

        A step the API refuses is counted and logged, and the others go on:
        the next run tries it again.
        """
        queue = list(items)
        if not queue:
            print(f"  {phase:<22} already loaded", flush=True)
            return
        progress = Progress(phase, len(queue))
        pending = iter(queue)

        async def worker() -> None:
            for item in pending:
                try:
                    await step(item)
                except LoadError as error:
                    self.failed[phase] += 1
                    logger.warning("%s: %s", phase, str(error)[:300])
                progress.advance()

        width = min(width or self.settings.demo_concurrency, len(queue))
        async with asyncio.TaskGroup() as workers:
            for _ in range(width):
                workers.create_task(worker())
        self.journal.flush()
        self.phase_seconds[phase] = progress.finish()


async def redeem(api: CarrelApi, link: str) -> str:
    """Sign in with a one-time link; the session's bearer token."""
    answer = await api.json(
        "POST", "/sessions/sign-in-link", json={"token": token_in(link)}
    )
    token: str = answer["access_token"]
    return token
