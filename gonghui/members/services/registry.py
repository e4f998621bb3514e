"""Writes to the member registry: import, audited reveals and exports."""

import dataclasses
import gc
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.core import pii
from gonghui.core.audit import audit_record
from gonghui.core.importing import ImportResult, default_report_path
from gonghui.core.models import AuditAction
from gonghui.core.tabular import RowError, SheetRows, open_table, write_error_report
from gonghui.core.validators import id_number_birth_date, id_number_gender
from gonghui.members.importing import (
    MEMBER_COLUMNS,
    MEMBER_ORG_KINDS,
    STAGE_COLUMNS,
    ChunkResult,
    ChunkValidator,
    ImportContext,
    employers_in_scope,
)
from gonghui.members.models import Gender, Member, MemberSource, MemberStatus
from gonghui.members.pinyin import name_keys
from gonghui.members.pool import Chunk, ValidatorPool, row_span
from gonghui.members.staging import REPEAT, TRANSFER, RepeatCheck, Staging
from gonghui.orgs.models import Employer, UnionOrg

Progress = Callable[[int], None]  # rows checked so far
# (rows written so far, rows to write): the write that follows the check — the second pass of a
# staged import, the merge of a one-pass import, the index builds of a bulk load.
Writing = Callable[[int, int], None]
# Rows that would change nothing are recognised by the first pass and never read again (see
# Staging.classify). Off, every accepted row goes through the merge: the reference the tests
# compare with.
SKIP_UNCHANGED = True
# Where a member row (importing.STAGE_COLUMNS) holds the ID number's blind index and ciphertext.
_INDEX = STAGE_COLUMNS.index("id_number_index")
_ENCRYPTED = STAGE_COLUMNS.index("id_number")
# More than any member row of a CSV or XLSX file takes (~80 and ~60 bytes): the size of a file
# divided by this is at most the number of its rows.
BYTES_PER_ROW = 100


def _quiet(done: int, total: int) -> None:
    """A `writing` callback that reports nowhere."""


def member_import(
    *,
    path: Path,
    scope_org: UnionOrg,
    report_path: Path | None = None,
    progress: Progress | None = None,
    writing: Writing = _quiet,
    actor: object = None,
) -> ImportResult:
    """Import members from a CSV/XLSX file: upsert by ID number, report every bad row.

    Re-running the same file creates nothing. Each chunk commits on its own, so an import
    killed midway and run again ends as one clean run would.
    """
    table = open_table(path, MEMBER_COLUMNS)
    size_bytes = path.stat().st_size
    large = size_bytes >= settings.MEMBER_BULK_LOAD_BYTES
    size = settings.MEMBER_IMPORT_CHUNK
    result = member_import_records(
        chunks=lambda: table.text_chunks(size) if table.csv_dialect else table.sheet_chunks(size),
        sheet=None if table.csv_dialect else table.sheet_rows(),
        fields=table.fields,
        delimiter=table.csv_dialect.delimiter if table.csv_dialect else ",",
        scope_org=scope_org,
        progress=progress,
        writing=writing,
        bulk_load=large,
        expected_rows=size_bytes // BYTES_PER_ROW,
        workers=settings.MEMBER_IMPORT_WORKERS if large else 0,
    )
    report_path = report_path or default_report_path(path)
    if result.errors:
        wanted = {e.row: e for e in result.errors}
        cells = {n: c for n, c in table.raw_rows() if n in wanted}
        result.errors = [
            RowError(e.row, e.column, e.value, e.reason, cells.get(e.row, ()))
            for e in result.errors
        ]
        result.error_report = write_error_report(report_path, table.headers, result.errors)
    else:
        report_path.unlink(missing_ok=True)
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        target_type="members.member",
        target_id=scope_org.code,
        detail={"file": path.name, **result.as_dict()},
    )
    return result


def member_import_records(
    *,
    chunks: Callable[[], Iterable[Chunk]],
    fields: Mapping[str, int],
    scope_org: UnionOrg,
    delimiter: str = ",",
    progress: Progress | None = None,
    writing: Writing = _quiet,
    bulk_load: bool = False,
    expected_rows: int = 0,
    workers: int = 0,
    sheet: SheetRows | None = None,
) -> ImportResult:
    """The import over chunks of a file's (or the demo generator's) rows: lists of (row number,
    cells) or CSV TextChunks, with `fields` giving each field's cell position. `chunks()` gives
    them from the start each time it is called: a staged import reads them twice.
    `expected_rows`: at most how many rows the file holds, for choosing the way in. `sheet`
    reads a spreadsheet's SheetChunks. `progress` hears of the rows checked, `writing` of the
    rows written after."""
    orgs = {
        code: (pk, kind)
        for pk, code, kind in UnionOrg.objects.filter(path__startswith=scope_org.path)
        .order_by()
        .values_list("pk", "code", "kind")
    }
    staging = Staging()
    result = ImportResult()
    # A large staged import on PostgreSQL compares its probes in two halves at once, the second
    # on a connection of its own, which sees only what is committed: not inside a transaction.
    halves = staging.postgres and workers > 0 and not connection.in_atomic_block
    context = ImportContext(
        scope_path=scope_org.path,
        orgs=orgs,
        default_org=scope_org.pk if scope_org.kind in MEMBER_ORG_KINDS else None,
        today=timezone.localdate(),
        fields=dict(fields),
        binary_copy=staging.postgres,
        delimiter=delimiter,
        halves=halves,
        # Worker processes finish their rows themselves when they know every employer.
        employers=employers_in_scope(scope_org.path) if workers > 0 else None,
    )
    # A large load into an empty registry on PostgreSQL goes straight into the registry in one
    # transaction (staging.Staging.bulk_begin); any other import is staged, in two passes. Either
    # way a killed import, run again, ends as one clean run would.
    with _collector_paused():
        if bulk_load and staging.postgres and not Member.objects.exists():
            base = staging.bulk_id_base()
            validator = ChunkValidator(dataclasses.replace(context, id_base=base))
            with ValidatorPool(validator, workers=workers, sheet=sheet) as pool:
                _bulk(
                    staging,
                    result,
                    pool.validated(chunks()),
                    base=base,
                    progress=progress,
                    writing=writing,
                )
        else:
            # On SQLite a large file that would more than double the registry is mostly new
            # members: read once, straight into the registry in one transaction (see _one_pass).
            one_pass = (
                bulk_load
                and not staging.postgres
                and expected_rows > 2 * Member.objects.order_by().count()
            )
            # The pool first: forking its workers closes the connection, with its TEMP tables.
            with ValidatorPool(ChunkValidator(context), workers=workers, sheet=sheet) as pool:
                staging.create(halves=halves)
                try:
                    if one_pass:
                        _one_pass(
                            staging,
                            result,
                            chunks(),
                            pool=pool,
                            progress=progress,
                            writing=writing,
                        )
                    else:
                        _staged(
                            staging,
                            result,
                            chunks,
                            pool=pool,
                            progress=progress,
                            writing=writing,
                        )
                finally:
                    staging.close()
    result.errors.sort(key=lambda e: e.row)
    return result


@contextmanager
def _collector_paused() -> Iterator[None]:
    """An import allocates millions of short-lived, acyclic objects (rows, lines, tuples): the
    cyclic garbage collector would rescan every object of the process over and over for them."""
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _bulk(
    staging: Staging,
    result: ImportResult,
    chunks: Iterable[ChunkResult],
    *,
    base: int,
    progress: Progress | None,
    writing: Writing,
) -> None:
    with transaction.atomic():
        restore = staging.bulk_begin(base)
        for chunk in chunks:
            staging.bulk_load(chunk.copy)
            _count(result, chunk, progress)
            result.created += chunk.accepted
        loaded = result.created
        writing(0, loaded)  # the rows are in; the index builds make them count
        for row, earlier, masked in staging.bulk_finish(base, restore):
            result.created -= 1
            result.reject(RowError(row, "id_number", masked, _repeated(earlier)))
    staging.bulk_analyze()
    writing(loaded, loaded)


def _staged(
    staging: Staging,
    result: ImportResult,
    chunks: Callable[[], Iterable[Chunk]],
    *,
    pool: ValidatorPool,
    progress: Progress | None,
    writing: Writing,
) -> None:
    """First pass: probes of every row, one comparison with the registry; second pass: the new
    and changed rows only, merged chunk by chunk (see gonghui.members.staging). The pool's
    validator serves both passes: it remembers the employers it found."""
    accepted = 0
    repeats = RepeatCheck()
    for chunk in pool.validated(chunks(), probe=True):
        staging.probe(copy=chunk.copy, rows=chunk.rows, high=chunk.high)
        repeats.add(chunk.keys)
        _count(result, chunk, progress)
        accepted += chunk.accepted
    with transaction.atomic():
        # The reference (SKIP_UNCHANGED off) groups the probes by ID number whatever the check.
        verdicts = staging.classify(
            skip_unchanged=SKIP_UNCHANGED, repeats=repeats.possible or not SKIP_UNCHANGED
        )
    wanted, _refused = _verdicts(result, verdicts)
    result.unchanged = accepted - len(verdicts)
    if not wanted:
        return
    written = 0
    writing(written, len(wanted))

    def wanted_in(chunk: Chunk) -> set[int]:
        low, high = row_span(chunk)
        return set(wanted[bisect_left(wanted, low) : bisect_right(wanted, high)])

    for chunk in pool.validated(chunks(), wanted=wanted_in):
        with transaction.atomic():
            staging.load(copy=chunk.copy, rows=chunk.rows)
            created, updated = staging.merge()
        result.created += created
        result.updated += updated
        # A wanted row the merge left alone changed nothing after all (another import wrote
        # it between the passes); one refused now lost its employer in between.
        result.unchanged += chunk.accepted - created - updated
        for error in chunk.errors:
            result.reject(error)
        written += chunk.accepted + len(chunk.errors)
        writing(written, len(wanted))


def _one_pass(
    staging: Staging,
    result: ImportResult,
    chunks: Iterable[Chunk],
    *,
    pool: ValidatorPool,
    progress: Progress | None,
    writing: Writing,
) -> None:
    """SQLite, a file larger than the registry: mostly new members, so every accepted row is
    formatted as a member and goes straight into the registry, in one transaction from the first
    row with the registry's secondary indexes dropped (sorting once at the end beats inserting
    most of the registry into six B-trees row by row). A row left out because its ID number is
    registered already is a repeat when an earlier row of the file registered it (its member's id
    is above the import's base), or names a member registered before: those rows go through the
    stage and the staged import's comparison and merge, chunk by chunk. Killed, the import writes
    nothing; the registry is locked for writing until it ends."""
    accepted = refused = 0
    # Blind index → row, of the members registered before that a row of the file has named: a
    # later row naming one again is a repeat.
    claimed: dict[str, int] = {}
    with transaction.atomic():
        restore = staging.indexes_off()
        base = staging.direct_base()
        for chunk in pool.validated(chunks):
            _count(result, chunk, progress)
            accepted += chunk.accepted
            created = staging.direct_insert(chunk.rows, base)
            result.created += created
            if created == len(chunk.rows):
                continue
            members = staging.member_ids([row[_INDEX] for row in chunk.rows])
            registered = []
            for row in chunk.rows:
                key, index = row[0], row[_INDEX]
                member = members[index]
                if member == base + key:
                    continue  # inserted just now
                earlier = member - base if member > base else claimed.setdefault(index, key)
                if earlier == key:
                    registered.append(row)
                else:
                    masked = pii.mask_encrypted_id_number(row[_ENCRYPTED])
                    result.reject(RowError(key, "id_number", masked, _repeated(earlier)))
                    refused += 1
            if registered:
                staging.load(rows=registered)
                verdicts = staging.classify(skip_unchanged=SKIP_UNCHANGED, staged=True)
                _wanted, transfers = _verdicts(result, verdicts)
                staging.discard(transfers)
                refused += len(transfers)
                created, updated = staging.merge()
                result.created += created
                result.updated += updated
        to_write = accepted - refused
        writing(0, to_write)  # the rows are in; the index builds make them count
        staging.indexes_on(restore)
    result.unchanged = to_write - result.created - result.updated
    writing(to_write, to_write)


def _verdicts(
    result: ImportResult, verdicts: list[tuple[int, int, str, str]]
) -> tuple["array[int]", list[int]]:
    """Reject the repeated rows and transfer candidates of `Staging.classify`'s verdicts;
    returns the row numbers of the new and changed rows (ascending) and of the rejected ones."""
    wanted = array("q")
    refused = []
    for row, first, masked, verdict in verdicts:
        if verdict == REPEAT:
            result.reject(RowError(row, "id_number", masked, _repeated(first)))
            refused.append(row)
        elif verdict == TRANSFER:
            result.reject(RowError(row, "id_number", masked, _transfer()))
            refused.append(row)
        else:
            wanted.append(row)
    return wanted, refused


def _count(result: ImportResult, chunk: ChunkResult, progress: Progress | None) -> None:
    for error in chunk.errors:
        result.reject(error)
    result.rows += chunk.count
    if progress is not None:
        progress(result.rows)


def _repeated(earlier: int) -> str:
    return _("The same ID number is already on row %(row)d of this file.") % {"row": earlier}


def _transfer() -> str:
    return _("Already a member of another union: request a transfer instead.")


def member_reveal(
    *, user: Any, member: Member, field: str, reason: str, request: HttpRequest | None = None
) -> str:
    """Decrypt one member's ID number or phone for a permitted user, and audit it."""
    require(user, Capability.REVEAL_PII, _("Your role may not reveal personal data."))
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError(_("Give the reason for revealing this data."))
    token = {"id_number": member.id_number, "phone": member.phone}.get(field)
    if token is None:
        raise ValidationError(_("Unknown field."))
    value = pii.decrypt(token) if token else ""
    audit_record(
        actor=user,
        action=AuditAction.REVEAL,
        target=member,
        reason=reason,
        detail={"field": field},
        request=request,
    )
    return value


EXPORT_HEADERS = (
    ("name", "姓名"), ("id_number", "身份证号"), ("gender", "性别"), ("birth_year", "出生年份"),
    ("phone", "手机号"), ("employer", "工作单位"), ("employer_uscc", "统一社会信用代码"),
    ("org_code", "工会代码"), ("org", "所属工会"), ("joined_on", "入会时间"), ("status", "状态"),
)  # fmt: skip


def member_export_rows(
    *,
    user: Any,
    members: QuerySet[Member],
    unmasked: bool,
    reason: str,
    request: HttpRequest | None = None,
) -> Iterator[list[str]]:
    """Rows of an export (header first), masked unless a permitted user asks otherwise.

    Every export is audited; an unmasked one needs its own permission and a reason.
    """
    if unmasked:
        require(user, Capability.EXPORT_PII, _("Your role may not export unmasked personal data."))
        if len(reason.strip()) < 2:
            raise ValidationError(_("Give the reason for exporting unmasked data."))
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        target_type="members.member",
        target_id=(getattr(user, "scope_org", None) and user.scope_org.code) or "",
        reason=reason.strip(),
        detail={"unmasked": unmasked, "rows": members.count()},
        request=request,
    )
    return _export_rows(members, unmasked=unmasked)


def _export_rows(members: QuerySet[Member], *, unmasked: bool) -> Iterator[list[str]]:
    yield [label for _field, label in EXPORT_HEADERS]
    gender = dict(Gender.choices)
    status = dict(MemberStatus.choices)
    vault = pii.vault()
    rows = members.select_related("org", "employer").order_by("pk")
    for m in rows.iterator(chunk_size=5000):
        yield [
            m.name,
            vault.decrypt(m.id_number) if unmasked else m.id_number_masked,
            str(gender.get(m.gender, "")),
            str(m.birth_date.year),  # the date is what the masked ID hides
            (vault.decrypt(m.phone) if m.phone else "") if unmasked else m.phone_masked,
            m.employer.name if m.employer else "",
            m.employer.uscc if m.employer else "",
            m.org.code,
            m.org.name,
            m.joined_on.isoformat() if m.joined_on else "",
            str(status.get(m.status, m.status)),
        ]


@transaction.atomic
def member_create(
    *,
    name: str,
    id_number: str,
    org: UnionOrg,
    phone: str = "",
    employer: Employer | None = None,
    joined_on: date | None = None,
    source: MemberSource = MemberSource.STAFF,
) -> Member:
    """Register one member. The ID number and phone must already be normalised (validators)."""
    if Member.objects.filter(id_number_index=pii.blind_index(id_number, kind="id_number")).exists():
        raise ValidationError(_("This ID number is already registered."))
    pinyin, initials = name_keys(name)
    return Member.objects.create(
        name=name, name_pinyin=pinyin, name_initials=initials,
        id_number=pii.encrypt(id_number),
        id_number_index=pii.blind_index(id_number, kind="id_number"),
        gender=id_number_gender(id_number), birth_date=id_number_birth_date(id_number),
        native_region=id_number[:6],
        phone=pii.encrypt(phone) if phone else "",
        phone_index=pii.blind_index(phone, kind="phone") if phone else "",
        phone_masked=pii.mask_phone(phone) if phone else "",
        employer=employer, org=org, joined_on=joined_on, source=source,
    )  # fmt: skip
