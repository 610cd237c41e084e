"""FastAPI's 422 answer, made safe to write whatever the client sent.

FastAPI's own handler echoes the offending input. A lone surrogate in it (JSON
allows ``"\\ud800"``) cannot be written as UTF-8, so the 422 became a 500;
here such text comes back backslash-escaped.
"""

from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


async def writable_validation_error(request: Request, error: Exception) -> JSONResponse:
    """An exception handler for ``RequestValidationError``: the usual 422."""
    del request
    assert isinstance(error, RequestValidationError)
    detail = writable(jsonable_encoder(error.errors()))
    return JSONResponse(status_code=422, content={"detail": detail})


def writable(value: Any) -> Any:
    """``value`` with every string made encodable as UTF-8."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {writable(key): writable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [writable(item) for item in value]
    return value
