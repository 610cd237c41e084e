"""Reading the CSV of invitees a coordinator already keeps: name, email, role.

Every line after the header gets an answer: it is a candidate for an
invitation, or it is rejected with the reason. Nothing is dropped silently,
not even a blank line. Row numbers are line numbers as a spreadsheet shows
them, the header being row 1.

Each line is read on its own: a name, an address or a role never holds a line
break, so a quoted field may not span lines. A line whose quote is not closed
on it is rejected by its number, and the lines after it are still read; a
whole-file reader would take every following line into the open quote and
report one row for all of them. A line longer than ``MAX_ROW_LENGTH`` is
rejected before it is parsed, so the csv module's field limit (131,072
characters) is never reached.
"""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from carrel_events.names import plain_name
from email_validator import EmailNotValidError, validate_email

from carrel_teams.domain.errors import RuleViolated
from carrel_teams.domain.invitation import normalised_email
from carrel_teams.domain.team import ROLES

COLUMNS = ("name", "email", "role")
ROLE_SEPARATORS = (";", "+", "|")
MAX_NAME_LENGTH = 200
MAX_ROW_LENGTH = 10_000
"""Characters in one line: the three columns with room for a few more kept."""
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Invitee:
    """A row that passed every check that needs no lookup."""

    row: int
    name: str
    email: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class RowOutcome:
    row: int
    status: str
    reason: str | None = None
    invitation_id: UUID | None = None


def rejected(row: int, reason: str) -> RowOutcome:
    return RowOutcome(row=row, status="rejected", reason=reason)


def read_invitees(text: str, max_rows: int) -> tuple[list[Invitee], list[RowOutcome]]:
    """Candidates and rejected rows; the file as a whole may be refused."""
    lines = _lines(text)
    columns = _columns(next(lines, None))
    candidates: list[Invitee] = []
    refusals: list[RowOutcome] = []
    first_row_of: dict[str, int] = {}
    for index, line in enumerate(lines, start=2):
        if index - 1 > max_rows:
            msg = f"the file has more than {max_rows} rows"
            raise RuleViolated(["body", "file"], msg, "value_error.too_many_rows")
        fields = _fields(line)
        if isinstance(fields, str):
            refusals.append(rejected(index, fields))
            continue
        outcome = _read_row(index, fields, columns, first_row_of)
        if isinstance(outcome, Invitee):
            candidates.append(outcome)
        else:
            refusals.append(outcome)
    return candidates, refusals


def _lines(text: str) -> Iterator[str]:
    """The file's lines, split where the csv module splits records."""
    lines = LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the break that ends the last line opens no row
    return iter(lines)


def _fields(line: str) -> list[str] | str:
    """The line's fields, or why it cannot be read."""
    if len(line) > MAX_ROW_LENGTH:
        return f"row longer than {MAX_ROW_LENGTH} characters"
    if line.count('"') % 2:
        return (
            "unterminated quote: a quoted field is not closed on this row (a"
            " field cannot span lines; close the quote, or double a quote mark"
            " that belongs to the text)"
        )
    try:
        return next(csv.reader([line], strict=True), [])
    except csv.Error as error:
        return f"unreadable row: {error}"


def _columns(line: str | None) -> dict[str, int]:
    header = _fields(line or "")
    if isinstance(header, str):
        msg = f"the header row (row 1) cannot be read: {header}"
        raise RuleViolated(["body", "file"], msg, "value_error.csv_header")
    names = [name.strip().lower().lstrip("\ufeff") for name in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        msg = f"the header must name the columns name, email and role; no {missing[0]}"
        raise RuleViolated(["body", "file"], msg, "value_error.csv_header")
    return {column: names.index(column) for column in COLUMNS} | {"": len(names)}


def _read_row(
    row: int,
    fields: list[str],
    columns: dict[str, int],
    first_row_of: dict[str, int],
) -> Invitee | RowOutcome:
    if not any(field.strip() for field in fields):
        return rejected(row, "empty row")
    if len(fields) > columns[""]:
        return rejected(row, "more fields than the header names")
    values = {
        column: fields[index].strip() if index < len(fields) else ""
        for column, index in columns.items()
        if column
    }
    for column in COLUMNS:
        if not values[column]:
            return rejected(row, f"missing {column}")
    if len(values["name"]) > MAX_NAME_LENGTH:
        return rejected(row, f"name longer than {MAX_NAME_LENGTH} characters")
    try:
        plain_name(values["name"])
    except ValueError as error:
        return rejected(row, f"name {error}")
    return _checked(row, values, first_row_of)


def _checked(
    row: int, values: dict[str, str], first_row_of: dict[str, int]
) -> Invitee | RowOutcome:
    try:
        validate_email(values["email"], check_deliverability=False)
    except EmailNotValidError as error:
        return rejected(row, f"malformed email: {error}")
    roles = parse_roles(values["role"])
    if isinstance(roles, str):
        return rejected(row, roles)
    email = normalised_email(values["email"])
    if email in first_row_of:
        return rejected(row, f"duplicate of row {first_row_of[email]}")
    first_row_of[email] = row
    return Invitee(row=row, name=values["name"], email=email, roles=roles)


def parse_roles(text: str) -> tuple[str, ...] | str:
    """Roles such as ``mentor`` or ``mentor;mentee``; a reason when unknown."""
    for separator in ROLE_SEPARATORS:
        text = text.replace(separator, ",")
    roles = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        return f"unknown role {unknown[0] if unknown else text!r}; roles are " + (
            ", ".join(ROLES)
        )
    return tuple(dict.fromkeys(roles))
