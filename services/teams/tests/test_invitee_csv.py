import pytest
from carrel_teams.domain.errors import RuleViolated
from carrel_teams.domain.invitee_csv import read_invitees

GOOD = (
    "name,email,role\n"
    "Ada Lovelace,ada@example.org,mentor\nGrace,grace@example.org,mentee\n"
)


def test_good_rows_become_invitees_with_their_line_numbers() -> None:
    invitees, rejected = read_invitees(GOOD, max_rows=10)

    assert rejected == []
    assert [(i.row, i.email, i.roles) for i in invitees] == [
        (2, "ada@example.org", ("mentor",)),
        (3, "grace@example.org", ("mentee",)),
    ]


def test_every_bad_row_is_rejected_with_its_reason() -> None:
    text = (
        "Name, Email ,ROLE\n"
        "Ada,ada@example.org,mentor;mentee\n"
        "Bad Email,not-an-address,mentor\n"
        "No Role,norole@example.org,\n"
        ",noname@example.org,mentee\n"
        "Wrong,wrong@example.org,librarian\n"
        "Again,ADA@example.org ,mentee\n"
        "\n"
        "Extra,extra@example.org,mentee,surplus\n"
    )

    invitees, rejected = read_invitees(text, max_rows=10)

    assert [(i.row, i.roles) for i in invitees] == [(2, ("mentor", "mentee"))]
    reasons = {outcome.row: outcome.reason or "" for outcome in rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9]
    assert reasons[3].startswith("malformed email")
    assert reasons[4] == "missing role"
    assert reasons[5] == "missing name"
    assert reasons[6].startswith("unknown role 'librarian'")
    assert reasons[7] == "duplicate of row 2"
    assert reasons[8] == "empty row"
    assert reasons[9] == "more fields than the header names"
    assert {outcome.status for outcome in rejected} == {"rejected"}


def test_a_file_without_the_three_columns_is_refused_as_a_whole() -> None:
    with pytest.raises(RuleViolated, match="no role") as refused:
        read_invitees("name,email\nAda,ada@example.org\n", max_rows=10)
    assert refused.value.field == ("body", "file")


def test_a_file_over_the_row_limit_is_refused_as_a_whole() -> None:
    rows = "".join(f"P{n},p{n}@example.org,mentee\n" for n in range(4))

    with pytest.raises(RuleViolated, match="more than 3 rows"):
        read_invitees("name,email,role\n" + rows, max_rows=3)
