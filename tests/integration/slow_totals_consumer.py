"""A totals consumer that works slowly, so that a test can kill it mid-batch."""

import asyncio
import os
from collections.abc import Sequence

from carrel_events.consumer import ConsumerRuntime, Delivery, run_until_signalled

from tests.integration.backbone_support import (
    TotalsConsumer,
    engine_in_schema,
    tally_catalogue,
)


class SlowTotals(TotalsConsumer):
    async def __call__(self, deliveries: Sequence[Delivery]) -> None:
        await asyncio.sleep(0.02 * len(deliveries))
        await super().__call__(deliveries)


def main() -> None:
    env = os.environ
    engine = engine_in_schema(
        env["TEST_PG_DSN"], env["TEST_DATABASE"], env["TEST_SCHEMA"]
    )
    runtime = ConsumerRuntime(
        group=env["TEST_GROUP"],
        topics=[env["TEST_TOPIC"]],
        bootstrap_servers=env["TEST_KAFKA"],
        handler=SlowTotals(engine, name=f"totals-{env['TEST_SCHEMA']}"),
        catalogue=tally_catalogue(),
        max_batch=20,
    )
    asyncio.run(run_until_signalled(runtime))


if __name__ == "__main__":
    main()
