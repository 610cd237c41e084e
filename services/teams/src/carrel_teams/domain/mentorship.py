"""Mentorships, from a mentee's request to its outcome, and each mentor's load.

One Mentorship is one request to one mentor. When it expires, the mentee's
next choice becomes a new Mentorship that names the one before it. A mentor's
places are counted by a MentorLoad per team and mentor; accepting saves both
aggregates at once, so two accepts racing for a last place cannot both commit.

Only expiry moves on to the mentee's next choice; a decline does not, and the
mentee chooses again with the decline's reason in front of them. Nor does a
withdrawal: the mentee took the request back themselves.

The clock runs while anyone's answer is awaited. A request waits the team's
limit for the mentor; when the mentor asks for more information, the clock
starts again and the mentee has the team's limit to answer; the answer starts
it again for the mentor. A request that expires waiting for the mentee asks no
next choice and does not count against the mentor.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from carrel_teams.domain.errors import MentorAtCapacity, NotPermitted, RuleViolated

MAX_ALTERNATIVES = 5
WAITING = ("requested", "information_requested")
"""States of a request that neither side has closed: it can still expire."""


@dataclass(frozen=True)
class Session:
    session_id: UUID
    held_on: date
    minutes: int
    notes: str
    logged_by: UUID


@dataclass
class Goal:
    goal_id: UUID
    title: str
    target_date: date | None
    progress: int = 0


@dataclass(frozen=True)
class Feedback:
    given_by: UUID
    side: str
    rating: int
    comment: str


def checked_alternatives(
    mentee_id: UUID, mentor_id: UUID, alternatives: list[UUID]
) -> list[UUID]:
    """The mentee's further choices, in order; none twice and none the first."""
    if len(alternatives) > MAX_ALTERNATIVES:
        msg = f"at most {MAX_ALTERNATIVES} alternative mentors"
        raise RuleViolated(["alternative_mentor_ids"], msg, "value_error.too_many")
    if len(set(alternatives)) != len(alternatives) or {mentee_id, mentor_id} & set(
        alternatives
    ):
        msg = "alternatives must differ from each other, the mentor and the mentee"
        raise RuleViolated(["alternative_mentor_ids"], msg, "value_error.duplicate")
    return alternatives


class Mentorship(Aggregate):
    """A mentee's request to a mentor and, once accepted, the pair's work."""

    @event("MentorshipRequested")
    def __init__(
        self,
        team_id: UUID,
        mentee_id: UUID,
        mentor_id: UUID,
        message: str,
        alternative_mentor_ids: list[UUID],
        expires_at: datetime,
        choice: int,
        previous_mentorship_id: UUID | None,
        correlation_id: UUID,
        mentor_team_id: UUID | None = None,
    ) -> None:
        # The mentorship belongs to the mentee's team (``team_id``); in a
        # consortium's shared pool the mentor's home team differs, and it is
        # recorded so that the mentor's load is counted there. Requests
        # recorded before it was carried have None: any home in the pool.
        self.team_id = team_id
        self.mentor_team_id = mentor_team_id
        self.mentee_id = mentee_id
        self.mentor_id = mentor_id
        self.message = message
        self.alternative_mentor_ids = alternative_mentor_ids
        self.expires_at = expires_at
        self.choice = choice
        self.status = "requested"
        self.question: str | None = None
        self.answer: str | None = None
        self.decline_reason: str | None = None
        self.load_id: UUID | None = None
        self.next_mentorship_id: UUID | None = None
        self.sessions: list[Session] = []
        self.goals: dict[UUID, Goal] = {}
        self.feedback: list[Feedback] = []
        self.outcome: str | None = None
        self.skipped_mentor_ids: list[UUID] = []
        """Alternatives passed over at expiry because they could not accept."""

    @classmethod
    def request(
        cls,
        team_id: UUID,
        mentee_id: UUID,
        mentor_id: UUID,
        message: str,
        alternative_mentor_ids: list[UUID],
        expires_at: datetime,
        correlation_id: UUID,
        mentor_team_id: UUID | None = None,
    ) -> "Mentorship":
        """A first request; ``mentor_team_id`` is the mentor's team if not the same."""
        if mentee_id == mentor_id:
            msg = "a mentee cannot be their own mentor"
            raise RuleViolated(["mentor_id"], msg, "value_error.self")
        return cls(
            team_id=team_id,
            mentee_id=mentee_id,
            mentor_id=mentor_id,
            message=message,
            alternative_mentor_ids=checked_alternatives(
                mentee_id, mentor_id, alternative_mentor_ids
            ),
            expires_at=expires_at,
            choice=1,
            previous_mentorship_id=None,
            correlation_id=correlation_id,
            mentor_team_id=mentor_team_id or team_id,
        )

    def pair(self) -> tuple[UUID, UUID]:
        return self.mentor_id, self.mentee_id

    def is_overdue(self, now: datetime) -> bool:
        return self.status in WAITING and now >= self.expires_at

    # The mentor answers.

    def _require_mentor(self, actor: UUID) -> None:
        if actor != self.mentor_id:
            raise NotPermitted("only the mentor named in the request may answer it")

    def _require_waiting(self, *states: str) -> None:
        if self.status not in states:
            msg = f"the mentorship is {self.status}"
            raise RuleViolated(["mentorship_id"], msg, "value_error.state")

    def accept(self, actor: UUID, load_id: UUID, correlation_id: UUID) -> None:
        """Accept; the caller takes a place on the mentor's load in the same save."""
        self._require_mentor(actor)
        self._require_waiting("requested", "information_requested")
        self._accepted(
            team_id=self.team_id,
            mentor_id=self.mentor_id,
            mentee_id=self.mentee_id,
            load_id=load_id,
            correlation_id=correlation_id,
        )

    @event("MentorshipAccepted")
    def _accepted(
        self,
        team_id: UUID,
        mentor_id: UUID,
        mentee_id: UUID,
        load_id: UUID,
        correlation_id: UUID,
    ) -> None:
        self.status = "accepted"
        self.load_id = load_id

    def decline(self, actor: UUID, reason: str, correlation_id: UUID) -> None:
        self._require_mentor(actor)
        self._require_waiting("requested", "information_requested")
        self._declined(
            team_id=self.team_id,
            mentor_id=self.mentor_id,
            reason=reason,
            correlation_id=correlation_id,
        )

    @event("MentorshipDeclined")
    def _declined(
        self, team_id: UUID, mentor_id: UUID, reason: str, correlation_id: UUID
    ) -> None:
        self.status = "declined"
        self.decline_reason = reason

    def ask_for_information(
        self, actor: UUID, question: str, expires_at: datetime, correlation_id: UUID
    ) -> None:
        """The mentor asks; the mentee has until ``expires_at`` to answer."""
        self._require_mentor(actor)
        self._require_waiting("requested")
        self._information_requested(
            team_id=self.team_id,
            mentor_id=self.mentor_id,
            question=question,
            correlation_id=correlation_id,
            expires_at=expires_at,
        )

    @event("MoreInformationRequested")
    def _information_requested(
        self,
        team_id: UUID,
        mentor_id: UUID,
        question: str,
        correlation_id: UUID,
        expires_at: datetime | None = None,
    ) -> None:
        # Questions recorded before the mentee's wait had a limit carry no
        # expiry; their request keeps its old deadline, and no deadline row.
        self.status = "information_requested"
        self.question = question
        if expires_at is not None:
            self.expires_at = expires_at

    def clarify(
        self, actor: UUID, answer: str, expires_at: datetime, correlation_id: UUID
    ) -> None:
        if actor != self.mentee_id:
            raise NotPermitted("only the mentee of the request may answer the mentor")
        self._require_waiting("information_requested")
        self._clarified(
            team_id=self.team_id,
            mentee_id=self.mentee_id,
            answer=answer,
            expires_at=expires_at,
            correlation_id=correlation_id,
        )

    @event("MentorshipRequestClarified")
    def _clarified(
        self,
        team_id: UUID,
        mentee_id: UUID,
        answer: str,
        expires_at: datetime,
        correlation_id: UUID,
    ) -> None:
        self.status = "requested"
        self.answer = answer
        self.expires_at = expires_at

    # The mentee withdraws.

    def withdraw(self, actor: UUID, correlation_id: UUID) -> None:
        """The mentee takes back a request the mentor has not yet answered."""
        if actor != self.mentee_id:
            raise NotPermitted("only the mentee of the request may withdraw it")
        self._require_waiting(*WAITING)
        self._withdrawn(
            team_id=self.team_id,
            mentor_id=self.mentor_id,
            mentee_id=self.mentee_id,
            withdrawn_by=actor,
            correlation_id=correlation_id,
        )

    @event("MentorshipWithdrawn")
    def _withdrawn(
        self,
        team_id: UUID,
        mentor_id: UUID,
        mentee_id: UUID,
        withdrawn_by: UUID,
        correlation_id: UUID,
    ) -> None:
        self.status = "withdrawn"

    # Expiry and the next choice.

    def awaited(self) -> str:
        """Whose answer the request waits for: the mentor's or the mentee's."""
        return "mentee" if self.status == "information_requested" else "mentor"

    def expire(
        self,
        now: datetime,
        next_expires_at: datetime,
        correlation_id: UUID,
        homes: Mapping[UUID, UUID] | None = None,
    ) -> "Mentorship | None":
        """Expire an overdue request; the mentee's next choice, if any, is asked.

        ``homes`` maps each alternative who can accept now to their home team;
        the others are passed over. None takes every alternative as able, with
        no home named (any home in the pool).
        """
        if not self.is_overdue(now):
            msg = "the request is not overdue"
            raise RuleViolated(["mentorship_id"], msg, "value_error.state")
        awaited = self.awaited()
        following: Mentorship | None = None
        skipped: list[UUID] = []
        if awaited == "mentor":
            following, skipped = self._next_choice(
                next_expires_at, correlation_id, homes
            )
        self._expired(
            team_id=self.team_id,
            mentor_id=self.mentor_id,
            next_mentor_id=following.mentor_id if following else None,
            next_mentorship_id=following.id if following else None,
            correlation_id=correlation_id,
            awaited=awaited,
            skipped_mentor_ids=skipped,
        )
        return following

    def _next_choice(
        self,
        expires_at: datetime,
        correlation_id: UUID,
        homes: Mapping[UUID, UUID] | None,
    ) -> "tuple[Mentorship | None, list[UUID]]":
        """The request to the first alternative able to accept; those passed over."""
        for index, mentor_id in enumerate(self.alternative_mentor_ids):
            if homes is not None and mentor_id not in homes:
                continue
            following = Mentorship(
                team_id=self.team_id,
                mentee_id=self.mentee_id,
                mentor_id=mentor_id,
                message=self.message,
                alternative_mentor_ids=self.alternative_mentor_ids[index + 1 :],
                expires_at=expires_at,
                choice=self.choice + 1 + index,
                previous_mentorship_id=self.id,
                correlation_id=correlation_id,
                mentor_team_id=None if homes is None else homes[mentor_id],
            )
            return following, self.alternative_mentor_ids[:index]
        return None, list(self.alternative_mentor_ids)

    @event("MentorshipExpired")
    def _expired(
        self,
        team_id: UUID,
        mentor_id: UUID,
        next_mentor_id: UUID | None,
        next_mentorship_id: UUID | None,
        correlation_id: UUID,
        awaited: str = "mentor",
        skipped_mentor_ids: list[UUID] | None = None,
    ) -> None:
        self.status = "expired"
        self.next_mentorship_id = next_mentorship_id
        self.skipped_mentor_ids = list(skipped_mentor_ids or [])

    # The pair's work.

    def _require_pair(self, actor: UUID) -> None:
        if actor not in self.pair():
            raise NotPermitted("only the mentor and the mentee of the pair may do this")

    def _require_active_pair(self, actor: UUID) -> None:
        self._require_pair(actor)
        self._require_waiting("accepted")

    def log_session(
        self,
        session_id: UUID,
        held_on: date,
        minutes: int,
        notes: str,
        actor: UUID,
        correlation_id: UUID,
    ) -> None:
        self._require_active_pair(actor)
        self._session_logged(
            team_id=self.team_id,
            session_id=session_id,
            held_on=held_on,
            minutes=minutes,
            notes=notes,
            logged_by=actor,
            correlation_id=correlation_id,
        )

    @event("SessionLogged")
    def _session_logged(
        self,
        team_id: UUID,
        session_id: UUID,
        held_on: date,
        minutes: int,
        notes: str,
        logged_by: UUID,
        correlation_id: UUID,
    ) -> None:
        self.sessions.append(Session(session_id, held_on, minutes, notes, logged_by))

    def set_goal(
        self,
        goal_id: UUID,
        title: str,
        target_date: date | None,
        actor: UUID,
        correlation_id: UUID,
    ) -> None:
        self._require_active_pair(actor)
        self._goal_set(
            team_id=self.team_id,
            goal_id=goal_id,
            title=title,
            target_date=target_date,
            set_by=actor,
            correlation_id=correlation_id,
        )

    @event("GoalSet")
    def _goal_set(
        self,
        team_id: UUID,
        goal_id: UUID,
        title: str,
        target_date: date | None,
        set_by: UUID,
        correlation_id: UUID,
    ) -> None:
        self.goals[goal_id] = Goal(goal_id, title, target_date)

    def progress_goal(
        self, goal_id: UUID, progress: int, actor: UUID, correlation_id: UUID
    ) -> None:
        self._require_active_pair(actor)
        if goal_id not in self.goals:
            msg = "the mentorship has no such goal"
            raise RuleViolated(["goal_id"], msg, "value_error.unknown_goal")
        self._goal_progressed(
            team_id=self.team_id,
            goal_id=goal_id,
            progress=progress,
            reported_by=actor,
            correlation_id=correlation_id,
        )

    @event("GoalProgressed")
    def _goal_progressed(
        self,
        team_id: UUID,
        goal_id: UUID,
        progress: int,
        reported_by: UUID,
        correlation_id: UUID,
    ) -> None:
        self.goals[goal_id].progress = progress

    def give_feedback(
        self, rating: int, comment: str, actor: UUID, correlation_id: UUID
    ) -> None:
        """Either side gives feedback, during the mentorship or after it ended.

        A side has one feedback at a time: what it gives later (at the end,
        say, after a word midway) replaces what it gave before, so a rating
        counts once wherever ratings are counted.
        """
        self._require_pair(actor)
        self._require_waiting("accepted", "ended")
        self._feedback_given(
            team_id=self.team_id,
            given_by=actor,
            side="mentor" if actor == self.mentor_id else "mentee",
            rating=rating,
            comment=comment,
            correlation_id=correlation_id,
        )

    @event("FeedbackGiven")
    def _feedback_given(
        self,
        team_id: UUID,
        given_by: UUID,
        side: str,
        rating: int,
        comment: str,
        correlation_id: UUID,
    ) -> None:
        kept = [given for given in self.feedback if given.side != side]
        self.feedback = [*kept, Feedback(given_by, side, rating, comment)]

    def end(
        self, outcome: str, actor: UUID, by_coordinator: bool, correlation_id: UUID
    ) -> None:
        """The pair or a coordinator ends it; the caller frees the mentor's place."""
        if not by_coordinator:
            self._require_pair(actor)
        self._require_waiting("accepted")
        self._ended(
            team_id=self.team_id,
            outcome=outcome,
            ended_by=actor,
            correlation_id=correlation_id,
        )

    @event("MentorshipEnded")
    def _ended(
        self, team_id: UUID, outcome: str, ended_by: UUID, correlation_id: UUID
    ) -> None:
        self.status = "ended"
        self.outcome = outcome

    # Graduation: what the mentee takes from a mentorship that completed.

    def graduates_mentee(self) -> bool:
        """Completed, and the mentee said how it went: they may mentor next."""
        mentee_spoke = any(given.side == "mentee" for given in self.feedback)
        return self.status == "ended" and self.outcome == "completed" and mentee_spoke

    def reached_goals(self) -> list[str]:
        """The titles of the goals the pair brought to 100 percent."""
        return [goal.title for goal in self.goals.values() if goal.progress >= 100]


def mentor_load_id(team_id: UUID, mentor_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"carrel:mentor-load:{team_id}:{mentor_id}")


class MentorLoad(Aggregate):
    """The mentorships a mentor has accepted and not yet ended, in one team.

    Its events stay inside the service: consumers count load from the
    mentorship events themselves.
    """

    @staticmethod
    def create_id(team_id: UUID, mentor_id: UUID) -> UUID:
        return mentor_load_id(team_id, mentor_id)

    @event("MentorLoadOpened")
    def __init__(self, team_id: UUID, mentor_id: UUID) -> None:
        self.team_id = team_id
        self.mentor_id = mentor_id
        self.active: list[UUID] = []
        self.lapsed = 0
        """Requests to the mentor that expired in a row, since their last answer."""

    def take(self, mentorship_id: UUID, capacity: int) -> None:
        if mentorship_id in self.active:
            return
        if len(self.active) >= capacity:
            raise MentorAtCapacity
        self._place_taken(team_id=self.team_id, mentorship_id=mentorship_id)

    @event("MentorPlaceTaken")
    def _place_taken(self, team_id: UUID, mentorship_id: UUID) -> None:
        self.active.append(mentorship_id)

    def release(self, mentorship_id: UUID) -> None:
        if mentorship_id in self.active:
            self._place_freed(team_id=self.team_id, mentorship_id=mentorship_id)

    @event("MentorPlaceFreed")
    def _place_freed(self, team_id: UUID, mentorship_id: UUID) -> None:
        self.active.remove(mentorship_id)

    # Responsiveness: a request that expires counts; any answer clears the count.

    def lapse(self, mentorship_id: UUID) -> int:
        """Count a request that expired unanswered; how many in a row now."""
        self._lapsed(team_id=self.team_id, mentorship_id=mentorship_id)
        return self.lapsed

    @event("MentorRequestLapsed")
    def _lapsed(self, team_id: UUID, mentorship_id: UUID) -> None:
        self.lapsed += 1

    def clear_lapses(self) -> None:
        """The mentor answered a request, or resumed: the count starts again."""
        if self.lapsed:
            self._lapses_cleared(team_id=self.team_id)

    @event("MentorLapsesCleared")
    def _lapses_cleared(self, team_id: UUID) -> None:
        self.lapsed = 0
