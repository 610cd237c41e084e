"""Welcome resources: what each team's settings name, shared with newcomers.

Reads ``teams.events``. A team's welcome list is kept from ``TeamCreated`` and
``TeamSettingsChanged`` (claimed in :class:`AppliedVersions` in the same
transaction as the write); a ``MemberJoined`` shares the list with the
newcomer through the application. The share ids follow from the team, the
newcomer and the resource, so a redelivered join shares nothing twice even
though the shares are saved outside the ledger's transaction.

A team's events share one Kafka partition (keyed by aggregate id), so the
list in force when someone joined is the one read here. Known shortcoming: a
resource added to the list later is not sent to those who joined before.
"""

import asyncio
import logging
from collections.abc import Sequence
from uuid import UUID

from carrel_events.consumer import AppliedVersions, Delivery
from carrel_events.contracts import teams
from carrel_events.envelope import Envelope
from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects.postgresql import insert

from carrel_resources.adapters.tables import welcome_lists
from carrel_resources.application import ResourcesApplication

logger = logging.getLogger(__name__)


class WelcomeListener:
    """The batch handler that keeps welcome lists and welcomes newcomers."""

    def __init__(
        self, engine: Engine, application: ResourcesApplication, consumer: str
    ) -> None:
        self._engine = engine
        self._application = application
        self._ledger = AppliedVersions(consumer)

    async def __call__(self, deliveries: Sequence[Delivery]) -> None:
        await asyncio.to_thread(self.apply_all, deliveries)

    def apply_all(self, deliveries: Sequence[Delivery]) -> None:
        with self._engine.begin() as connection:
            for delivery in deliveries:
                self._apply(connection, delivery.event.envelope, delivery.event.payload)

    def _apply(self, c: Connection, envelope: Envelope, payload: object) -> None:
        match payload:
            case teams.TeamCreated():
                self._keep(c, envelope, payload.settings, payload.founded_by)
            case teams.TeamSettingsChanged():
                self._keep(c, envelope, payload.settings, payload.changed_by)
            case teams.MemberJoined(via=via) if via != "founder":
                self._welcome(c, envelope, payload.person_id)

    def _keep(
        self,
        c: Connection,
        envelope: Envelope,
        settings: teams.ProgrammeSettings,
        chosen_by: UUID,
    ) -> None:
        if not self._ledger.claim(c, envelope):
            return
        row = {
            "team_id": envelope.aggregate_id,
            "resource_ids": list(settings.welcome_resource_ids),
            "chosen_by": chosen_by,
        }
        statement = insert(welcome_lists).values(**row)
        c.execute(
            statement.on_conflict_do_update(
                index_elements=["team_id"],
                set_={"resource_ids": row["resource_ids"], "chosen_by": chosen_by},
            )
        )

    def _welcome(self, c: Connection, envelope: Envelope, member_id: UUID) -> None:
        query = select(welcome_lists.c.resource_ids, welcome_lists.c.chosen_by).where(
            welcome_lists.c.team_id == envelope.aggregate_id
        )
        found = c.execute(query).first()
        if found is None or not found.resource_ids:
            return
        shares = self._application.welcome(
            envelope.aggregate_id,
            member_id,
            list(found.resource_ids),
            shared_by=found.chosen_by,
            correlation_id=envelope.correlation_id,
        )
        logger.info(
            "welcomed %s to team %s with %d resources (correlation %s)",
            member_id,
            envelope.aggregate_id,
            len(shares),
            envelope.correlation_id,
        )
