from collections.abc import AsyncIterator
from typing import Annotated

import httpx
from carrel_events.body_limit import cap_request_bodies
from carrel_events.observability import observe
from fastapi import FastAPI, File, UploadFile
from pydantic import BaseModel

LIMIT = 4096
CHUNK = 1024
JSON = {"content-type": "application/json"}


class Note(BaseModel):
    text: str


def capped_app() -> FastAPI:
    app = FastAPI()
    cap_request_bodies(app, LIMIT)
    # observe adds a BaseHTTPMiddleware, which the cap has to work beneath.
    observe(app, "body-limit-test")

    @app.put("/notes")
    def put_note(note: Note) -> dict[str, int]:
        return {"length": len(note.text)}

    @app.post("/files")
    def post_file(file: Annotated[UploadFile, File()]) -> dict[str, int]:
        return {"length": len(file.file.read())}

    return app


class Chunks:
    """A body sent in chunks without a length, counting what was pulled."""

    def __init__(self, head: bytes, filler: int, tail: bytes) -> None:
        self.parts = [head, *([b"a" * CHUNK] * (filler // CHUNK)), tail]
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self.parts:
            self.pulled += len(part)
            yield part


async def send(method: str, path: str, **options: object) -> httpx.Response:
    transport = httpx.ASGITransport(capped_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        return await http.request(method, path, **options)  # type: ignore[arg-type]


async def test_a_chunked_json_body_over_the_cap_gets_413_not_400() -> None:
    body = Chunks(b'{"text": "', 20 * CHUNK, b'"}')

    answer = await send("PUT", "/notes", content=body, headers=JSON)

    assert answer.status_code == 413
    assert answer.json()["detail"][0]["type"] == "body_too_large"
    assert body.pulled <= LIMIT + CHUNK


async def test_a_chunked_upload_over_the_cap_stops_being_read_at_the_cap() -> None:
    boundary = "carrel"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="big.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    body = Chunks(head, 100 * CHUNK, f"\r\n--{boundary}--\r\n".encode())
    content_type = f"multipart/form-data; boundary={boundary}"

    answer = await send(
        "POST", "/files", content=body, headers={"content-type": content_type}
    )

    assert answer.status_code == 413
    assert body.pulled <= LIMIT + CHUNK


async def test_a_declared_length_over_the_cap_is_refused_before_the_route() -> None:
    answer = await send("PUT", "/notes", json={"text": "a" * 2 * LIMIT})

    assert answer.status_code == 413
    assert "larger than 4096 bytes" in answer.json()["detail"][0]["msg"]


async def test_a_chunked_body_within_the_cap_reaches_the_route() -> None:
    body = Chunks(b'{"text": "', 2 * CHUNK, b'"}')

    answer = await send("PUT", "/notes", content=body, headers=JSON)

    assert answer.json() == {"length": 2 * CHUNK}
