"""A re-import recognises the rows that would change nothing in its first pass and never reads
them again (`Staging.classify`). The outcome must be exactly that of staging every accepted row and
letting the SQL merge decide: same counts, same errors, same registry."""

from datetime import date
from unittest import mock

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core import pii
from gonghui.members.models import Member
from gonghui.members.pool import row_chunks
from gonghui.members.services import registry
from gonghui.members.services.registry import member_import_records
from gonghui.members.tests.factories import MemberFactory, make_id_number, make_phone

FIELDS = {"name": 0, "id_number": 1, "phone": 2, "employer_uscc": 3, "org_code": 4, "joined_on": 5}
NAMES = ("张三", "李四")
PHONES = ("", make_phone(1), make_phone(2))
UNIONS = ("E00000001", "110101001001")  # the employer's union, the community union

# (which ID number, name, phone, with the employer's USCC?, union code, join date)
file_rows = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.sampled_from(NAMES),
        st.sampled_from(PHONES),
        st.booleans(),
        st.sampled_from(("", *UNIONS)),
        st.sampled_from(("", "2020-01-01", "2021-05-05")),
    ),
    max_size=10,
)
# ID number → (name, phone, with the employer?, union code, join date) already registered
registered = st.dictionaries(
    st.integers(0, 3),
    st.tuples(
        st.sampled_from(NAMES),
        st.sampled_from(PHONES),
        st.booleans(),
        st.sampled_from(UNIONS),
        st.sampled_from((None, date(2020, 1, 1), date(2022, 2, 2))),
    ),
    max_size=4,
)


def _import(city, state, rows, chunk_size, *, skip_unchanged, one_pass=False):
    point = transaction.savepoint()
    try:
        for seq, (name, phone, employed, union, joined) in state.items():
            MemberFactory(
                id_number=make_id_number(seq + 700),
                name=name,
                phone=phone,
                employer=city.employer if employed else None,
                org=city.employer.union if union == "E00000001" else city.community,
                joined_on=joined,
            )
        raw = [
            (
                number,
                [
                    name,
                    make_id_number(seq + 700),
                    phone,
                    city.employer.uscc * employed,
                    union,
                    joined,
                ],
            )
            for number, (seq, name, phone, employed, union, joined) in enumerate(rows, start=2)
        ]
        registry.SKIP_UNCHANGED = skip_unchanged
        # A one-pass import is what a large file larger than the registry gets on SQLite.
        way = {"bulk_load": True, "expected_rows": 10**9} if one_pass else {}
        with (
            mock.patch.object(registry, "_staged", side_effect=AssertionError("not one pass"))
            if one_pass
            else mock.MagicMock()
        ):
            result = member_import_records(
                chunks=lambda: row_chunks(raw, chunk_size),
                fields=FIELDS,
                scope_org=city.district,
                **way,
            )
        members = sorted(
            (m.id_number_index, m.name, m.name_pinyin, m.phone_index, m.phone_masked,
             pii.decrypt(m.phone) if m.phone else "", m.employer_id, m.org_id, m.joined_on)
            for m in Member.objects.all()
        )  # fmt: skip
        errors = [(e.row, e.column, e.value, e.reason) for e in result.errors]
        return result.as_dict(), errors, members
    finally:
        registry.SKIP_UNCHANGED = True
        transaction.savepoint_rollback(point)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(state=registered, rows=file_rows, chunk_size=st.sampled_from((1, 3, 100)))
def test_skipping_unchanged_rows_ends_exactly_as_merging_every_row(city, state, rows, chunk_size):
    fast = _import(city, state, rows, chunk_size, skip_unchanged=True)
    full = _import(city, state, rows, chunk_size, skip_unchanged=False)
    assert fast == full


@pytest.mark.skipif(connection.vendor != "sqlite", reason="one-pass imports are SQLite's")
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(state=registered, rows=file_rows, chunk_size=st.sampled_from((1, 3, 100)))
def test_a_one_pass_import_ends_exactly_as_a_two_pass_one(city, state, rows, chunk_size):
    one = _import(city, state, rows, chunk_size, skip_unchanged=True, one_pass=True)
    two = _import(city, state, rows, chunk_size, skip_unchanged=True)
    assert one == two


def _registry_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s",
            [Member._meta.db_table],
        )
        return sorted(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="one-pass imports are SQLite's")
def test_a_one_pass_import_builds_the_registry_indexes_again(city):
    MemberFactory(id_number=make_id_number(900), org=city.community)
    before = _registry_indexes()
    raw = [(2, ["赵六", make_id_number(901), "", "", "110101001001", ""])]
    calls = []
    with mock.patch.object(registry, "_staged", side_effect=AssertionError("not one pass")):
        result = member_import_records(
            chunks=lambda: row_chunks(raw, 100),
            fields=FIELDS,
            scope_org=city.district,
            bulk_load=True,
            expected_rows=10**9,
            writing=lambda done, total: calls.append((done, total)),
        )
    assert result.created == 1
    assert calls == [(0, 1), (1, 1)]
    assert _registry_indexes() == before
    assert Member.objects.filter(name="赵六").exists()  # found through the name index again


@pytest.mark.skipif(connection.vendor != "sqlite", reason="one-pass imports are SQLite's")
def test_a_one_pass_import_stamps_its_members_with_the_time_they_went_in(city):
    MemberFactory(id_number=make_id_number(900), org=city.community)
    raw = [(2, ["赵六", make_id_number(901), "", "", "110101001001", ""])]
    began = timezone.now()
    with mock.patch.object(registry, "_staged", side_effect=AssertionError("not one pass")):
        member_import_records(
            chunks=lambda: row_chunks(raw, 100),
            fields=FIELDS,
            scope_org=city.district,
            bulk_load=True,
            expected_rows=10**9,
        )
    created, updated = Member.objects.values_list("created_at", "updated_at").get(name="赵六")
    assert began <= created == updated <= timezone.now()


def test_the_write_after_the_check_is_reported_chunk_by_chunk(city):
    for seq in range(3):
        MemberFactory(id_number=make_id_number(seq + 950), name="旧名", org=city.community)
    raw = [
        (number, ["新名", make_id_number(seq + 950), "", "", "110101001001", ""])
        for number, seq in ((2, 0), (3, 1), (4, 2))
    ]
    calls = []
    result = member_import_records(
        chunks=lambda: row_chunks(raw, 1),
        fields=FIELDS,
        scope_org=city.district,
        writing=lambda done, total: calls.append((done, total)),
    )
    assert result.updated == 3
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_an_unchanged_file_has_nothing_to_write(city):
    MemberFactory(id_number=make_id_number(960), name="王五", org=city.community)
    raw = [(2, ["王五", make_id_number(960), "", "", "110101001001", ""])]
    calls = []
    member_import_records(
        chunks=lambda: row_chunks(raw, 100),
        fields=FIELDS,
        scope_org=city.district,
        writing=lambda done, total: calls.append((done, total)),
    )
    assert calls == []


def test_a_reimport_of_unchanged_rows_counts_them_unchanged_and_writes_nothing(city):
    member = MemberFactory(
        id_number=make_id_number(800), name="王五", phone=make_phone(8), org=city.community
    )
    before = Member.objects.values_list("updated_at", "phone").get(pk=member.pk)
    raw = [(2, ["王五", make_id_number(800), "", "", "110101001001", ""])]
    result = member_import_records(
        chunks=lambda: row_chunks(raw, 100), fields=FIELDS, scope_org=city.district
    )
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert Member.objects.values_list("updated_at", "phone").get(pk=member.pk) == before
