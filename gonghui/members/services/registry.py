"""Writes to the member registry: import, audited reveals and exports."""

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.core import pii
from gonghui.core.audit import audit_record
from gonghui.core.importing import ImportResult, Record, default_report_path
from gonghui.core.models import AuditAction
from gonghui.core.tabular import RowError, open_table, write_error_report
from gonghui.core.validators import id_number_birth_date, id_number_gender
from gonghui.members.importing import (
    EMPLOYER,
    EMPLOYER_NAME,
    ID_IDX,
    ID_MASKED,
    JOINED,
    MEMBER_COLUMNS,
    MEMBER_ORG_KINDS,
    ORG,
    ROW,
    USCC,
    MemberRowValidator,
)
from gonghui.members.models import Gender, Member, MemberSource, MemberStatus
from gonghui.members.pinyin import name_keys
from gonghui.members.staging import Staging
from gonghui.orgs.models import Employer, UnionOrg

Progress = Callable[[int], None]


def member_import(
    *,
    path: Path,
    scope_org: UnionOrg,
    report_path: Path | None = None,
    progress: Progress | None = None,
    actor: object = None,
) -> ImportResult:
    """Import members from a CSV/XLSX file: upsert by ID number, report every bad row.

    Re-running the same file creates nothing. Each chunk commits on its own, so an import
    killed midway and run again ends as one clean run would.
    """
    table = open_table(path, MEMBER_COLUMNS)
    result = member_import_records(
        records=table.records(),
        scope_org=scope_org,
        progress=progress,
        bulk_load=path.stat().st_size >= settings.MEMBER_BULK_LOAD_BYTES,
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
    records: Iterable[Record],
    scope_org: UnionOrg,
    progress: Progress | None = None,
    bulk_load: bool = False,
) -> ImportResult:
    """The staged import over already-parsed records (a file's, or the demo generator's)."""
    orgs = {
        code: (pk, kind)
        for pk, code, kind in UnionOrg.objects.filter(path__startswith=scope_org.path)
        .order_by()
        .values_list("pk", "code", "kind")
    }
    default_org = scope_org.pk if scope_org.kind in MEMBER_ORG_KINDS else None
    validate = MemberRowValidator(orgs=orgs, today=timezone.localdate())
    staging = Staging()
    result = ImportResult()
    # A large load into an empty registry on PostgreSQL runs as one transaction that drops the
    # secondary indexes and builds them again at the end (several times faster than updating
    # them row by row). Otherwise every chunk commits on its own. Either way a killed import,
    # run again, ends as one clean run would.
    bulk = bulk_load and staging.postgres and not Member.objects.exists()
    batches = _ValidatedBatches(records, validate, settings.MEMBER_IMPORT_CHUNK)
    staging.create()
    try:
        with transaction.atomic() if bulk else nullcontext():
            dropped_indexes = staging.drop_secondary_indexes() if bulk else []
            _merge_batches(batches, staging, scope_org, default_org, result, progress)
            if bulk:
                staging.restore_indexes(dropped_indexes)
    finally:
        batches.close()
        staging.drop()
    result.errors.sort(key=lambda e: e.row)
    return result


def _merge_batches(
    batches: Iterable[tuple[int, list[list[Any]], list[RowError]]],
    staging: Staging,
    scope_org: UnionOrg,
    default_org: int | None,
    result: ImportResult,
    progress: Progress | None,
) -> None:
    for count, rows, errors in batches:
        for error in errors:
            result.reject(error)
        rows = _resolve_employers(rows, scope_org, default_org, result)
        with transaction.atomic():
            staging.load([tuple(row[: JOINED + 1]) for row in rows])
            dropped = _reject_repeats_and_transfers(staging, rows, result)
            staging.discard(dropped)
            staging.remember()
            created, updated = staging.merge()
        result.rows += count
        result.created += created
        result.updated += updated
        result.unchanged += len(rows) - len(dropped) - created - updated
        if progress is not None:
            progress(result.rows)


class _ValidatedBatches:
    """Parse and validate the next chunk in a worker thread while the database merges this one.

    Parsing and validation are pure Python; psycopg and sqlite3 release the GIL while the
    database works, so the two overlap. One worker, so rows stay in file order.
    """

    def __init__(self, records: Iterable[Record], validate: MemberRowValidator, size: int) -> None:
        self.iterator = iter(records)
        self.validate = validate
        self.size = size
        self.language = translation.get_language()  # error messages in the caller's language
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="member-import")
        self.pending: Future[tuple[int, list[list[Any]], list[RowError]]] | None = None

    def _next(self) -> tuple[int, list[list[Any]], list[RowError]]:
        with translation.override(self.language):
            chunk = list(islice(self.iterator, self.size))
            rows: list[list[Any]] = []
            errors: list[RowError] = []
            for number, values, _cells in chunk:
                row = self.validate(number, values)
                if isinstance(row, RowError):
                    errors.append(row)
                else:
                    rows.append(row)
            return len(chunk), rows, errors

    def __iter__(self) -> Iterator[tuple[int, list[list[Any]], list[RowError]]]:
        self.pending = self.pool.submit(self._next)
        while True:
            count, rows, errors = self.pending.result()
            if not count:
                return
            self.pending = self.pool.submit(self._next)
            yield count, rows, errors

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _resolve_employers(
    rows: list[list[Any]], scope_org: UnionOrg, default_org: int | None, result: ImportResult
) -> list[list[Any]]:
    """Fill in each row's employer (by USCC, or by a unique exact name in scope) and its union
    when the row named none: the employer's union, else its community union, else the
    importing union. One query per kind of lookup for the whole chunk."""
    in_scope = Employer.objects.filter(org__path__startswith=scope_org.path).order_by()
    fields = ("id", "union_id", "community_id")
    usccs = {row[USCC] for row in rows if row[USCC]}
    names = {row[EMPLOYER_NAME] for row in rows if not row[USCC] and row[EMPLOYER_NAME]}
    by_uscc: dict[str, tuple[int, int | None, int | None]] = {}
    for batch in _batches(sorted(usccs), 5000):
        for uscc, *link in in_scope.filter(uscc__in=batch).values_list("uscc", *fields):
            by_uscc[uscc] = tuple(link)
    by_name: dict[str, tuple[int, int | None, int | None] | None] = {}
    for batch in _batches(sorted(names), 5000):
        for name, *link in in_scope.filter(name__in=batch).values_list("name", *fields):
            by_name[name] = None if name in by_name else tuple(link)
    kept = []
    for row in rows:
        employer = None
        if row[USCC] or row[EMPLOYER_NAME]:
            employer = by_uscc.get(row[USCC]) if row[USCC] else by_name.get(row[EMPLOYER_NAME])
            if employer is None:
                column = "employer_uscc" if row[USCC] else "employer_name"
                result.reject(
                    RowError(
                        row[ROW],
                        column,
                        row[USCC] or row[EMPLOYER_NAME],
                        _("No employer with this credit code or exact name in your scope."),
                    )
                )
                continue
            row[EMPLOYER] = employer[0]
        if row[ORG] is None:
            row[ORG] = (employer and (employer[1] or employer[2])) or default_org
            if row[ORG] is None:
                result.reject(
                    RowError(
                        row[ROW],
                        "org_code",
                        "",
                        _("No union given, and the employer has none: fill in the union code."),
                    )
                )
                continue
        kept.append(row)
    return kept


def _reject_repeats_and_transfers(
    staging: Staging, rows: list[list[Any]], result: ImportResult
) -> list[int]:
    """Reject repeated ID numbers (in this chunk or an earlier one) and transfer candidates;
    returns their row numbers so they are dropped from the stage before the merge."""
    message = _("The same ID number is already on row %(row)d of this file.")
    first: dict[str, int] = {}
    dropped = []
    for row in rows:
        earlier = first.setdefault(row[ID_IDX], row[ROW])
        if earlier != row[ROW]:
            dropped.append(row[ROW])
            result.reject(
                RowError(row[ROW], "id_number", row[ID_MASKED], message % {"row": earlier})
            )
    for row_no, earlier in staging.repeated():
        dropped.append(row_no)
        result.reject(RowError(row_no, "id_number", "", message % {"row": earlier}))
    masked = {row[ROW]: row[ID_MASKED] for row in rows}
    repeated = set(dropped)
    for row_no in staging.transfer_candidates():
        if row_no in repeated:
            continue
        dropped.append(row_no)
        result.reject(
            RowError(
                row_no,
                "id_number",
                masked.get(row_no, ""),
                _("Already a member of another union: request a transfer instead."),
            )
        )
    return dropped


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
    ("name", "姓名"), ("id_number", "身份证号"), ("gender", "性别"), ("birth_date", "出生日期"),
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
            m.birth_date.isoformat(),
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
        id_number_masked=pii.mask_id_number(id_number),
        gender=id_number_gender(id_number), birth_date=id_number_birth_date(id_number),
        native_region=id_number[:6],
        phone=pii.encrypt(phone) if phone else "",
        phone_index=pii.blind_index(phone, kind="phone") if phone else "",
        phone_masked=pii.mask_phone(phone) if phone else "",
        employer=employer, org=org, joined_on=joined_on, source=source,
    )  # fmt: skip
