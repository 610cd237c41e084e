"""Bodies the gateway passes on as they are: the services validate them.

Known shortcoming: the gateway's OpenAPI document shows these as plain JSON
objects; the fields and their rules are in each service's own document
(``/docs`` of the service), and their 422 answers name the field and rule.
"""

from typing import Annotated, Any

from fastapi import Body

JsonBody = Annotated[
    dict[str, Any],
    Body(description="Passed to the service, which validates it (422 per field)"),
]
