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
    """The body, unless it holds NaN, Infinity or text that is not Unicode.

    JSON has no NaN or Infinity, and a lone surrogate (``"\\ud800"``) is no
    character, yet Python's JSON reader takes all three. A service that echoes
    the bad value in its 422 could not write its own answer (a 500 until this
    was checked), so the gateway refuses them and names where they are.
    """
    pending: list[tuple[str, Any]] = [("", body)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(
                f"{where or 'body'}: NaN and Infinity are not JSON numbers"
            )
        if isinstance(value, str) and not _is_unicode(value):
            raise ValueError(f"{where or 'body'}: text must be valid Unicode")
        if isinstance(value, dict):
            for key, item in value.items():
                place = f"{where}.{key}" if where else str(key)
                if not _is_unicode(str(key)):
                    raise ValueError(
                        f"{where or 'body'}: field names must be valid Unicode"
                    )
                pending.append((place, item))
        elif isinstance(value, list):
            pending.extend((f"{where}[{i}]", item) for i, item in enumerate(value))
    return body


def _is_unicode(text: str) -> bool:
    """Whether the text can be written as UTF-8: no lone surrogate in it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


JsonBody = Annotated[
    dict[str, Any],
    AfterValidator(finite_numbers_only),
    Body(description="Passed to the service, which validates it (422 per field)"),
]
