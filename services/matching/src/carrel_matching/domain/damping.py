"""Damping: the most popular mentors should not be everyone's first choice.

A mentor's *demand* is how many mentees of the team have them among their
``TOP_K_FOR_DEMAND`` best candidates before damping. Demand up to
``DEMAND_PER_PLACE`` mentees per free place is healthy and costs nothing.
Past it, the mentor's scores are multiplied by::

    factor = max(DAMPING_FLOOR, sqrt(healthy_demand / demand))

so a mentor wanted by four times the healthy number keeps half their score,
and no mentor ever loses more than half. The factor uses the undamped ranks,
so it does not feed back into itself; the mentee then sees the reason "many
mentees already asked for this mentor" beside a damped candidate.
"""

import math

TOP_K_FOR_DEMAND = 5
DEMAND_PER_PLACE = 3
DAMPING_FLOOR = 0.5
DAMPING_SHOWN_BELOW = 0.95
"""A factor under this is worth telling the mentee about."""


def healthy_demand(free_places: int) -> int:
    return DEMAND_PER_PLACE * max(1, free_places)


def damping_factor(demand: int, free_places: int) -> float:
    """The multiplier of a mentor's scores, 1 when demand is healthy."""
    healthy = healthy_demand(free_places)
    if demand <= healthy:
        return 1.0
    return max(DAMPING_FLOOR, math.sqrt(healthy / demand))
