from datetime import date

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core import pgcopy

# Text as a member's name, a token or a blind index may hold it: any character but NUL, which no
# PostgreSQL text can hold.
_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)
_ROWS = st.lists(
    st.tuples(
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        _TEXT,
        st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1)),
        st.one_of(st.none(), st.dates(min_value=date(1, 1, 1))),
    ),
    max_size=20,
)


def _copied(rows: list[tuple[int, str, int | None, date | None]]) -> list[tuple]:
    """The rows written as pgcopy makes them, COPYed into PostgreSQL and read back."""
    keys, names, links, days = zip(*rows, strict=True) if rows else ([], [], [], [])
    columns = [
        pgcopy.rows_of_bigints(4, keys),
        *pgcopy.texts(names),
        [pgcopy.bigint(link) for link in links],
        [pgcopy.iso_date(day and day.isoformat()) for day in days],
    ]
    data = b"".join(map(b"".join, zip(*columns, strict=True)))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copied (key bigint, name text, link bigint, day date)")
        try:
            with cursor.cursor.copy("COPY copied FROM STDIN (FORMAT binary)") as copy:
                copy.write(pgcopy.HEADER + data + pgcopy.TRAILER)
            cursor.execute("SELECT key, name, link, day FROM copied")
            return cursor.fetchall()
        finally:
            cursor.execute("DROP TABLE copied")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="binary COPY is PostgreSQL's")
@pytest.mark.django_db
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_ROWS)
def test_rows_made_column_by_column_reach_postgresql_as_they_were(rows):
    assert _copied(rows) == rows


def test_a_repeated_value_is_made_into_its_field_once():
    made = []
    fields = pgcopy.Memo(lambda value: made.append(value) or pgcopy.text(value))

    assert [fields[v] for v in ("110101", "110101", "310104")] == [
        pgcopy.text("110101"),
        pgcopy.text("110101"),
        pgcopy.text("310104"),
    ]
    assert made == ["110101", "310104"]
