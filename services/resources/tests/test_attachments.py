import io
import zipfile

import pytest
from carrel_resources.domain.attachments import accept_file
from carrel_resources.domain.errors import AttachmentTooLarge, AttachmentTypeNotAllowed

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def office_file(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("slides.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("notes.md", "# Métadonnées\n".encode(), "text/markdown"),
        ("notes.txt", b"plain words", "text/plain"),
        (
            "plan.docx",
            office_file("[Content_Types].xml", "word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_an_allowed_file_is_typed_by_its_bytes(
    name: str, content: bytes, media_type: str
) -> None:
    accepted = accept_file(name, content, limit_bytes=1024)

    assert accepted.media_type == media_type
    assert accepted.size_bytes == len(content)
    assert len(accepted.sha256) == 64


def test_a_file_named_like_a_pdf_but_holding_a_program_is_refused() -> None:
    with pytest.raises(AttachmentTypeNotAllowed):
        accept_file("harmless.pdf", b"MZ\x90\x00" + b"\x00" * 60, limit_bytes=1024)


def test_a_plain_zip_is_not_an_office_document() -> None:
    with pytest.raises(AttachmentTypeNotAllowed):
        accept_file("plan.docx", office_file("a.txt"), limit_bytes=1024)


def test_binary_bytes_that_are_not_utf8_text_are_refused() -> None:
    with pytest.raises(AttachmentTypeNotAllowed):
        accept_file("notes.txt", b"\x00\x01\xfe\xff", limit_bytes=1024)


def test_a_file_over_the_limit_is_refused() -> None:
    with pytest.raises(AttachmentTooLarge):
        accept_file("big.txt", b"a" * 1025, limit_bytes=1024)


def test_a_path_in_the_file_name_is_dropped() -> None:
    assert accept_file("..\\..\\etc/notes.txt", b"hi", 10).file_name == "notes.txt"
