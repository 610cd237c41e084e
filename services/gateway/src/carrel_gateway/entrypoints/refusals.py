"""Refusals as HTTP errors: a service's answer passed on, or our own rule."""

from typing import Any

import httpx
from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError


def refusal(answer: httpx.Response) -> HTTPException:
    """The service's refusal, with its status and detail, as ours."""
    try:
        detail: Any = answer.json().get("detail", answer.text)
    except ValueError:
        detail = answer.text
    return HTTPException(answer.status_code, detail)


def violation(loc: list[str | int], msg: str, kind: str) -> RequestValidationError:
    """A broken rule, shaped as FastAPI's 422 so clients read one kind."""
    return RequestValidationError([{"loc": tuple(loc), "msg": msg, "type": kind}])
