"""Register verification (大核查): reconcile our employers with the market-registration register.

parse and validate every row (numbered, translated errors) → one transaction that
- updates matched employers whose name, address, staff count or opening date changed, writing
  one `EmployerChange` row per changed field (the history);
- adds operating employers the register has and we do not;
- lists in-scope operating employers that are missing from the register or deregistered in it
  as removal candidates. Nothing is removed until an officer confirms (核减, `removal_confirm`).

A second run of the same register finds everything as it left it and changes nothing.

What a confirmed removal does: the employer is kept with status `removed` (missing from the
register) or `deregistered` (deregistered in it), so it drops out of coverage and supervision but
keeps its history. Its enterprise union, when no other operating employer shares it, is marked
dissolved; members are never touched: they stay in the registry under that union until officers
transfer them (the candidate list shows how many there are).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.core.importing import ImportResult, Record, import_file
from gonghui.core.tabular import FileUnreadable, RowError
from gonghui.orgs.importing import REGISTER_COLUMNS, RegisterRecord, RowInvalid, clean_register_row
from gonghui.orgs.models import (
    CandidateStatus,
    ChangeSource,
    Employer,
    EmployerChange,
    EmployerStatus,
    OrgKind,
    OrgStatus,
    OrgWorkSettings,
    RegisterVerification,
    RemovalCandidate,
    RemovalReason,
    RunStatus,
    UnionOrg,
)
from gonghui.orgs.services import _region_federations, pilot_code_warning, repeated_code
from gonghui.orgs.services.rules import meets_rule
from gonghui.orgs.services.supervision import supervision_close_gone

BATCH = 2000
ERRORS_KEPT = 50  # rejected rows listed on the page (all of them are in the XLSX report)
# Facts the register is the authority on; a blank register cell never clears ours.
_TRACKED = ("name", "address", "employees", "opened_on")


@dataclass
class VerificationResult(ImportResult):
    matched: int = 0
    removal_candidates: int = 0
    unorganized: int = 0
    verification: RegisterVerification | None = None

    def summary(self) -> dict[str, int]:
        """What `gonghui verify_employers` prints."""
        return {
            "rows": self.rows,
            "matched": self.matched,
            "new": self.created,
            "updated": self.updated,
            "removal_candidates": self.removal_candidates,
            "unorganized": self.unorganized,
            "rejected": self.rejected,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "warnings": len(self.warnings),
            "errors": str(self.error_report) if self.error_report else None,
        }


Entry = tuple[int, RegisterRecord, list[str]]


def register_verify(
    *,
    path: Path,
    scope_org: UnionOrg,
    as_of: date | None = None,
    user: Any = None,
    report_path: Path | None = None,
    file_name: str = "",
    run: RegisterVerification | None = None,
) -> VerificationResult:
    """Verify the employers of `scope_org`'s subtree against a register file (CSV/XLSX).

    `run` is the queued record of an upload; without it a new record is made.
    """
    result = import_file(
        path=path,
        columns=REGISTER_COLUMNS,
        import_rows=lambda rows: register_verify_rows(
            rows=rows,
            scope_org=scope_org,
            as_of=as_of,
            user=user,
            file_name=file_name or path.name,
            run=run,
        ),
        report_path=report_path,
    )
    assert isinstance(result, VerificationResult)
    return result


def register_verify_rows(
    *,
    rows: Iterable[Record],
    scope_org: UnionOrg,
    as_of: date | None = None,
    user: Any = None,
    file_name: str = "",
    run: RegisterVerification | None = None,
) -> VerificationResult:
    as_of = as_of or timezone.localdate()
    result = VerificationResult()
    records: dict[str, Entry] = {}
    for number, values, cells in rows:
        result.rows += 1
        try:
            record = clean_register_row(values, today=max(as_of, timezone.localdate()))
        except RowInvalid as exc:
            result.reject(exc.at(number, cells))
            continue
        if record.uscc in records:
            first = records[record.uscc][0]
            result.reject(repeated_code(number, "uscc", record.uscc, first, cells))
            continue
        records[record.uscc] = (number, record, cells)
    with transaction.atomic():
        if run is None:
            run = RegisterVerification(
                org=scope_org, file_name=file_name[:255], created_by=_user_or_none(user)
            )
        run.as_of = as_of
        run.save()
        _reconcile(records, scope_org, as_of, user, run, result)
    return result


def _reconcile(
    records: dict[str, Entry],
    scope_org: UnionOrg,
    as_of: date,
    user: Any,
    run: RegisterVerification,
    result: VerificationResult,
) -> None:
    rules = OrgWorkSettings.current()
    mine = {
        e.uscc: e
        for e in Employer.objects.filter(org__path__startswith=scope_org.path).only(
            "id", "uscc", "status", "union_id", *_TRACKED
        )
    }
    foreign = _outside_scope([code for code in records if code not in mine])
    for code in foreign:
        number, _record, cells = records.pop(code)
        result.reject(
            RowError(
                number,
                "uscc",
                code,
                _("This employer belongs to an org outside your scope."),
                cells,
            )
        )
    result.verification = run
    region_orgs = _region_federations(scope_org)
    to_create: list[Employer] = []
    to_update: list[Employer] = []
    changes: list[EmployerChange] = []
    wanted: dict[int, str] = {}  # employer id → removal reason
    operating_again: list[int] = []
    for number, record, cells in records.values():
        operating = record.status == EmployerStatus.OPERATING
        if record.uscc_check_failed:
            result.warnings.append(pilot_code_warning(number, record.uscc, cells))
        employer = mine.get(record.uscc)
        if employer is None:
            if operating:
                to_create.append(_new_employer(record, region_orgs, scope_org))
                if meets_rule(
                    rules=rules,
                    as_of=as_of,
                    employees=record.employees,
                    opened_on=record.opened_on,
                    has_union=False,
                ):
                    result.unorganized += 1
            continue
        result.matched += 1
        if not operating:
            if employer.status == EmployerStatus.OPERATING:
                wanted[employer.pk] = RemovalReason.DEREGISTERED
            continue
        changed = _apply(employer, record, run, user, changes)
        if employer.status != EmployerStatus.OPERATING:
            # Back in the register as operating (reopened, or removed by mistake).
            changes.append(_change(employer, "status", employer.status, "operating", run, user))
            employer.status = EmployerStatus.OPERATING
            changed = True
        operating_again.append(employer.pk)
        if changed:
            to_update.append(employer)
        if meets_rule(
            rules=rules,
            as_of=as_of,
            employees=employer.employees,
            opened_on=employer.opened_on,
            has_union=employer.union_id is not None,
        ):
            result.unorganized += 1
    for code, employer in mine.items():
        if code not in records and employer.status == EmployerStatus.OPERATING:
            wanted[employer.pk] = RemovalReason.MISSING
    now = timezone.now()
    for employer in to_update:
        employer.updated_at = now
    Employer.objects.bulk_create(to_create, batch_size=BATCH)
    Employer.objects.bulk_update(to_update, [*_TRACKED, "status", "updated_at"], batch_size=BATCH)
    EmployerChange.objects.bulk_create(changes, batch_size=BATCH)
    result.created = len(to_create)
    result.updated = len(to_update)
    result.unchanged = result.matched - result.updated
    result.removal_candidates = _list_candidates(wanted, run)
    _withdraw(operating_again, run)
    for field in ("rows", "matched", "updated", "removal_candidates", "unorganized", "rejected"):
        setattr(run, field, getattr(result, field))
    run.new = result.created
    run.status = RunStatus.DONE
    run.errors = [[e.row, e.column, e.value, e.reason] for e in result.errors[:ERRORS_KEPT]]
    run.save()


def _user_or_none(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _outside_scope(codes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(codes), BATCH):
        found.update(
            Employer.objects.filter(uscc__in=codes[start : start + BATCH]).values_list(
                "uscc", flat=True
            )
        )
    return found


def _new_employer(
    record: RegisterRecord, region_orgs: dict[str, UnionOrg], scope_org: UnionOrg
) -> Employer:
    return Employer(
        uscc=record.uscc,
        uscc_check_failed=record.uscc_check_failed,
        name=record.name,
        address=record.address,
        employees=record.employees,
        opened_on=record.opened_on,
        region_code=record.region_code,
        status=EmployerStatus.OPERATING,
        org=region_orgs.get(record.region_code) or scope_org,
    )


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _change(
    employer: Employer, field: str, old: object, new: object, run: RegisterVerification, user: Any
) -> EmployerChange:
    return EmployerChange(
        employer=employer,
        field=field,
        old_value=_text(old)[:300],
        new_value=_text(new)[:300],
        source=ChangeSource.REGISTER,
        verification=run,
        changed_by=_user_or_none(user),
    )


def _apply(
    employer: Employer,
    record: RegisterRecord,
    run: RegisterVerification,
    user: Any,
    changes: list[EmployerChange],
) -> bool:
    changed = False
    for field in _TRACKED:
        new = getattr(record, field)
        if new in (None, ""):
            continue  # the register says nothing about it: keep ours
        old = getattr(employer, field)
        if old != new:
            changes.append(_change(employer, field, old, new, run, user))
            setattr(employer, field, new)
            changed = True
    return changed


def _list_candidates(wanted: dict[int, str], run: RegisterVerification) -> int:
    """Create the pending candidates not listed yet; a dismissed one (the officer kept the
    employer) is not raised again for the same reason. Returns how many are listed."""
    if not wanted:
        return 0
    ids = list(wanted)
    pending: dict[int, RemovalCandidate] = {}
    dismissed: set[tuple[int, str]] = set()
    for start in range(0, len(ids), BATCH):
        for candidate in RemovalCandidate.objects.filter(
            employer_id__in=ids[start : start + BATCH],
            status__in=[CandidateStatus.PENDING, CandidateStatus.DISMISSED],
        ):
            if candidate.status == CandidateStatus.PENDING:
                pending[candidate.employer_id] = candidate
            else:
                dismissed.add((candidate.employer_id, candidate.reason))
    listed = 0
    new: list[RemovalCandidate] = []
    reasons: list[RemovalCandidate] = []
    for employer_id, reason in wanted.items():
        if (employer_id, reason) in dismissed:
            continue
        listed += 1
        known = pending.get(employer_id)
        if known is None:
            new.append(RemovalCandidate(employer_id=employer_id, verification=run, reason=reason))
        elif known.reason != reason:
            known.reason = reason
            reasons.append(known)
    RemovalCandidate.objects.bulk_create(new, batch_size=BATCH)
    RemovalCandidate.objects.bulk_update(reasons, ["reason"], batch_size=BATCH)
    return listed


def _withdraw(employer_ids: list[int], run: RegisterVerification) -> None:
    """Pending candidates whose employer this register shows operating are withdrawn."""
    now = timezone.now()
    for start in range(0, len(employer_ids), BATCH):
        RemovalCandidate.objects.filter(
            employer_id__in=employer_ids[start : start + BATCH], status=CandidateStatus.PENDING
        ).update(
            status=CandidateStatus.WITHDRAWN,
            decided_at=now,
            note=_("Operating in the register of %(date)s.") % {"date": run.as_of.isoformat()},
        )


# --- uploads run as background jobs ------------------------------------------------------------


@transaction.atomic
def register_verify_start(
    *, user: Any, upload: UploadedFile, as_of: date | None = None
) -> RegisterVerification:
    """Store an uploaded register and queue its verification once the row is committed."""
    require(user, Capability.MANAGE_ORG_WORK, _("You may not run verifications."))
    if user.scope_org is None:
        raise PermissionDenied(_("You may not run verifications."))
    run = RegisterVerification.objects.create(
        org=user.scope_org,
        as_of=as_of or timezone.localdate(),
        status=RunStatus.QUEUED,
        file=upload,
        file_name=(upload.name or "register")[:255],
        created_by=user,
    )
    from gonghui.orgs.tasks import run_register_verification  # the task module imports this one

    transaction.on_commit(lambda: run_register_verification.enqueue(run.pk))
    return run


def register_verify_run(*, run_id: int) -> RegisterVerification:
    """The job's body: verify a queued upload (a re-delivered, finished job does nothing)."""
    run = RegisterVerification.objects.select_related("org", "created_by").get(pk=run_id)
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        return run
    RegisterVerification.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    source = Path(run.file.path)
    try:
        register_verify(
            path=source,
            scope_org=run.org,
            as_of=run.as_of,
            user=run.created_by,
            report_path=source.with_name(f"{source.stem}.errors.xlsx"),
            file_name=run.file_name,
            run=run,
        )
    except FileUnreadable as exc:
        run.status, run.failure = RunStatus.FAILED, str(exc.reason)[:500]
        run.save(update_fields=["status", "failure"])
    return run


# --- the officer's decision (核减) --------------------------------------------------------------


def removal_confirm(*, user: Any, candidate: RemovalCandidate, note: str = "") -> Employer:
    """Remove the candidate's employer: status `removed`/`deregistered`, history kept."""
    require(user, Capability.MANAGE_ORG_WORK, _("You may not decide on removal candidates."))
    with transaction.atomic():
        candidate = _pending(candidate)
        employer = Employer.objects.select_for_update().get(pk=candidate.employer_id)
        status = (
            EmployerStatus.DEREGISTERED
            if candidate.reason == RemovalReason.DEREGISTERED
            else EmployerStatus.REMOVED
        )
        EmployerChange.objects.create(
            employer=employer,
            field="status",
            old_value=employer.status,
            new_value=status,
            source=ChangeSource.REMOVAL,
            verification=candidate.verification,
            changed_by=_user_or_none(user),
        )
        employer.status = status
        employer.save(update_fields=["status", "updated_at"])
        _dissolve_lone_union(employer)
        supervision_close_gone(employer_ids=[employer.pk], on=timezone.localdate())
        _decide(candidate, CandidateStatus.CONFIRMED, user, note)
    return employer


def removal_dismiss(*, user: Any, candidate: RemovalCandidate, note: str) -> RemovalCandidate:
    """Keep the employer (the register lags, it moved registration, ...); a reason is required."""
    require(user, Capability.MANAGE_ORG_WORK, _("You may not decide on removal candidates."))
    if not note.strip():
        raise ValidationError(_("Say why the employer is kept."))
    with transaction.atomic():
        candidate = _pending(candidate)
        _decide(candidate, CandidateStatus.DISMISSED, user, note)
    return candidate


def _pending(candidate: RemovalCandidate) -> RemovalCandidate:
    """The candidate, locked, while it awaits a decision."""
    locked = RemovalCandidate.objects.select_for_update().get(pk=candidate.pk)
    if locked.status != CandidateStatus.PENDING:
        raise ValidationError(_("This candidate has already been decided."))
    return locked


def _decide(candidate: RemovalCandidate, status: str, user: Any, note: str) -> None:
    candidate.status = status
    candidate.note = note.strip()
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "note", "decided_by", "decided_at"])


def _dissolve_lone_union(employer: Employer) -> None:
    """An enterprise union that served only this employer is marked dissolved (kept, never
    deleted; its members stay where they are until transferred)."""
    if employer.union_id is None:
        return
    union = UnionOrg.objects.get(pk=employer.union_id)
    if union.kind != OrgKind.ENTERPRISE or union.status != OrgStatus.ACTIVE:
        return
    others = (
        Employer.objects.filter(union_id=union.pk, status=EmployerStatus.OPERATING)
        .exclude(pk=employer.pk)
        .exists()
    )
    if not others:
        union.status = OrgStatus.DISSOLVED
        union.save(update_fields=["status", "updated_at"])
