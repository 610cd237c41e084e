"""The read models' index definitions: every field, its type and its meaning.

Refresh intervals are chosen per model. A search sees a write only after the
next refresh. The models the read API searches refresh every 500 ms: a
change is then searchable about 0.1 s (the write path) plus 0 to 0.5 s after
it was accepted, which keeps the live dashboard within a second; 1 s would
put the p99 above a second (see bench/freshness.py), and a refresh per bulk
would make a segment per batch under load. Indices read only by id (people,
teams, changes) are read with realtime GETs, which do not wait for a
refresh, so they refresh rarely and save the work.
"""

from carrel_projection.adapters.indices import (
    LEDGER,
    TEAM,
    UPDATED,
    Field,
    IndexDefinition,
    flag,
    keyword,
    moment,
    number,
    private_object,
    text,
)
from carrel_projection.domain.documents import Model

SEARCHED = "500ms"
SEARCHED_REASON = (
    "searched by the read API and the dashboard; half a second keeps a change "
    "searchable within a second of its write (p99) without a refresh per bulk"
)
BY_ID = "30s"
BY_ID_REASON = (
    "read only by id with realtime GETs, which see a write at once; a rare "
    "refresh only serves analysts' searches"
)

DIRECTORY = IndexDefinition(
    model=Model.DIRECTORY,
    about=(
        "One document per person per team (id ``<team_id>:<person_id>``): the "
        "public parts of the profile, the member's roles, match status, mentor "
        "load and groups. Only ``status: member`` documents are ever shown. "
        "Sections the person made private are absent."
    ),
    refresh_interval=SEARCHED,
    refresh_reason=SEARCHED_REASON,
    fields={
        "team_id": TEAM,
        "person_id": keyword("The person's member id (also their profile id)"),
        "status": keyword(
            "``member``; ``pending`` when groups or mentorships named the person "
            "before their joining was processed; ``left`` after they left"
        ),
        "roles": keyword("Roles in the team: coordinator, mentor, mentee"),
        "team_capacity": number("The team's own mentee limit for this mentor"),
        "joined_at": moment("When the person joined the team"),
        "joined_via": keyword("founder, invitation or join_link"),
        "join_source": keyword("founder, invitation, referral or join_link"),
        "referred_by": keyword("The member whose referral brought this one"),
        "display_name": Field(
            {
                "type": "search_as_you_type",
                "analyzer": "folded",
                "fields": {"sort": {"type": "keyword", "normalizer": "folded_keyword"}},
            },
            "Name; ``search_as_you_type`` for prefix search, ``.sort`` for sorting",
        ),
        "headline": text("Profile headline (details section)"),
        "current_role": text("Current job title (details section)", True),
        "institution": text("Where the person works (details section)", True),
        "library_id": keyword("IMLS library system ``<state>:<libid>``, if known"),
        "years_of_experience": number("Years in the profession (details section)"),
        "has_library_degree": flag("Holds an MLIS or the like (details section)"),
        "languages": keyword("BCP 47 language tags (details section)"),
        "skills": Field(
            {
                "type": "object",
                "properties": {
                    "skill_id": {"type": "keyword"},
                    "proficiency": {"type": "integer"},
                },
            },
            "Skills with proficiency 1-5 (skills section)",
        ),
        "skill_ids": Field(
            {
                "type": "keyword",
                "fields": {"words": {"type": "text", "analyzer": "skill_words"}},
            },
            "Canonical skill ids; ``.words`` splits them for full text",
        ),
        "interests": text("Topics of interest (interests section)", True),
        "learning_goals": Field(
            {
                "type": "keyword",
                "fields": {"words": {"type": "text", "analyzer": "skill_words"}},
            },
            "Skill ids the person wants to learn (learning_goals section)",
        ),
        "aspirations": text("Target roles (aspirations section)", True),
        "city": text("City (location section)", True),
        "region": keyword("Region or state (location section)"),
        "country": keyword("ISO country code (location section)"),
        "location": Field(
            {"type": "geo_point"}, "Coordinates for distance filters and sorting"
        ),
        "time_zone": keyword("IANA time zone (location section)"),
        "mentoring_roles": keyword("Roles the person offers or seeks (mentoring)"),
        "profile_capacity": number("Mentees at once, as the profile says"),
        "meeting_preference": keyword("remote, in_person or either (mentoring)"),
        "available": flag("Open to mentoring now (availability section)"),
        "paused_until": moment("End of a pause (availability section)"),
        "mentor_capacity": number(
            "Effective limit: team's, else profile's, else default"
        ),
        "active_mentees": number("Accepted mentorships as mentor"),
        "at_capacity": flag("A mentor whose active mentees reach the limit"),
        "pending_requests": number("Requests waiting for this mentor's answer"),
        "match_status": keyword("For a mentee: matched, requested or unmatched"),
        "ranked_candidates": number(
            "For a mentee: how many mentors matching ranks for them now"
        ),
        "first_ranked_at": moment("When matching first ranked mentors for them"),
        "seconds_to_first_candidate": number(
            "From joining to the first ranked mentors, in seconds", "float"
        ),
        "first_mentorship_at": moment("When their first mentorship was accepted"),
        "seconds_to_first_mentorship": number(
            "From joining to the first accepted mentorship, in seconds", "float"
        ),
        "spare_places": number(
            "For an available mentor not paused: places left under the limit"
        ),
        "typical_response_hours": number(
            "For a mentor: median hours to first answer a request", "float"
        ),
        "paused_for_silence": flag("Paused after letting requests expire"),
        "paused_at": moment("When the pause for silence began"),
        "graduation": keyword("invited or accepted: a former mentee asked to mentor"),
        "graduated_at": moment("When the graduate took the mentor role"),
        "capacity_confirmed_for": moment("The cohort a returning mentor confirmed"),
        "mentor_ids": keyword("The mentee's active mentors"),
        "mentee_ids": keyword("The mentor's active mentees"),
        "group_ids": keyword("Active groups the member is in"),
        "mentorships": private_object("Each mentorship's side and status"),
        "applied": LEDGER,
        "updated_at": UPDATED,
    },
)

PEOPLE = IndexDefinition(
    model=Model.PEOPLE,
    about=(
        "Internal: one document per person with the latest state of each "
        "public profile section (``sections``, not indexed), who may see each "
        "section, and the person's teams. It lets a member who joins a team "
        "later get the profile they already have. Not exported, not served. "
        "An erased person leaves a tombstone with no personal data."
    ),
    refresh_interval=BY_ID,
    refresh_reason=BY_ID_REASON,
    fields={
        "person_id": keyword("The person's member id"),
        "erased": flag("The profile was erased; only the ledger remains"),
        "display_name": Field({"type": "keyword", "index": False}, "Name"),
        "sections": private_object("Each profile section's fields"),
        "visibility": private_object("Each section's visibility"),
        "team_ids": keyword("Teams the person is a member of"),
        "applied": LEDGER,
        "updated_at": UPDATED,
    },
)

TEAMS = IndexDefinition(
    model=Model.TEAMS,
    about="One document per team: name, kind and the settings the read side needs.",
    refresh_interval=BY_ID,
    refresh_reason=BY_ID_REASON,
    fields={
        "team_id": TEAM,
        "name": text("Team name", True),
        "kind": keyword("library, association or consortium"),
        "cohort_starts_on": moment("The current cohort's first day"),
        "cohort_ends_on": moment("The current cohort's last day"),
        "cohorts_rolled_over": number("How many cohorts ended and rolled over"),
        "programme_summary": text("What the programme offers (programme page)"),
        "programme_page_visible_to": keyword("public or members"),
        "referrals_need_approval": flag("Referrals wait for a coordinator"),
        "mode": keyword("rolling or cohort"),
        "default_mentor_capacity": number("Mentees per mentor unless set otherwise"),
        "request_expiry_hours": number("How long a request waits for an answer"),
        "mentors_visible_to": keyword("Who sees mentors in the directory"),
        "mentees_visible_to": keyword("Who sees mentees in the directory"),
        "member_team_ids": keyword("A consortium's member teams"),
        "consenting_team_ids": keyword("Member teams that share their mentors"),
        "applied": LEDGER,
        "updated_at": UPDATED,
    },
)

GROUPS = IndexDefinition(
    model=Model.GROUPS,
    about="One document per group: name, members and size; archived ones stay.",
    refresh_interval=SEARCHED,
    refresh_reason=SEARCHED_REASON,
    fields={
        "group_id": keyword("Group id"),
        "team_id": TEAM,
        "name": text("Group name", True),
        "origin": keyword("manual or suggestion"),
        "member_ids": keyword(
            "Person ids the group's events added and did not remove: people who "
            "left the team or were erased stay (the read API and the export "
            "list only current members)"
        ),
        "member_count": number(
            "How many ids ``member_ids`` holds; count current members with a "
            "terms aggregation on the directory's ``group_ids``"
        ),
        "archived": flag("Archived groups are kept but not shown as active"),
        "created_at": moment("When the group was created"),
        "applied": LEDGER,
        "updated_at": UPDATED,
    },
)

MENTORSHIPS = IndexDefinition(
    model=Model.MENTORSHIPS,
    about=(
        "One document per mentorship, from request to end: status, sessions, "
        "goals. Session notes and feedback never travel in events and are "
        "not here."
    ),
    refresh_interval=SEARCHED,
    refresh_reason=SEARCHED_REASON,
    fields={
        "mentorship_id": keyword("Mentorship id"),
        "team_id": TEAM,
        "mentor_id": keyword("The mentor's person id"),
        "mentee_id": keyword("The mentee's person id"),
        "status": keyword(
            "requested, information_requested, accepted, declined, expired,"
            " withdrawn, ended"
        ),
        "requested_at": moment("When the mentee asked"),
        "expires_at": moment(
            "When the request expires unless answered (by the mentor, or by the"
            " mentee after a question)"
        ),
        "accepted_at": moment("When the mentor accepted"),
        "answered_at": moment("The mentor's first answer: a question, yes or no"),
        "closed_at": moment("When it was declined, expired, withdrawn or ended"),
        "outcome": keyword("completed or ended_early, once ended"),
        "choice": number("1 for the mentee's first choice, 2 for the next..."),
        "sessions": number("Sessions logged"),
        "session_minutes": number("Minutes of all sessions"),
        "last_session_on": moment("Day of the latest session"),
        "goals": private_object("Each goal's title and progress"),
        "goals_set": number("Goals set"),
        "goals_done": number("Goals at 100 percent"),
        "feedback_count": number(
            "Sides that gave feedback, 0 to 2 (ratings are not kept)"
        ),
        "feedback_sides": keyword("mentor, mentee: the sides that gave feedback"),
        "applied": LEDGER,
        "updated_at": UPDATED,
    },
)

RESOURCES = IndexDefinition(
    model=Model.RESOURCES,
    about=(
        "One document per resource: central-index entries (no team) and each "
        "team's own material (with its team). Material bodies are not indexed."
    ),
    refresh_interval=SEARCHED,
    refresh_reason=SEARCHED_REASON,
    fields={
        "resource_id": keyword("Resource or material id"),
        "team_id": keyword("The publishing team for material; absent when central"),
        "kind": keyword("catalogued or material"),
        "title": text("Title", True),
        "url": Field({"type": "keyword", "index": False}, "Link"),
        "resource_type": keyword("Type, e.g. guide, course, material"),
        "topics": keyword("Topics of the central index"),
        "skill_ids": keyword("Skills the resource teaches"),
        "status": keyword("active, retired or withdrawn"),
        "applied": LEDGER,
        "updated_at": UPDATED,
    },
)

SHARES = IndexDefinition(
    model=Model.SHARES,
    about="One document per share: which resource went to whom in a team.",
    refresh_interval=SEARCHED,
    refresh_reason=SEARCHED_REASON,
    fields={
        "share_id": keyword("Share id"),
        "team_id": TEAM,
        "resource_id": keyword("The resource shared"),
        "audience": keyword("team, group or members"),
        "group_id": keyword("The group, for a group share"),
        "recipient_ids": keyword("Recipients as resolved when shared"),
        "recipient_count": number("How many recipients"),
        "shared_by": keyword("The coordinator who shared"),
        "shared_at": moment("When"),
        "applied": LEDGER,
        "updated_at": UPDATED,
    },
)

PROGRESS = IndexDefinition(
    model=Model.PROGRESS,
    about="One document per member and resource: when opened, when completed.",
    refresh_interval=SEARCHED,
    refresh_reason=SEARCHED_REASON,
    fields={
        "progress_id": keyword("Progress id"),
        "team_id": TEAM,
        "resource_id": keyword("The resource"),
        "member_id": keyword("The member"),
        "opened_at": moment("First opened"),
        "completed_at": moment("Completed"),
        "applied": LEDGER,
        "updated_at": UPDATED,
    },
)

ACTIVITY = IndexDefinition(
    model=Model.ACTIVITY,
    about=(
        "One document per event that happened in a team (id: the event id), "
        "newest first in the feed. Ids only; names come from the directory."
    ),
    refresh_interval=SEARCHED,
    refresh_reason=SEARCHED_REASON,
    fields={
        "event_id": keyword("The event's id"),
        "team_id": TEAM,
        "event_type": keyword("What happened, e.g. MemberJoined"),
        "aggregate_type": keyword("Team, Group, Mentorship, Share..."),
        "aggregate_id": keyword("Which one"),
        "occurred_at": moment("When it happened"),
        "actor_id": keyword("Who did it, when the event says"),
        "subject_ids": keyword("People it was about"),
        "held_on": moment("Day of a logged session"),
        "facts": private_object("A few safe fields of the event, for display"),
    },
)

CHANGES = IndexDefinition(
    model=Model.CHANGES,
    about=(
        "One document per team: a sequence number raised by every batch that "
        "changed the team's read models. The read API polls it (realtime GET) "
        "to tell open dashboards what changed."
    ),
    refresh_interval=BY_ID,
    refresh_reason=BY_ID_REASON,
    fields={
        "team_id": TEAM,
        "sequence": number("Raised by one for each changing batch", "long"),
        "models": keyword("Models the last batch changed"),
        "changed_at": moment("When the last batch was written (wall clock)"),
    },
)

DEFINITIONS: tuple[IndexDefinition, ...] = (
    DIRECTORY,
    PEOPLE,
    TEAMS,
    GROUPS,
    MENTORSHIPS,
    RESOURCES,
    SHARES,
    PROGRESS,
    ACTIVITY,
    CHANGES,
)
BY_MODEL = {d.model: d for d in DEFINITIONS}
