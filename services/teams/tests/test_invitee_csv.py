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


def test_an_unclosed_quote_rejects_its_own_row_and_the_rows_after_it_are_read() -> None:
    text = (
        "name,email,role\n"
        'Ada,"ada@example.org,mentor\n'
        "Bob,bob@example.org,mentee\n"
        "Cy,cy@example.org,mentee\n"
    )

    invitees, rejected = read_invitees(text, max_rows=10)

    assert [i.row for i in invitees] == [3, 4]
    [refused] = rejected
    assert refused.row == 2
    assert (refused.reason or "").startswith("unterminated quote")


def test_a_quoted_field_may_not_span_lines_and_both_lines_say_so() -> None:
    text = (
        "name,email,role\r\n"
        '"Lovelace, Ada",ada@example.org,mentor\r\n'
        '"Grace\r\nHopper",grace@example.org,mentee\r\n'
        '"Kim ""KT"" Tan",kim@example.org,mentee'
    )

    invitees, rejected = read_invitees(text, max_rows=10)

    assert [(i.row, i.name) for i in invitees] == [
        (2, "Lovelace, Ada"),
        (5, 'Kim "KT" Tan'),
    ]
    assert [r.row for r in rejected] == [3, 4]
    assert all((r.reason or "").startswith("unterminated quote") for r in rejected)


def test_a_row_past_the_csv_field_limit_is_rejected_and_the_next_is_read() -> None:
    giant = "A" * 140_000
    text = f"name,email,role\n{giant},a@example.org,mentee\nB,b@example.org,mentee\n"

    invitees, rejected = read_invitees(text, max_rows=10)

    assert [i.row for i in invitees] == [3]
    assert [(r.row, r.reason) for r in rejected] == [
        (2, "row longer than 10000 characters")
    ]


def test_a_header_that_cannot_be_read_refuses_the_file_by_its_row() -> None:
    with pytest.raises(RuleViolated, match="row 1") as refused:
        read_invitees('name,"email,role\nAda,ada@example.org,mentor\n', max_rows=10)
    assert refused.value.field == ("body", "file")

    with pytest.raises(RuleViolated, match="longer than 10000"):
        read_invitees("name,email,role" + "x" * 140_000 + "\n", max_rows=10)


def test_a_stray_character_after_a_closing_quote_is_rejected_not_guessed() -> None:
    _, rejected = read_invitees('name,email,role\n"Ada"x,a@example.org,mentor\n', 10)

    assert [r.row for r in rejected] == [2]
    assert (rejected[0].reason or "").startswith("unreadable row")
