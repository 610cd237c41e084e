"""Properties that hold for any pool: filters, exclusions, scores in range."""

from dataclasses import replace
from uuid import UUID

from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.domain import criteria
from carrel_matching.domain.people import Mentor, MustHave, Person, Place, TeamRules
from carrel_matching.domain.ranker import TeamRanking
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .people import ARCHIVES, CATALOGUING, METADATA, PRESERVATION, SQL

SKILLS = [METADATA, CATALOGUING, PRESERVATION, ARCHIVES, SQL]
PLACES = [
    Place("Lincoln", "NE", "US", 40.81, -96.70, -6.0),
    Place("Omaha", "NE", "US", 41.26, -95.93, -6.0),
    Place("Toronto", "ON", "CA", 43.65, -79.38, -5.0),
    Place(region="Bavaria", country="DE"),
    Place(),
]
MUST_HAVES: st.SearchStrategy[frozenset[MustHave]] = st.frozensets(
    st.sampled_from(
        [
            "same_country",
            "same_region",
            "same_time_zone",
            "shared_language",
            "compatible_meeting_preference",
            "learning_goal_covered",
        ]
    ),
    max_size=2,
)


def people(ids: st.SearchStrategy[UUID]) -> st.SearchStrategy[Person]:
    return st.builds(
        Person,
        person_id=ids,
        skills=st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=4),
        learning_goals=st.lists(st.sampled_from(SKILLS), max_size=3, unique=True).map(
            tuple
        ),
        interests=st.frozensets(st.sampled_from(["zines", "maps", "games"])),
        target_roles=st.lists(
            st.sampled_from(["Archivist", "Head of Archives"]), max_size=1
        ).map(tuple),
        current_role=st.sampled_from(["", "Archivist", "Archives Technician"]),
        institution=st.sampled_from([None, "NE:1", "NE:2"]),
        years_of_experience=st.one_of(st.none(), st.integers(0, 40)),
        languages=st.frozensets(st.sampled_from(["en", "fr"])),
        place=st.sampled_from(PLACES),
        meeting_preference=st.sampled_from(["remote", "in_person", "either"]),
        place_weight=st.sampled_from([0.0, 0.5, 1.0]),
        available=st.booleans(),
        avoid_own_institution=st.booleans(),
    )


@st.composite
def pools(draw: st.DrawFn) -> tuple[list[Person], list[Mentor], TeamRules]:
    ids = st.uuids()
    mentees = draw(
        st.lists(people(ids), min_size=1, max_size=6, unique_by=lambda p: p.person_id)
    )
    persons = draw(
        st.lists(people(ids), min_size=1, max_size=6, unique_by=lambda p: p.person_id)
    )
    mentors = []
    for p in persons:
        capacity = draw(st.integers(0, 3))
        mentors.append(Mentor(p, capacity, draw(st.integers(0, 3))))
    pairs = draw(
        st.frozensets(
            st.tuples(
                st.sampled_from([m.mentor_id for m in mentors]),
                st.sampled_from([p.person_id for p in mentees]),
            ),
            max_size=4,
        )
    )
    rules = TeamRules(
        must_haves=draw(MUST_HAVES),
        exclude_same_institution=draw(st.booleans()),
        excluded_pairs=pairs,
    )
    return mentees, mentors, rules


CHECKS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@CHECKS
@given(pool=pools())
def test_a_full_or_paused_mentor_is_never_offered(
    pool: tuple[list[Person], list[Mentor], TeamRules], skills: VocabularySkills
) -> None:
    mentees, mentors, rules = pool
    ranking = TeamRanking(mentees, mentors, rules, skills, top_n=10)
    ranking.rank_all()
    unofferable = {m.mentor_id for m in mentors if not m.offerable}
    for candidates in ranking.lists.values():
        assert not unofferable & {c.mentor_id for c in candidates}


@CHECKS
@given(pool=pools())
def test_exclusions_and_must_haves_always_hold(
    pool: tuple[list[Person], list[Mentor], TeamRules], skills: VocabularySkills
) -> None:
    mentees, mentors, rules = pool
    ranking = TeamRanking(mentees, mentors, rules, skills, top_n=10)
    ranking.rank_all()
    by_id = {m.mentor_id: m for m in mentors}
    for mentee in mentees:
        for candidate in ranking.lists[mentee.person_id]:
            mentor = by_id[candidate.mentor_id]
            assert (mentor.mentor_id, mentee.person_id) not in rules.excluded_pairs
            assert mentor.mentor_id != mentee.person_id
            assert not criteria.same_institution_excluded(mentee, mentor.person, rules)
            assert criteria.refusal(mentee, mentor, rules, skills) is None


@CHECKS
@given(pool=pools())
def test_scores_stay_within_zero_and_one(
    pool: tuple[list[Person], list[Mentor], TeamRules], skills: VocabularySkills
) -> None:
    mentees, mentors, rules = pool
    for mentee in mentees:
        for mentor in mentors:
            fit = criteria.pair_fit(mentee, mentor, rules, skills)
            assert 0 <= fit.score <= 1
            assert all(0 <= v <= 1 for v in fit.values.values())
    ranking = TeamRanking(mentees, mentors, rules, skills, top_n=10)
    ranking.rank_all()
    for candidates in ranking.lists.values():
        assert all(0 <= c.score <= c.base_score <= 1 for c in candidates)


@CHECKS
@given(pool=pools(), data=st.data())
def test_after_any_updates_no_full_or_paused_mentor_is_offered(
    pool: tuple[list[Person], list[Mentor], TeamRules],
    data: st.DataObject,
    skills: VocabularySkills,
) -> None:
    mentees, mentors, rules = pool
    ranking = TeamRanking(mentees, mentors, rules, skills, top_n=3)
    ranking.rank_all()
    now = {m.mentor_id: m for m in mentors}
    for mentor in data.draw(st.lists(st.sampled_from(mentors), max_size=4)):
        changed = Mentor(
            replace(mentor.person, available=data.draw(st.booleans())),
            mentor.capacity,
            data.draw(st.integers(0, 3)),
            paused=data.draw(st.booleans()),
        )
        if data.draw(st.booleans()) and len(now) > 1:
            now.pop(mentor.mentor_id, None)
            ranking.update(None, {mentor.mentor_id: None})
        else:
            now[mentor.mentor_id] = changed
            ranking.update(None, {mentor.mentor_id: changed})

    unofferable = {m.mentor_id for m in now.values() if not m.offerable}
    fresh = TeamRanking(mentees, now.values(), rules, skills, top_n=3)
    fresh.rank_all()
    for mentee in mentees:
        listed = {c.mentor_id for c in ranking.lists[mentee.person_id]}
        assert not listed & unofferable
        assert listed <= now.keys()
        assert ranking.lists[mentee.person_id] == fresh.lists[mentee.person_id]
