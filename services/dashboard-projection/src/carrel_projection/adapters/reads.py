"""The read side: what the API and the export ask OpenSearch, one team at a time."""

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

from opensearchpy import AsyncOpenSearch
from opensearchpy.helpers import async_scan

from carrel_projection.adapters import queries
from carrel_projection.adapters.queries import Body, DirectorySearch
from carrel_projection.domain.documents import Document, Model, directory_id

logger = logging.getLogger(__name__)

# "Skills many mentees want": the most wanted this many, by how many want each.
WANTED_SKILLS = 5


class ReadModels:
    """Queries over the read models of one index prefix."""

    def __init__(self, client: AsyncOpenSearch, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def alias(self, model: Model) -> str:
        return f"{self.prefix}-{model.value}"

    async def get(self, model: Model, doc_id: str) -> Document | None:
        """One document by id, in realtime; None if there is none."""
        answer = await self.client.mget(
            index=self.alias(model), body={"ids": [doc_id]}, realtime=True
        )
        doc = answer["docs"][0]
        return doc["_source"] if doc.get("found") else None

    async def membership(self, team_id: str, person_id: str) -> Document | None:
        """The person's directory entry in the team, if they are a member."""
        entry = await self.get(Model.DIRECTORY, directory_id(team_id, person_id))
        return entry if entry and entry["status"] == "member" else None

    async def search(self, model: Model, body: Body) -> dict[str, Any]:
        answer: dict[str, Any] = await self.client.search(
            index=self.alias(model), body=body
        )
        return answer

    async def directory(
        self, team_id: str, search: DirectorySearch, viewer_id: str
    ) -> dict[str, Any]:
        body = queries.directory_query(team_id, search, viewer_id)
        return await self.search(Model.DIRECTORY, body)

    async def members_among(
        self, team_id: str, person_ids: set[str]
    ) -> dict[str, Document]:
        """The team's members among these people: ``display_name`` and ``roles``."""
        if not person_ids:
            return {}
        ids = [directory_id(team_id, p) for p in sorted(person_ids)]
        answer = await self.client.mget(
            index=self.alias(Model.DIRECTORY),
            body={"ids": ids},
            _source_includes=["person_id", "display_name", "status", "roles"],
        )
        return {
            doc["_source"]["person_id"]: {
                "display_name": doc["_source"].get("display_name", ""),
                "roles": doc["_source"].get("roles", []),
            }
            for doc in answer["docs"]
            if doc.get("found") and doc["_source"]["status"] == "member"
        }

    async def dashboard(
        self, team_id: queries.TeamIds, stalled_after_days: int
    ) -> dict[str, Any]:
        """The raw answers behind a dashboard of one team or several, asked at once."""
        today = date.today()
        asked = await asyncio.gather(
            self.search(Model.DIRECTORY, queries.members_summary_query(team_id)),
            self.search(
                Model.MENTORSHIPS,
                queries.mentorships_summary_query(team_id, today, stalled_after_days),
            ),
            self.search(
                Model.ACTIVITY,
                queries.sessions_since_query(team_id, today - timedelta(days=30)),
            ),
            self.search(Model.GROUPS, queries.groups_query(team_id)),
            self.search(Model.SHARES, queries.shares_query(team_id, size=0)),
            self.search(Model.PROGRESS, queries.progress_by_resource_query(team_id)),
            self.search(Model.DIRECTORY, queries.growth_query(team_id)),
            self.search(Model.DIRECTORY, queries.group_sizes_query(team_id)),
        )
        keys = ("members", "mentorships", "sessions", "groups", "shares", "progress")
        answers: dict[str, Any] = dict(
            zip((*keys, "growth", "group_sizes"), asked, strict=True)
        )
        answers["highlighted"] = await self._highlighted(team_id, answers["members"])
        return answers

    async def _highlighted(
        self, team_id: queries.TeamIds, members: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Mentors with spare places in the skills mentees want most."""
        goals = members["aggregations"]["demand"]["goals"]["buckets"]
        wanted = [str(b["key"]) for b in goals[:WANTED_SKILLS]]
        if not wanted:
            return None
        body = queries.spare_places_query(team_id, wanted)
        return {**await self.search(Model.DIRECTORY, body), "wanted_skills": wanted}

    async def consortium_scope(self, team_id: str) -> tuple[Document, ...]:
        """The member teams of a consortium, or none for any other team."""
        team = await self.get(Model.TEAMS, team_id)
        if team is None or team["kind"] != "consortium" or not team["member_team_ids"]:
            return ()
        answer = await self.client.mget(
            index=self.alias(Model.TEAMS),
            body={"ids": team["member_team_ids"]},
            _source_includes=["team_id", "name"],
            realtime=True,
        )
        named = {d["_id"]: d["_source"] for d in answer["docs"] if d.get("found")}
        consenting = set(team["consenting_team_ids"])
        return tuple(
            {
                "team_id": member_team,
                "name": named.get(member_team, {}).get("name", ""),
                "consenting": member_team in consenting,
            }
            for member_team in team["member_team_ids"]
        )

    async def shared_pool(self, team_id: str) -> list[str]:
        """The team and every team whose mentors it may be offered: the other
        consenting members of each consortium that counts it as consenting."""
        body = {
            "size": 100,
            "query": {"term": {"consenting_team_ids": team_id}},
            "_source": ["consenting_team_ids"],
        }
        consortia = (await self.search(Model.TEAMS, body))["hits"]["hits"]
        pooled = {t for c in consortia for t in c["_source"]["consenting_team_ids"]}
        return sorted(pooled | {team_id})

    async def pool_mentors(
        self, team_ids: list[str], mentor_ids: list[str]
    ) -> list[Document]:
        """The named mentors' entries in these teams: name and response time."""
        body = queries.response_times_query(team_ids, mentor_ids)
        hits = (await self.search(Model.DIRECTORY, body))["hits"]["hits"]
        return [h["_source"] for h in hits]

    async def resources_by_id(self, resource_ids: set[str]) -> dict[str, Document]:
        if not resource_ids:
            return {}
        answer = await self.client.mget(
            index=self.alias(Model.RESOURCES),
            body={"ids": sorted(resource_ids)},
            _source_excludes=["applied"],
        )
        return {d["_id"]: d["_source"] for d in answer["docs"] if d.get("found")}

    async def with_current_members(
        self, team_id: str, groups: list[Document]
    ) -> list[Document]:
        """The groups with only their members who are still in the team.

        A group's document keeps everyone its events added, people who left
        the team or were erased included; no group event removes them.
        """
        named = {p for g in groups for p in g.get("member_ids", [])}
        members = await self.members_among(team_id, named)
        current = []
        for group in groups:
            ids = [p for p in group.get("member_ids", []) if p in members]
            current.append({**group, "member_ids": ids, "member_count": len(ids)})
        return current

    async def scan(self, model: Model, body: Body) -> AsyncIterator[Document]:
        """Every matching document, in pages, for the export."""
        index = self.alias(model)
        async for hit in async_scan(self.client, query=body, index=index):
            yield hit["_source"]

    async def change_sequences(self, team_ids: list[str]) -> dict[str, Document]:
        """Each team's change signal, read in realtime.

        ``generation`` names the index the signal was read from: a rebuild
        moves the alias to a new index whose sequences start again from 1.
        """
        if not team_ids:
            return {}
        answer = await self.client.mget(
            index=self.alias(Model.CHANGES), body={"ids": team_ids}, realtime=True
        )
        return {
            d["_id"]: {**d["_source"], "generation": d["_index"]}
            for d in answer["docs"]
            if d.get("found")
        }
