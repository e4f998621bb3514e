"""Member imports uploaded in the back office, run as background jobs with progress."""

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, can
from gonghui.core.tabular import FileUnreadable
from gonghui.members.models import ImportStatus, MemberImport
from gonghui.members.services.registry import member_import


@transaction.atomic
def member_import_start(*, user: Any, upload: UploadedFile) -> MemberImport:
    """Store the upload and queue the job once the row is committed."""
    if not can(user, Capability.IMPORT_MEMBERS) or user.scope_org is None:
        raise PermissionDenied(_("Your role may not import members."))
    job = MemberImport.objects.create(
        file=upload,
        original_name=(upload.name or "members")[:255],
        org=user.scope_org,
        created_by=user,
    )
    from gonghui.members.tasks import run_member_import  # the task module imports this one

    transaction.on_commit(lambda: run_member_import.enqueue(job.pk))
    return job


def member_import_run(*, import_id: int) -> MemberImport:
    """Run a queued import (the job's body). Progress is saved after every chunk."""
    job = MemberImport.objects.select_related("org", "created_by").get(pk=import_id)
    if job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return job  # a re-delivered job that already finished does nothing
    MemberImport.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)

    def progress(rows: int) -> None:
        MemberImport.objects.filter(pk=job.pk).update(rows_done=rows)

    source = Path(job.file.path)
    report = source.with_name(f"{source.stem}.errors.xlsx")
    try:
        result = member_import(
            path=source,
            scope_org=job.org,
            report_path=report,
            progress=progress,
            actor=job.created_by,
        )
    except FileUnreadable as exc:
        job.status, job.failure = ImportStatus.FAILED, str(exc.reason)[:500]
        job.save(update_fields=["status", "failure"])
        return job
    job.status = ImportStatus.DONE
    job.rows_done = result.rows
    job.result = result.as_dict()
    if result.error_report:
        job.error_report.name = str(report.relative_to(Path(job.file.storage.location)))
    job.save(update_fields=["status", "rows_done", "result", "error_report"])
    return job
