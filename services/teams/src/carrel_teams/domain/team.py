"""A team: its programme settings, its members and their roles, its consortium."""

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from carrel_events.contracts.teams import ProgrammeSettings
from eventsourcing.domain import Aggregate, event

from carrel_teams.domain.errors import NotFound, NotPermitted, RuleViolated

ROLES = ("coordinator", "mentor", "mentee")


@dataclass(frozen=True)
class Graduation:
    """An invitation to mentor, from a mentorship the mentee completed."""

    mentorship_id: UUID
    goal_titles: tuple[str, ...]


@dataclass(frozen=True)
class Member:
    """A person in the team; ``person_id`` is their profile id."""

    person_id: UUID
    roles: frozenset[str]
    mentor_capacity: int | None

    def has(self, role: str) -> bool:
        return role in self.roles


def ordered_roles(roles: Iterable[str], field: str = "roles") -> list[str]:
    """The roles, once each, in a stable order; refuse an empty or unknown role."""
    chosen = set(roles)
    unknown = chosen - set(ROLES)
    if unknown:
        msg = f"unknown role {sorted(unknown)[0]!r}; roles are {', '.join(ROLES)}"
        raise RuleViolated([field], msg, "value_error.role")
    if not chosen:
        raise RuleViolated([field], "a member needs at least one role", "missing")
    return [role for role in ROLES if role in chosen]


class Team(Aggregate):
    """A library, an association or a consortium that runs a programme."""

    @staticmethod
    def create_id(team_id: UUID) -> UUID:
        return team_id

    @event("TeamCreated")
    def __init__(
        self,
        team_id: UUID,
        name: str,
        kind: str,
        settings: dict[str, Any],
        founded_by: UUID,
        correlation_id: UUID,
    ) -> None:
        self.name = name
        self.kind = kind
        self._settings = settings
        self.members: dict[UUID, Member] = {}
        self.member_teams: dict[UUID, bool] = {}
        self.join_requests: dict[UUID, list[str]] = {}
        self._join_link: tuple[str, datetime] | None = None
        self.paused: dict[UUID, int] = {}
        """Mentors paused for silence, with the expired requests that paused them."""
        self.graduates: dict[UUID, Graduation] = {}
        """Mentees invited to mentor, not yet answered."""
        self.returning: set[UUID] = set()
        """Mentors asked to confirm their capacity for the current cohort."""
        self.carried_over: list[UUID] = []
        """Mentees unmatched when the last cohort ended, carried into this one."""

    @classmethod
    def found(
        cls,
        team_id: UUID,
        name: str,
        kind: str,
        settings: ProgrammeSettings,
        founded_by: UUID,
        correlation_id: UUID,
    ) -> "Team":
        """A new team whose founder is its first coordinator."""
        team = cls(
            team_id=team_id,
            name=name,
            kind=kind,
            settings=settings.model_dump(mode="json"),
            founded_by=founded_by,
            correlation_id=correlation_id,
        )
        team._joined(
            team_id=team_id,
            person_id=founded_by,
            roles=["coordinator"],
            mentor_capacity=None,
            via="founder",
            admitted_by=None,
            correlation_id=correlation_id,
        )
        return team

    @property
    def settings(self) -> ProgrammeSettings:
        return ProgrammeSettings.model_validate(self._settings)

    # Who may do what.

    def member(self, person_id: UUID) -> Member:
        try:
            return self.members[person_id]
        except KeyError:
            raise NotFound("member", person_id) from None

    def is_coordinator(self, person_id: UUID) -> bool:
        found = self.members.get(person_id)
        return found is not None and found.has("coordinator")

    def require_coordinator(self, person_id: UUID) -> None:
        if not self.is_coordinator(person_id):
            raise NotPermitted("only a coordinator of the team may do this")

    def require_role(self, person_id: UUID, role: str, field: str) -> Member:
        found = self.members.get(person_id)
        if found is None or not found.has(role):
            msg = f"{person_id} is not a {role} of the team"
            raise RuleViolated([field], msg, f"value_error.not_{role}")
        return found

    def roles_shown_to(self, viewer_roles: Iterable[str]) -> frozenset[str]:
        """The roles whose members the settings let a viewer with these roles see.

        Who may see whom, as the directory applies it: coordinators see every
        member and are seen by all; ``team`` and ``consortium`` admit every
        member, ``mentors`` only mentors, ``coordinators`` nobody else. Known
        shortcoming: ``team`` is not narrower than ``consortium`` here, as in
        the directory; the teams of a shared pool see each other's mentors
        under either.
        """
        roles = frozenset(viewer_roles)
        if "coordinator" in roles:
            return frozenset(ROLES)
        visibility = self.settings.visibility

        def admits(audience: str) -> bool:
            if audience in ("team", "consortium"):
                return True
            return audience == "mentors" and "mentor" in roles

        shown = {"coordinator"}
        if admits(visibility.mentors_visible_to):
            shown.add("mentor")
        if admits(visibility.mentees_visible_to):
            shown.add("mentee")
        return frozenset(shown)

    def capacity_of(self, person_id: UUID) -> int:
        """The member's mentor capacity here, the team's default unless set."""
        own = self.member(person_id).mentor_capacity
        return self.settings.default_mentor_capacity if own is None else own

    # Settings and consortium.

    def change_settings(
        self, settings: ProgrammeSettings, actor: UUID, correlation_id: UUID
    ) -> None:
        self.require_coordinator(actor)
        self._settings_changed(
            team_id=self.id,
            settings=settings.model_dump(mode="json"),
            changed_by=actor,
            correlation_id=correlation_id,
        )

    @event("TeamSettingsChanged")
    def _settings_changed(
        self,
        team_id: UUID,
        settings: dict[str, Any],
        changed_by: UUID,
        correlation_id: UUID,
    ) -> None:
        self._settings = settings

    def add_member_team(
        self, member_team_id: UUID, actor: UUID, correlation_id: UUID
    ) -> None:
        self.require_coordinator(actor)
        if self.kind != "consortium":
            msg = "only a consortium has member teams"
            raise RuleViolated(["member_team_id"], msg, "value_error.not_consortium")
        if member_team_id == self.id or member_team_id in self.member_teams:
            msg = "the team is already part of this consortium"
            raise RuleViolated(["member_team_id"], msg, "value_error.duplicate")
        self._member_team_added(
            team_id=self.id,
            member_team_id=member_team_id,
            added_by=actor,
            correlation_id=correlation_id,
        )

    @event("ConsortiumMemberTeamAdded")
    def _member_team_added(
        self, team_id: UUID, member_team_id: UUID, added_by: UUID, correlation_id: UUID
    ) -> None:
        self.member_teams[member_team_id] = False

    def record_consent(
        self, member_team_id: UUID, consent: bool, actor: UUID, correlation_id: UUID
    ) -> None:
        """Record a member team's consent; its coordinator is checked by the caller."""
        if member_team_id not in self.member_teams:
            msg = "the team is not a member of this consortium"
            raise RuleViolated(["member_team_id"], msg, "value_error.not_member_team")
        if consent:
            self._consent_given(
                team_id=self.id,
                member_team_id=member_team_id,
                given_by=actor,
                correlation_id=correlation_id,
            )
        else:
            self._consent_withdrawn(
                team_id=self.id,
                member_team_id=member_team_id,
                withdrawn_by=actor,
                correlation_id=correlation_id,
            )

    @event("ConsortiumConsentGiven")
    def _consent_given(
        self, team_id: UUID, member_team_id: UUID, given_by: UUID, correlation_id: UUID
    ) -> None:
        self.member_teams[member_team_id] = True

    @event("ConsortiumConsentWithdrawn")
    def _consent_withdrawn(
        self,
        team_id: UUID,
        member_team_id: UUID,
        withdrawn_by: UUID,
        correlation_id: UUID,
    ) -> None:
        self.member_teams[member_team_id] = False

    def sharing_teams(self) -> list[UUID]:
        """Member teams that consented to share their mentors."""
        return [team for team, consent in self.member_teams.items() if consent]

    # Membership.

    def admit(
        self,
        person_id: UUID,
        roles: Iterable[str],
        via: str,
        admitted_by: UUID | None,
        correlation_id: UUID,
        referred_by: UUID | None = None,
    ) -> None:
        if person_id in self.members:
            msg = "the person is already a member of the team"
            raise RuleViolated(["person_id"], msg, "value_error.already_member")
        self._joined(
            team_id=self.id,
            person_id=person_id,
            roles=ordered_roles(roles),
            mentor_capacity=None,
            via=via,
            admitted_by=admitted_by,
            correlation_id=correlation_id,
            referred_by=referred_by,
        )

    @event("MemberJoined")
    def _joined(
        self,
        team_id: UUID,
        person_id: UUID,
        roles: list[str],
        mentor_capacity: int | None,
        via: str,
        admitted_by: UUID | None,
        correlation_id: UUID,
        referred_by: UUID | None = None,
    ) -> None:
        self.members[person_id] = Member(person_id, frozenset(roles), mentor_capacity)
        self.join_requests.pop(person_id, None)

    def change_roles(
        self, person_id: UUID, roles: Iterable[str], actor: UUID, correlation_id: UUID
    ) -> None:
        self.require_coordinator(actor)
        chosen = ordered_roles(roles)
        if "coordinator" not in chosen:
            self._keep_a_coordinator(person_id, "roles")
        self.member(person_id)
        self._roles_changed(
            team_id=self.id,
            person_id=person_id,
            roles=chosen,
            changed_by=actor,
            correlation_id=correlation_id,
        )

    @event("MemberRoleChanged")
    def _roles_changed(
        self,
        team_id: UUID,
        person_id: UUID,
        roles: list[str],
        changed_by: UUID,
        correlation_id: UUID,
    ) -> None:
        old = self.members[person_id]
        self.members[person_id] = Member(
            person_id, frozenset(roles), old.mentor_capacity
        )

    def set_mentor_capacity(
        self,
        person_id: UUID,
        capacity: int | None,
        actor: UUID,
        correlation_id: UUID,
    ) -> None:
        """Coordinators set anyone's capacity; a mentor sets their own."""
        if actor != person_id:
            self.require_coordinator(actor)
        self.member(person_id)
        self._capacity_changed(
            team_id=self.id,
            person_id=person_id,
            mentor_capacity=capacity,
            changed_by=actor,
            correlation_id=correlation_id,
        )

    @event("MentorCapacityChanged")
    def _capacity_changed(
        self,
        team_id: UUID,
        person_id: UUID,
        mentor_capacity: int | None,
        changed_by: UUID,
        correlation_id: UUID,
    ) -> None:
        old = self.members[person_id]
        self.members[person_id] = Member(person_id, old.roles, mentor_capacity)

    def remove(self, person_id: UUID, actor: UUID, correlation_id: UUID) -> None:
        """A member leaves, or a coordinator removes them."""
        if actor != person_id:
            self.require_coordinator(actor)
        self.member(person_id)
        self._keep_a_coordinator(person_id, "person_id")
        self._left(
            team_id=self.id,
            person_id=person_id,
            removed_by=actor,
            correlation_id=correlation_id,
        )

    @event("MemberLeft")
    def _left(
        self, team_id: UUID, person_id: UUID, removed_by: UUID, correlation_id: UUID
    ) -> None:
        del self.members[person_id]
        for standing in (self.paused, self.graduates):
            standing.pop(person_id, None)
        self.returning.discard(person_id)

    def _keep_a_coordinator(self, person_id: UUID, field: str) -> None:
        others = [
            member
            for member in self.members.values()
            if member.has("coordinator") and member.person_id != person_id
        ]
        if self.is_coordinator(person_id) and not others:
            msg = "a team keeps at least one coordinator"
            raise RuleViolated([field], msg, "value_error.last_coordinator")

    # The join link, with the coordinator's approval.

    def issue_join_link(
        self,
        token_hash: str,
        expires_at: datetime,
        actor: UUID,
        correlation_id: UUID,
    ) -> None:
        self.require_coordinator(actor)
        self._join_link_issued(
            team_id=self.id,
            token_hash=token_hash,
            issued_by=actor,
            expires_at=expires_at,
            correlation_id=correlation_id,
        )

    @event("JoinLinkIssued")
    def _join_link_issued(
        self,
        team_id: UUID,
        token_hash: str,
        issued_by: UUID,
        expires_at: datetime,
        correlation_id: UUID,
    ) -> None:
        self._join_link = (token_hash, expires_at)

    def request_to_join(
        self,
        person_id: UUID,
        token_hash: str,
        roles: Iterable[str],
        now: datetime,
        correlation_id: UUID,
    ) -> None:
        self._check_join_link(token_hash, now)
        chosen = ordered_roles(roles)
        if "coordinator" in chosen:
            msg = "a join link cannot make anyone a coordinator"
            raise RuleViolated(["roles"], msg, "value_error.role")
        if person_id in self.members or person_id in self.join_requests:
            msg = "the person is already a member or waiting for approval"
            raise RuleViolated(["person_id"], msg, "value_error.duplicate")
        self._join_requested(
            team_id=self.id,
            person_id=person_id,
            roles=chosen,
            correlation_id=correlation_id,
        )

    def _check_join_link(self, token_hash: str, now: datetime) -> None:
        if self._join_link is None:
            raise RuleViolated(["token"], "the team has no join link", "value_error")
        expected, expires_at = self._join_link
        if not hmac.compare_digest(expected, token_hash):
            msg = "the join link is not valid"
            raise RuleViolated(["token"], msg, "value_error.token")
        if now >= expires_at:
            msg = "the join link has expired"
            raise RuleViolated(["token"], msg, "value_error.expired")

    @event("JoinRequested")
    def _join_requested(
        self, team_id: UUID, person_id: UUID, roles: list[str], correlation_id: UUID
    ) -> None:
        self.join_requests[person_id] = roles

    def approve_join(self, person_id: UUID, actor: UUID, correlation_id: UUID) -> None:
        self.require_coordinator(actor)
        roles = self._waiting(person_id)
        self.admit(person_id, roles, "join_link", actor, correlation_id)

    def decline_join(self, person_id: UUID, actor: UUID, correlation_id: UUID) -> None:
        self.require_coordinator(actor)
        self._waiting(person_id)
        self._join_declined(
            team_id=self.id,
            person_id=person_id,
            declined_by=actor,
            correlation_id=correlation_id,
        )

    def _waiting(self, person_id: UUID) -> list[str]:
        try:
            return self.join_requests[person_id]
        except KeyError:
            raise NotFound("join request of", person_id) from None

    @event("JoinDeclined")
    def _join_declined(
        self, team_id: UUID, person_id: UUID, declined_by: UUID, correlation_id: UUID
    ) -> None:
        del self.join_requests[person_id]

    # Pauses for silence: a mentor who lets requests expire stops being asked.

    def is_paused(self, person_id: UUID) -> bool:
        return person_id in self.paused

    def pause_if_silent(
        self, person_id: UUID, expired_in_a_row: int, correlation_id: UUID
    ) -> bool:
        """Pause the mentor once their expiries in a row reach the team's limit."""
        limit = self.settings.pause_after_expired_requests
        if person_id in self.paused or person_id not in self.members:
            return False
        if expired_in_a_row < limit:
            return False
        self._paused(
            team_id=self.id,
            person_id=person_id,
            expired_requests=expired_in_a_row,
            correlation_id=correlation_id,
        )
        return True

    @event("MentorPaused")
    def _paused(
        self,
        team_id: UUID,
        person_id: UUID,
        expired_requests: int,
        correlation_id: UUID,
    ) -> None:
        self.paused[person_id] = expired_requests

    def require_askable(self, mentor_id: UUID, field: list[str]) -> None:
        """Refuse a request to a mentor this team paused, and say why."""
        expired = self.paused.get(mentor_id)
        if expired is None:
            return
        msg = (
            f"the mentor is paused in this team: {expired} requests to them in a"
            " row expired unanswered (the team pauses a mentor after"
            f" {self.settings.pause_after_expired_requests}); they can be asked"
            " again once they resume"
        )
        raise RuleViolated(field, msg, "value_error.mentor_paused")

    def resume(self, person_id: UUID, actor: UUID, correlation_id: UUID) -> None:
        """The paused mentor resumes, or a coordinator resumes them."""
        if actor != person_id:
            self.require_coordinator(actor)
        self.member(person_id)
        if person_id not in self.paused:
            msg = "the mentor is not paused"
            raise RuleViolated(["person_id"], msg, "value_error.not_paused")
        self._resumed(
            team_id=self.id,
            person_id=person_id,
            resumed_by=actor,
            correlation_id=correlation_id,
        )

    @event("MentorResumed")
    def _resumed(
        self, team_id: UUID, person_id: UUID, resumed_by: UUID, correlation_id: UUID
    ) -> None:
        self.paused.pop(person_id, None)

    # Graduation: a mentee who completed a mentorship is invited to mentor.

    def invite_to_graduate(
        self,
        person_id: UUID,
        mentorship_id: UUID,
        goal_titles: Iterable[str],
        correlation_id: UUID,
    ) -> bool:
        """Invite the mentee to mentor, unless they mentor already or were asked."""
        member = self.members.get(person_id)
        if member is None or member.has("mentor"):
            return False
        earlier = self.graduates.get(person_id)
        if earlier is not None and earlier.mentorship_id == mentorship_id:
            return False
        self._graduation_invited(
            team_id=self.id,
            person_id=person_id,
            mentorship_id=mentorship_id,
            goal_titles=list(goal_titles),
            correlation_id=correlation_id,
        )
        return True

    @event("GraduationInvited")
    def _graduation_invited(
        self,
        team_id: UUID,
        person_id: UUID,
        mentorship_id: UUID,
        goal_titles: list[str],
        correlation_id: UUID,
    ) -> None:
        self.graduates[person_id] = Graduation(mentorship_id, tuple(goal_titles))

    def accept_graduation(
        self, person_id: UUID, capacity: int, correlation_id: UUID
    ) -> None:
        """The invited member takes the mentor role; no coordinator is needed."""
        if person_id not in self.graduates:
            raise NotFound("invitation to mentor of", person_id)
        member = self.member(person_id)
        self._graduation_accepted(
            team_id=self.id,
            person_id=person_id,
            mentor_capacity=capacity,
            correlation_id=correlation_id,
        )
        self._roles_changed(
            team_id=self.id,
            person_id=person_id,
            roles=ordered_roles([*member.roles, "mentor"]),
            changed_by=person_id,
            correlation_id=correlation_id,
        )
        self._capacity_changed(
            team_id=self.id,
            person_id=person_id,
            mentor_capacity=capacity,
            changed_by=person_id,
            correlation_id=correlation_id,
        )

    @event("GraduationAccepted")
    def _graduation_accepted(
        self,
        team_id: UUID,
        person_id: UUID,
        mentor_capacity: int,
        correlation_id: UUID,
    ) -> None:
        self.graduates.pop(person_id, None)

    # Cohort rollover: the next cohort opens in one step.

    def roll_over(
        self, cohort: "NextCohort", actor: UUID, correlation_id: UUID
    ) -> None:
        """Open the next cohort: unmatched mentees carry over, mentors return.

        ``cohort.matched_mentees`` are the mentees with an active mentorship
        now; every other mentee carries over. Every mentor is asked to confirm
        their capacity. The settings' cohort dates move in the same step.
        """
        self.require_coordinator(actor)
        ended = self._current_cohort()
        cohort.check_follows(ended)
        mentees = [
            m.person_id
            for m in self.members.values()
            if m.has("mentee") and m.person_id not in cohort.matched_mentees
        ]
        mentors = [m.person_id for m in self.members.values() if m.has("mentor")]
        self._rolled_over(
            team_id=self.id,
            ended_cohort_starts_on=ended[0],
            ended_cohort_ends_on=ended[1],
            cohort_starts_on=cohort.starts_on,
            cohort_ends_on=cohort.ends_on,
            carried_over_mentee_ids=mentees,
            returning_mentor_ids=mentors,
            rolled_over_by=actor,
            correlation_id=correlation_id,
        )
        dates = {"cohort_starts_on": cohort.starts_on, "cohort_ends_on": cohort.ends_on}
        moved = self.settings.model_copy(update=dates)
        self._settings_changed(
            team_id=self.id,
            settings=moved.model_dump(mode="json"),
            changed_by=actor,
            correlation_id=correlation_id,
        )

    def _current_cohort(self) -> tuple[date, date]:
        settings = self.settings
        if settings.cohort_starts_on is None or settings.cohort_ends_on is None:
            msg = "only a team whose programme runs in cohorts rolls over"
            raise RuleViolated(["settings", "mode"], msg, "value_error.not_cohort")
        return settings.cohort_starts_on, settings.cohort_ends_on

    @event("CohortRolledOver")
    def _rolled_over(
        self,
        team_id: UUID,
        ended_cohort_starts_on: date,
        ended_cohort_ends_on: date,
        cohort_starts_on: date,
        cohort_ends_on: date,
        carried_over_mentee_ids: list[UUID],
        returning_mentor_ids: list[UUID],
        rolled_over_by: UUID,
        correlation_id: UUID,
    ) -> None:
        self.returning = set(returning_mentor_ids)
        self.carried_over = list(carried_over_mentee_ids)

    def confirm_capacity(
        self, person_id: UUID, capacity: int, actor: UUID, correlation_id: UUID
    ) -> None:
        """A returning mentor (or a coordinator for them) confirms their capacity."""
        if actor != person_id:
            self.require_coordinator(actor)
        self.require_role(person_id, "mentor", "person_id")
        starts_on = self.settings.cohort_starts_on
        if person_id not in self.returning or starts_on is None:
            msg = (
                "the mentor has no capacity to confirm for this cohort (not asked,"
                " or confirmed already); set it with mentor-capacity instead"
            )
            raise RuleViolated(["person_id"], msg, "value_error.not_returning")
        self._capacity_confirmed(
            team_id=self.id,
            person_id=person_id,
            mentor_capacity=capacity,
            cohort_starts_on=starts_on,
            correlation_id=correlation_id,
        )
        self._capacity_changed(
            team_id=self.id,
            person_id=person_id,
            mentor_capacity=capacity,
            changed_by=actor,
            correlation_id=correlation_id,
        )

    @event("MentorCapacityConfirmed")
    def _capacity_confirmed(
        self,
        team_id: UUID,
        person_id: UUID,
        mentor_capacity: int,
        cohort_starts_on: date,
        correlation_id: UUID,
    ) -> None:
        self.returning.discard(person_id)


@dataclass(frozen=True)
class NextCohort:
    """The dates of the cohort to open, and who is matched as the last one ends."""

    starts_on: date
    ends_on: date
    matched_mentees: frozenset[UUID]

    def check_follows(self, ended: tuple[date, date]) -> None:
        if self.ends_on <= self.starts_on:
            msg = "a cohort must end after it starts"
            raise RuleViolated(["body", "cohort_ends_on"], msg, "value_error.dates")
        if self.starts_on < ended[1]:
            msg = (
                f"the next cohort starts on or after {ended[1].isoformat()},"
                " the day the current one ends"
            )
            raise RuleViolated(["body", "cohort_starts_on"], msg, "value_error.dates")
