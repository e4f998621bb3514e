"""Writes to the union tree and employers. Imports: parse → validate → set-based write → report."""

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from treebeard.exceptions import InvalidMoveToDescendant

from gonghui.core.importing import ImportResult, Record, import_file
from gonghui.core.tabular import RowError
from gonghui.orgs.importing import (
    EMPLOYER_COLUMNS,
    ORG_COLUMNS,
    EmployerRecord,
    OrgRecord,
    RowInvalid,
    clean_employer,
    clean_org,
)
from gonghui.orgs.models import Employer, OrgKind, UnionOrg
from gonghui.orgs.services.supervision import supervision_close_established

BATCH = 2000
_ORG_FIELDS = ("name", "kind", "region_code", "established_on")
_EMPLOYER_FIELDS = (
    "name",
    "uscc_check_failed",
    "region_code",
    "industry",
    "employees",
    "opened_on",
    "status",
)


def repeated_code(number: int, column: str, code: str, first: int, cells: list[str]) -> RowError:
    """The row error of a code a file already had on an earlier row."""
    return RowError(
        number,
        column,
        code,
        _("The code %(code)s appears again in this file (first on row %(row)d).")
        % {"code": code, "row": first},
        cells,
    )


def pilot_code_warning(number: int, uscc: str, cells: list[str]) -> RowError:
    """Accepted, with a warning: a credit code whose check character does not match."""
    return RowError(
        number,
        "uscc",
        uscc,
        _(
            "Accepted with a warning: the check character does not match (an early "
            "pilot code?). Please verify it against the business licence."
        ),
        cells,
    )


def _in_scope(org: UnionOrg, scope_org: UnionOrg | None) -> bool:
    return scope_org is None or org.path.startswith(scope_org.path)


def _chunks(iterable: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- union orgs -------------------------------------------------------------------------------


def org_import(
    *, path: Path, scope_org: UnionOrg | None, report_path: Path | None = None
) -> ImportResult:
    """Import union orgs from a CSV/XLSX file (see ORG_COLUMNS). Idempotent: upsert by code."""
    return import_file(
        path=path,
        columns=ORG_COLUMNS,
        import_rows=lambda rows: org_import_rows(rows=rows, scope_org=scope_org),
        report_path=report_path,
    )


def org_import_rows(*, rows: Iterable[Record], scope_org: UnionOrg | None) -> ImportResult:
    result = ImportResult()
    records: dict[str, tuple[int, OrgRecord, list[str]]] = {}
    for number, values, cells in rows:
        result.rows += 1
        try:
            record = clean_org(values)
        except RowInvalid as exc:
            result.reject(exc.at(number, cells))
            continue
        if record.code in records:
            result.reject(
                repeated_code(number, "code", record.code, records[record.code][0], cells)
            )
            continue
        records[record.code] = (number, record, cells)
    with transaction.atomic():
        _org_write(records, scope_org, result)
    return result


def _org_write(
    records: dict[str, tuple[int, OrgRecord, list[str]]],
    scope_org: UnionOrg | None,
    result: ImportResult,
) -> None:
    codes = set(records) | {rec.parent_code for _n, rec, _c in records.values() if rec.parent_code}
    existing = {org.code: org for org in UnionOrg.objects.filter(code__in=codes)}

    def reject(code: str, column: str, value: str, reason: str) -> None:
        number, _rec, cells = records.pop(code)
        result.reject(RowError(number, column, value, reason, cells))

    # An existing org outside the importer's scope is not theirs to change.
    for code in [c for c in records if c in existing and not _in_scope(existing[c], scope_org)]:
        reject(code, "code", code, _("This union code belongs to an org outside your scope."))

    _reject_cycles(records, reject)
    # Resolve parents, rejecting rows whose parent is missing or out of scope; a rejected parent
    # rejects its new children in turn, so repeat until nothing changes.
    changed = True
    while changed:
        changed = False
        for code in list(records):
            parent = records[code][1].parent_code
            if not parent:
                # An empty parent keeps an existing org where it is; only a system-level
                # import (no scope) may create a new root.
                if code not in existing and scope_org is not None:
                    reject(code, "parent_code", "", _("A parent union code is required."))
                    changed = True
            elif parent in existing:
                if not _in_scope(existing[parent], scope_org):
                    reject(
                        code,
                        "parent_code",
                        parent,
                        _("The parent org %(code)s is outside your scope.") % {"code": parent},
                    )
                    changed = True
            elif parent not in records:
                reject(
                    code,
                    "parent_code",
                    parent,
                    _("The parent org %(code)s does not exist and is not in this file.")
                    % {"code": parent},
                )
                changed = True

    # Updates of fields, then new nodes in depth order (parents before children), then moves.
    now = timezone.now()
    to_update, moves = [], []
    for code, (_number, rec, _cells) in records.items():
        org = existing.get(code)
        if org is None:
            continue
        if any(getattr(org, f) != getattr(rec, f) for f in _ORG_FIELDS):
            for f in _ORG_FIELDS:
                setattr(org, f, getattr(rec, f))
            org.updated_at = now
            to_update.append(org)
        current_parent = org.path[: -UnionOrg.steplen]
        wanted = existing.get(rec.parent_code)
        if rec.parent_code and (wanted is None or wanted.path != current_parent):
            moves.append((org, rec.parent_code))
        elif org not in to_update:
            result.unchanged += 1
    UnionOrg.objects.bulk_update(to_update, [*_ORG_FIELDS, "updated_at"], batch_size=BATCH)
    result.updated += len(to_update)
    new_codes = [code for code in records if code not in existing]
    _org_create(new_codes, records, existing, result)
    for org, parent_code in moves:
        org.refresh_from_db()
        number, _rec, cells = records[org.code]
        try:
            UnionOrg.objects.move(org, UnionOrg.objects.get(code=parent_code), "last-child")
        except InvalidMoveToDescendant:
            result.reject(
                RowError(
                    number,
                    "parent_code",
                    parent_code,
                    _("An org cannot move under its own subordinate."),
                    cells,
                )
            )
            continue
        if org not in to_update:
            result.updated += 1


def _reject_cycles(records: dict[str, tuple[int, OrgRecord, list[str]]], reject) -> None:  # type: ignore[no-untyped-def]
    """Reject every row on a cycle of parent codes (rows merely below a cycle fail later)."""
    on_cycle: set[str] = set()
    for start in records:
        trail: list[str] = []
        code = start
        while code in records and code not in trail and code not in on_cycle:
            trail.append(code)
            code = records[code][1].parent_code
        if code in trail:
            on_cycle.update(trail[trail.index(code) :])
    for code in on_cycle:
        reject(
            code,
            "parent_code",
            records[code][1].parent_code,
            _("The parent codes in this file form a cycle."),
        )


def _org_create(
    new_codes: list[str],
    records: dict[str, tuple[int, OrgRecord, list[str]]],
    existing: dict[str, UnionOrg],
    result: ImportResult,
) -> None:
    """Create new nodes set-based: compute materialised paths here, one bulk insert per level."""
    pending = set(new_codes)
    next_step: dict[str, int] = {}
    while pending:
        level = [
            c
            for c in pending
            if not records[c][1].parent_code or records[c][1].parent_code in existing
        ]
        if not level:
            break  # only orphans of rejected rows remain; they were rejected already
        parents = {
            existing[records[c][1].parent_code].path for c in level if records[c][1].parent_code
        }
        for parent_path in parents - next_step.keys():
            last = (
                UnionOrg.objects.filter(
                    path__startswith=parent_path, depth=len(parent_path) // UnionOrg.steplen + 1
                )
                .order_by("-path")
                .values_list("path", flat=True)
                .first()
            )
            next_step[parent_path] = UnionOrg._str2int(last[-UnionOrg.steplen :]) + 1 if last else 1
        if "" not in next_step:
            last_root = UnionOrg.objects.filter(depth=1).order_by("-path").first()
            next_step[""] = UnionOrg._str2int(last_root.path) + 1 if last_root else 1
        nodes = []
        for code in sorted(level, key=lambda c: records[c][0]):
            rec = records[code][1]
            parent_path = existing[rec.parent_code].path if rec.parent_code else ""
            step = next_step[parent_path]
            next_step[parent_path] = step + 1
            depth = len(parent_path) // UnionOrg.steplen + 1
            nodes.append(
                UnionOrg(
                    path=parent_path + UnionOrg._int2str(step).rjust(UnionOrg.steplen, "0"),
                    depth=depth,
                    numchild=0,
                    code=code,
                    name=rec.name,
                    kind=rec.kind,
                    region_code=rec.region_code,
                    established_on=rec.established_on,
                )
            )
        UnionOrg.objects.bulk_create(nodes, batch_size=BATCH)
        for node in nodes:
            existing[node.code] = node
        pending -= set(level)
        result.created += len(nodes)
        _refresh_numchild({p for p in parents if p})


def _refresh_numchild(parent_paths: set[str]) -> None:
    if not parent_paths:
        return
    children = (
        UnionOrg.objects.filter(path__startswith=OuterRef("path"), depth=OuterRef("depth") + 1)
        .order_by()
        .values("depth")
        .annotate(n=Count("id"))
        .values("n")
    )
    UnionOrg.objects.filter(path__in=parent_paths).update(numchild=Coalesce(Subquery(children), 0))


# --- employers --------------------------------------------------------------------------------


def employer_import(
    *, path: Path, scope_org: UnionOrg, report_path: Path | None = None
) -> ImportResult:
    """Import employers from a CSV/XLSX file (see EMPLOYER_COLUMNS). Idempotent: upsert by USCC.

    Links to a community or union are set when given and never cleared by an empty cell: a
    register extract without those columns leaves the links officers assigned untouched.
    """
    return import_file(
        path=path,
        columns=EMPLOYER_COLUMNS,
        import_rows=lambda rows: employer_import_rows(rows=rows, scope_org=scope_org),
        report_path=report_path,
    )


def employer_import_rows(*, rows: Iterable[Record], scope_org: UnionOrg) -> ImportResult:
    result = ImportResult()
    seen: dict[str, int] = {}
    region_orgs = _region_federations(scope_org)
    for chunk in _chunks(rows, BATCH):
        clean: list[tuple[int, EmployerRecord, list[str]]] = []
        for number, values, cells in chunk:
            result.rows += 1
            try:
                rec = clean_employer(values)
            except RowInvalid as exc:
                result.reject(exc.at(number, cells))
                continue
            if rec.uscc in seen:
                result.reject(repeated_code(number, "uscc", rec.uscc, seen[rec.uscc], cells))
                continue
            seen[rec.uscc] = number
            clean.append((number, rec, cells))
        with transaction.atomic():
            _employer_write(clean, scope_org, region_orgs, result)
    return result


def _region_federations(scope_org: UnionOrg) -> dict[str, UnionOrg]:
    """Region code → the highest org of that region inside the scope (usually the district)."""
    found: dict[str, UnionOrg] = {}
    orgs = UnionOrg.objects.filter(path__startswith=scope_org.path).exclude(region_code="")
    for org in orgs.filter(kind__in=[OrgKind.CITY, OrgKind.DISTRICT]).order_by("-depth"):
        found[org.region_code] = org
    return found


def _employer_write(
    clean: list[tuple[int, EmployerRecord, list[str]]],
    scope_org: UnionOrg,
    region_orgs: dict[str, UnionOrg],
    result: ImportResult,
) -> None:
    codes = {c for _n, rec, _c in clean for c in (rec.community_code, rec.union_code) if c}
    orgs = {
        o.code: o for o in UnionOrg.objects.filter(code__in=codes, path__startswith=scope_org.path)
    }
    existing = {
        e.uscc: e
        for e in Employer.objects.select_related("org", "community", "union").filter(
            uscc__in=[rec.uscc for _n, rec, _c in clean]
        )
    }
    to_create: list[Employer] = []
    to_update: list[Employer] = []
    unionised: list[int] = []  # existing employers whose union this file registers
    now = timezone.now()
    for number, rec, cells in clean:
        try:
            community = _linked_org(
                orgs,
                rec.community_code,
                "community_code",
                lambda o: o.kind == OrgKind.COMMUNITY,
                _("%(code)s is not a community joint union."),
            )
            union = _linked_org(
                orgs,
                rec.union_code,
                "union_code",
                lambda o: o.kind not in (OrgKind.CITY, OrgKind.DISTRICT, OrgKind.STREET),
                _("%(code)s is a federation, not an employer's union."),
            )
        except RowInvalid as exc:
            result.reject(exc.at(number, cells))
            continue
        employer = existing.get(rec.uscc)
        if employer is not None and not employer.org.path.startswith(scope_org.path):
            result.reject(
                RowError(
                    number,
                    "uscc",
                    rec.uscc,
                    _("This employer belongs to an org outside your scope."),
                    cells,
                )
            )
            continue
        if rec.uscc_check_failed:
            result.warnings.append(pilot_code_warning(number, rec.uscc, cells))
        if employer is None:
            employer = Employer(uscc=rec.uscc)
            changed = True
        else:
            changed = False
        had_union = employer.union_id
        for f in _EMPLOYER_FIELDS:
            if getattr(employer, f) != getattr(rec, f):
                setattr(employer, f, getattr(rec, f))
                changed = True
        for attr, org in (("community", community), ("union", union)):
            if org is not None and getattr(employer, f"{attr}_id") != org.pk:
                setattr(employer, attr, org)
                changed = True
        owner = (
            employer.community
            or employer.union
            or region_orgs.get(employer.region_code)
            or (employer.org if employer.pk else None)
            or scope_org
        )
        if employer.pk is None or employer.org_id != owner.pk:
            employer.org = owner
            changed = changed or employer.pk is not None
        if employer.pk is None:
            to_create.append(employer)
        elif changed:
            if union is not None and union.pk != had_union:
                unionised.append(employer.pk)
            employer.updated_at = now
            to_update.append(employer)
        else:
            result.unchanged += 1
    Employer.objects.bulk_create(to_create, batch_size=BATCH)
    Employer.objects.bulk_update(
        to_update, [*_EMPLOYER_FIELDS, "org", "community", "union", "updated_at"], batch_size=BATCH
    )
    result.created += len(to_create)
    result.updated += len(to_update)
    # Registering a union ends the employer's establishment supervision, in this transaction.
    supervision_close_established(employer_ids=unionised)


def _linked_org(
    orgs: dict[str, UnionOrg],
    code: str,
    column: str,
    allowed: Callable[[UnionOrg], bool],
    reason: str,
) -> UnionOrg | None:
    if not code:
        return None
    org = orgs.get(code)
    if org is None:
        raise RowInvalid(column, code, _("No union org %(code)s in your scope.") % {"code": code})
    if not allowed(org):
        raise RowInvalid(column, code, reason % {"code": code})
    return org
