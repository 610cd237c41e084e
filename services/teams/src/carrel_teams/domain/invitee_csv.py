"""Reading the CSV of invitees a coordinator already keeps: name, email, role.

Every line after the header gets an answer: it is a candidate for an
invitation, or it is rejected with the reason. Nothing is dropped silently,
not even a blank line. Row numbers are line numbers as a spreadsheet shows
them, the header being row 1.
"""

import csv
import io
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
    reader = csv.reader(io.StringIO(text, newline=""))
    columns = _columns(next(reader, None))
    candidates: list[Invitee] = []
    refusals: list[RowOutcome] = []
    first_row_of: dict[str, int] = {}
    for index, fields in enumerate(reader, start=2):
        if index - 1 > max_rows:
            msg = f"the file has more than {max_rows} rows"
            raise RuleViolated(["body", "file"], msg, "value_error.too_many_rows")
        outcome = _read_row(index, fields, columns, first_row_of)
        if isinstance(outcome, Invitee):
            candidates.append(outcome)
        else:
            refusals.append(outcome)
    return candidates, refusals


def _columns(header: list[str] | None) -> dict[str, int]:
    names = [name.strip().lower().lstrip("\ufeff") for name in header or []]
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
