"""Member imports uploaded in the back office, run as background jobs with progress."""

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connections, transaction
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

    source = Path(job.file.path)
    report = source.with_name(f"{source.stem}.errors.xlsx")
    progress = _JobProgress(job.pk)
    try:
        result = member_import(
            path=source,
            scope_org=job.org,
            report_path=report,
            progress=progress.rows,
            writing=progress.writing,
            actor=job.created_by,
        )
    except FileUnreadable as exc:
        job.status, job.failure = ImportStatus.FAILED, str(exc.reason)[:500]
        job.save(update_fields=["status", "failure"])
        return job
    finally:
        progress.close()
    job.status = ImportStatus.DONE
    job.rows_done = result.rows
    job.result = result.as_dict()
    if result.error_report:
        job.error_report.name = str(report.relative_to(Path(job.file.storage.location)))
    job.save(update_fields=["status", "rows_done", "result", "error_report"])
    return job


class _JobProgress:
    """Saves a running job's progress. On PostgreSQL it does so on a connection of its own, in
    autocommit: a bulk load is one long transaction, and progress saved inside it would show
    only once the load is over. The connection opens on first use, after the import has
    forked its workers, so that none of them inherits its socket. (On SQLite a second connection
    would wait for the import's write lock: progress goes through the import's own connection,
    seen between its transactions — at the end for a one-pass import, one transaction.)"""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.own = (
            connections.create_connection(DEFAULT_DB_ALIAS)
            if connections[DEFAULT_DB_ALIAS].vendor == "postgresql"
            else None
        )

    def rows(self, rows: int) -> None:
        self._save(rows_done=rows)

    def writing(self, done: int, total: int) -> None:
        self._save(rows_written=done, rows_to_write=total)

    def _save(self, **values: int) -> None:
        if self.own is None:
            MemberImport.objects.filter(pk=self.job_id).update(**values)
            return
        assignments = ", ".join(f"{column} = %s" for column in values)
        with self.own.cursor() as cursor:
            cursor.execute(
                f"UPDATE {MemberImport._meta.db_table} SET {assignments} WHERE id = %s",
                [*values.values(), self.job_id],
            )

    def close(self) -> None:
        if self.own is not None:
            self.own.close()
