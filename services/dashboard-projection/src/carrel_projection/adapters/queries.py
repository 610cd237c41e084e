"""The read side's OpenSearch queries, as plain request bodies.

Every body is built here, by pure functions, so that the read API, the CSV
export and the generated docs' examples use the same queries, and every one
of them starts from :func:`team_scope`: no query leaves a team.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

Body = dict[str, Any]
Sort = Literal["relevance", "name", "distance", "joined", "experience"]

FACETS = {
    "skills": "skill_ids",
    "interests": "interests.keyword",
    "region": "region",
    "role": "roles",
    "availability": "available",
    "match_status": "match_status",
}
# An entry projected before its profile showed availability by default (or
# whose availability section is private) has no ``available``: like the
# profile service, the directory counts it as available.
FACET_MISSING: dict[str, Body] = {"availability": {"missing": True}}
TEXT_FIELDS = [
    "display_name^3",
    "display_name._2gram",
    "display_name._3gram",
    "headline",
    "current_role",
    "institution",
    "interests^2",
    "aspirations",
    "skill_ids.words^2",
    "learning_goals.words",
    "city",
]
ROLES = ("coordinator", "mentor", "mentee")
# A consortium of more member teams than this shows the largest in its breakdown.
MAX_MEMBER_TEAMS = 200


TeamIds = str | Sequence[str]


def team_scope(team_id: TeamIds, *, members_only: bool = False) -> list[Body]:
    """The filters every read starts with: this team (or these, for a
    consortium's dashboard), and shown entries only."""
    if isinstance(team_id, str):
        filters: list[Body] = [{"term": {"team_id": team_id}}]
    else:
        filters = [{"terms": {"team_id": list(team_id)}}]
    if members_only:
        filters.append({"term": {"status": "member"}})
    return filters


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a member of the team, with their roles there."""

    person_id: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class DirectorySearch:
    """What a directory search asks for."""

    text: str = ""
    skills: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    available: bool | None = None
    match_status: tuple[str, ...] = ()
    near: tuple[float, float] | None = None
    within_km: float | None = None
    sort: Sort = "relevance"
    offset: int = 0
    size: int = 20
    facet_size: int = 20
    hidden_roles: tuple[str, ...] = field(default=())


def hidden_roles(viewer: Viewer, mentors_to: str, mentees_to: str) -> tuple[str, ...]:
    """Roles whose members the team's settings hide from this viewer."""
    if "coordinator" in viewer.roles:
        return ()

    def admits(audience: str) -> bool:
        if audience in ("team", "consortium"):
            return True
        return audience == "mentors" and "mentor" in viewer.roles

    audiences = {"mentor": mentors_to, "mentee": mentees_to}
    return tuple(role for role, to in audiences.items() if not admits(to))


def may_see(
    hidden: Sequence[str], viewer_id: str, person_id: str, roles: Sequence[str]
) -> bool:
    """The directory's rule for one person: the viewer sees themselves, and any
    member with a role the team's settings do not hide from the viewer."""
    shown = [r for r in ROLES if r not in hidden]
    return person_id == viewer_id or any(r in shown for r in roles)


def directory_query(team_id: str, search: DirectorySearch, viewer_id: str) -> Body:
    """Full text, facets, distance and sorting over one team's members."""
    filters = [*team_scope(team_id, members_only=True), *_selected(search)]
    if search.hidden_roles:
        shown = [r for r in ROLES if r not in search.hidden_roles]
        filters.append(
            _any_of({"terms": {"roles": shown}}, {"term": {"person_id": viewer_id}})
        )
    if search.near and search.within_km:
        filters.append(_within(search.near, search.within_km))
    must: list[Body] = []
    if search.text.strip():
        must.append(_text_match(search.text))
    return {
        "query": {"bool": {"filter": filters, "must": must}},
        "sort": _sort(search),
        "from": search.offset,
        "size": search.size,
        "track_total_hits": True,
        "_source": {"excludes": ["applied", "mentorships"]},
        "aggs": {
            name: {
                "terms": {
                    "field": path,
                    "size": search.facet_size,
                    **FACET_MISSING.get(name, {}),
                }
            }
            for name, path in FACETS.items()
        },
    }


def _selected(search: DirectorySearch) -> list[Body]:
    chosen = {
        "skill_ids": search.skills,
        "interests.keyword": search.interests,
        "region": search.regions,
        "roles": search.roles,
        "match_status": search.match_status,
    }
    filters: list[Body] = [{"terms": {f: list(v)}} for f, v in chosen.items() if v]
    if search.available is True:
        filters.append({"bool": {"must_not": [{"term": {"available": False}}]}})
    elif search.available is False:
        filters.append({"term": {"available": False}})
    return filters


def _text_match(text: str) -> Body:
    return {
        "multi_match": {
            "query": text,
            "type": "bool_prefix",
            "fields": TEXT_FIELDS,
            "operator": "and",
        }
    }


def _within(near: tuple[float, float], km: float) -> Body:
    lat, lon = near
    return {
        "geo_distance": {"distance": f"{km}km", "location": {"lat": lat, "lon": lon}}
    }


def _sort(search: DirectorySearch) -> list[Body | str]:
    by_name: Body = {"display_name.sort": {"order": "asc", "missing": "_last"}}
    if search.sort == "distance" and search.near:
        lat, lon = search.near
        point = {"lat": lat, "lon": lon}
        distance = {"location": point, "order": "asc", "unit": "km"}
        return [{"_geo_distance": distance}, by_name]
    if search.sort == "name":
        return [by_name, {"person_id": "asc"}]
    if search.sort == "joined":
        return [{"joined_at": {"order": "desc"}}, {"person_id": "asc"}]
    if search.sort == "experience":
        years = {"order": "desc", "missing": "_last"}
        return [{"years_of_experience": years}, by_name]
    return ["_score", by_name, {"person_id": "asc"}]


def _any_of(*clauses: Body) -> Body:
    return {"bool": {"should": list(clauses), "minimum_should_match": 1}}


def _count_where(*clauses: Body) -> Body:
    return {"filter": {"bool": {"filter": list(clauses)}}}


# Every skill of the vocabulary (297) fits, so supply and demand are exact for
# each skill however large the team or consortium.
SKILL_FACETS = 400


def members_summary_query(team_id: TeamIds, facet_size: int = SKILL_FACETS) -> Body:
    """Members by role, mentees by match status and candidates, mentor load,
    skills supply/demand, and the same counts team by team."""
    mentors, mentees = {"term": {"roles": "mentor"}}, {"term": {"roles": "mentee"}}
    ranked = {"range": {"ranked_candidates": {"gt": 0}}}
    mentee_aggs = {
        "status": {"terms": {"field": "match_status", "size": 10}},
        "with_candidates": _count_where(ranked),
    }
    return {
        "size": 0,
        "track_total_hits": True,
        "query": {"bool": {"filter": team_scope(team_id, members_only=True)}},
        "aggs": {
            "roles": {"terms": {"field": "roles", "size": 10}},
            "mentees": {**_count_where(mentees), "aggs": mentee_aggs},
            "by_team": {
                "terms": {"field": "team_id", "size": MAX_MEMBER_TEAMS},
                "aggs": {
                    "mentors": _count_where(mentors),
                    "mentees": {**_count_where(mentees), "aggs": mentee_aggs},
                },
            },
            "mentors": {
                **_count_where(mentors),
                "aggs": {
                    "at_capacity": _count_where({"term": {"at_capacity": True}}),
                    # A mentor who never said otherwise is available.
                    "available": {
                        "filter": {
                            "bool": {
                                "must_not": [
                                    {"term": {"available": False}},
                                    {"term": {"at_capacity": True}},
                                    {"term": {"paused_for_silence": True}},
                                ]
                            }
                        }
                    },
                    "active_mentees": {"sum": {"field": "active_mentees"}},
                    "capacity": {"sum": {"field": "mentor_capacity"}},
                    "supply": {"terms": {"field": "skill_ids", "size": facet_size}},
                },
            },
            "demand": {
                **_count_where(mentees),
                "aggs": {
                    "goals": {"terms": {"field": "learning_goals", "size": facet_size}}
                },
            },
        },
    }


def growth_query(team_id: TeamIds) -> Body:
    """Joins by week and source, newcomers' waits, graduations, paused mentors."""
    waits = {}
    for name, field_name in (
        ("to_first_candidate", "seconds_to_first_candidate"),
        ("to_first_mentorship", "seconds_to_first_mentorship"),
    ):
        waits[name] = {"percentiles": {"field": field_name, "percents": [50, 90]}}
        waits[f"{name}_count"] = {"value_count": {"field": field_name}}
    paused_fields = ["person_id", "display_name", "paused_at"]
    return {
        "size": 0,
        "query": {"bool": {"filter": team_scope(team_id, members_only=True)}},
        "aggs": {
            "joins": {
                "date_histogram": {
                    "field": "joined_at",
                    "calendar_interval": "week",
                    "min_doc_count": 1,
                },
                "aggs": {"source": {"terms": {"field": "join_source", "size": 10}}},
            },
            "sources": {"terms": {"field": "join_source", "size": 10}},
            "graduations": {"terms": {"field": "graduation", "size": 10}},
            "paused": {
                **_count_where({"term": {"paused_for_silence": True}}),
                "aggs": {"who": {"top_hits": {"size": 50, "_source": paused_fields}}},
            },
            **waits,
        },
    }


def programme_query(team_id: str, skills_shown: int = 30) -> Body:
    """Counts for a programme page: roles, and open mentor places by skill."""
    places = {"places": {"sum": {"field": "spare_places"}}}
    return {
        "size": 0,
        "track_total_hits": True,
        "query": {"bool": {"filter": team_scope(team_id, members_only=True)}},
        "aggs": {
            "mentors": _count_where({"term": {"roles": "mentor"}}),
            "mentees": _count_where({"term": {"roles": "mentee"}}),
            "offering": {
                **_count_where({"range": {"spare_places": {"gt": 0}}}),
                "aggs": {
                    **places,
                    "skills": {
                        "terms": {
                            "field": "skill_ids",
                            "size": skills_shown,
                            "order": {"places": "desc"},
                        },
                        "aggs": places,
                    },
                },
            },
        },
    }


def response_times_query(team_ids: TeamIds, mentor_ids: Sequence[str]) -> Body:
    """The named mentors' typical response times, within the given teams."""
    return {
        "size": len(mentor_ids),
        "query": {
            "bool": {
                "filter": [
                    *team_scope(team_ids, members_only=True),
                    {"term": {"roles": "mentor"}},
                    {"terms": {"person_id": list(mentor_ids)}},
                ]
            }
        },
        "_source": ["person_id", "display_name", "typical_response_hours"],
    }


def spare_places_query(team_id: TeamIds, wanted_skills: list[str]) -> Body:
    """Mentors with spare places who teach some of the most wanted skills."""
    return {
        "size": 10,
        "query": {
            "bool": {
                "filter": [
                    *team_scope(team_id, members_only=True),
                    {"range": {"spare_places": {"gt": 0}}},
                    {"terms": {"skill_ids": wanted_skills}},
                ]
            }
        },
        "sort": [{"spare_places": "desc"}, {"person_id": "asc"}],
        "_source": ["person_id", "display_name", "spare_places", "skill_ids"],
    }


def mentorships_summary_query(
    team_id: TeamIds, today: date, stalled_after_days: int
) -> Body:
    """Mentorships by status, and the active ones with no recent session."""
    cutoff = (today - timedelta(days=stalled_after_days)).isoformat()
    no_session_since = _any_of(
        {"range": {"last_session_on": {"lt": cutoff}}},
        {
            "bool": {
                "must_not": [{"exists": {"field": "last_session_on"}}],
                "filter": [{"range": {"accepted_at": {"lt": cutoff}}}],
            }
        },
    )
    stalled = [{"term": {"status": "accepted"}}, no_session_since]
    return {
        "size": 0,
        "track_total_hits": True,
        "query": {"bool": {"filter": team_scope(team_id)}},
        "aggs": {
            "status": {"terms": {"field": "status", "size": 10}},
            "stalled": {
                **_count_where(*stalled),
                "aggs": {"pairs": {"top_hits": {"size": 20, "_source": _PAIR}}},
            },
        },
    }


_PAIR = ["mentorship_id", "mentor_id", "mentee_id", "last_session_on", "accepted_at"]


def sessions_since_query(team_id: TeamIds, since: date) -> Body:
    """Sessions held since a day, counted from the activity feed."""
    logged = [
        *team_scope(team_id),
        {"term": {"event_type": "SessionLogged"}},
        {"range": {"held_on": {"gte": since.isoformat()}}},
    ]
    return {"size": 0, "track_total_hits": True, "query": {"bool": {"filter": logged}}}


def groups_query(
    team_id: TeamIds, include_archived: bool = False, size: int = 500
) -> Body:
    filters = team_scope(team_id)
    if not include_archived:
        filters.append({"term": {"archived": False}})
    return {
        "size": size,
        "query": {"bool": {"filter": filters}},
        "sort": [{"name.keyword": "asc"}, {"group_id": "asc"}],
        "_source": {"excludes": ["applied"]},
    }


def group_sizes_query(team_id: TeamIds, size: int = 500) -> Body:
    """Each active group's size: the members of the team whose entry lists it.

    A group's own document names everyone its events added, and no event
    removes a member who left the team or a person who was erased; the
    directory has entries only for the team's current members, and an entry
    lists only the active groups its member is in.
    """
    return {
        "size": 0,
        "query": {"bool": {"filter": team_scope(team_id, members_only=True)}},
        "aggs": {"groups": {"terms": {"field": "group_ids", "size": size}}},
    }


def shares_query(team_id: TeamIds, size: int = 500) -> Body:
    return {
        "size": size,
        "query": {"bool": {"filter": team_scope(team_id)}},
        "sort": [{"shared_at": "desc"}, {"share_id": "asc"}],
        "_source": {"excludes": ["applied"]},
    }


def progress_by_resource_query(team_id: TeamIds, size: int = 500) -> Body:
    """Opened and completed counts per resource in one team."""
    return {
        "size": 0,
        "query": {"bool": {"filter": team_scope(team_id)}},
        "aggs": {
            "opened": _count_where({"exists": {"field": "opened_at"}}),
            "completed": _count_where({"exists": {"field": "completed_at"}}),
            "resources": {
                "terms": {"field": "resource_id", "size": size},
                "aggs": {
                    "completed": _count_where({"exists": {"field": "completed_at"}})
                },
            },
        },
    }


def material_query(team_id: str, size: int = 500) -> Body:
    return {
        "size": size,
        "query": {"bool": {"filter": team_scope(team_id)}},
        "sort": [{"title.keyword": "asc"}],
        "_source": {"excludes": ["applied"]},
    }


def activity_query(
    team_id: str, size: int = 50, before: tuple[int, str] | None = None
) -> Body:
    """The team's feed, newest first; ``before`` continues after a page."""
    body: Body = {
        "size": size,
        "query": {"bool": {"filter": team_scope(team_id)}},
        "sort": [{"occurred_at": "desc"}, {"event_id": "desc"}],
    }
    if before is not None:
        body["search_after"] = list(before)
    return body


def export_query(team_id: str, members_only: bool) -> Body:
    """Every document of one team in a model, for the CSV export."""
    return {
        "query": {"bool": {"filter": team_scope(team_id, members_only=members_only)}}
    }
