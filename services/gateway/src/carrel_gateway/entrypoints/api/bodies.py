"""Bodies the gateway passes on as they are: the services validate them.

Known shortcoming: the gateway's OpenAPI document shows these as plain JSON
objects; the fields and their rules are in each service's own document
(``/docs`` of the service), and their 422 answers name the field and rule.
"""

import math
from typing import Annotated, Any

from fastapi import Body
from pydantic import AfterValidator


def finite_numbers_only(body: dict[str, Any]) -> dict[str, Any]:
    """The body, unless it holds NaN or Infinity, which JSON does not have.

    Python's JSON reader takes them, and a service that echoes the bad value
    in its 422 could not write its own answer (a 500 until this was checked).
    """
    pending: list[Any] = [body]
    while pending:
        value = pending.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("NaN and Infinity are not JSON numbers")
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return body


JsonBody = Annotated[
    dict[str, Any],
    AfterValidator(finite_numbers_only),
    Body(description="Passed to the service, which validates it (422 per field)"),
]
