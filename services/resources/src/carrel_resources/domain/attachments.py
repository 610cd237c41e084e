"""Which files a coordinator may attach, judged by their bytes, not their name."""

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

# filetype ships no type information; it is a small magic-bytes table.
import filetype  # type: ignore[import-untyped]

from carrel_resources.domain.errors import AttachmentTooLarge, AttachmentTypeNotAllowed

ALLOWED_BINARY_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
    }
)
_MARKDOWN_SUFFIXES = {".md", ".markdown"}


@dataclass(frozen=True)
class AttachedFile:
    """A file accepted for the service's storage; the event carries all but bytes."""

    file_name: str
    media_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size_bytes(self) -> int:
        return len(self.content)

    def as_event(self) -> dict[str, str | int]:
        return {
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "media_type": self.media_type,
            "file_name": self.file_name,
        }


def accept_file(file_name: str, content: bytes, limit_bytes: int) -> AttachedFile:
    """The file as it will be kept, or the reason it is refused."""
    if len(content) > limit_bytes:
        raise AttachmentTooLarge(limit_bytes)
    name = PurePath(file_name.replace("\\", "/")).name[:200] or "attachment"
    return AttachedFile(name, sniff_media_type(name, content), content)


def sniff_media_type(file_name: str, content: bytes) -> str:
    """The media type the bytes show; text only when they are valid UTF-8."""
    detected = filetype.guess_mime(content)
    if detected in ALLOWED_BINARY_TYPES:
        return str(detected)
    if detected is not None:
        raise AttachmentTypeNotAllowed(str(detected))
    if not _is_text(content):
        raise AttachmentTypeNotAllowed("application/octet-stream")
    if PurePath(file_name).suffix.lower() in _MARKDOWN_SUFFIXES:
        return "text/markdown"
    return "text/plain"


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
