"""Attachments: evidence files on an appeal, checked by size and by their first bytes.

Only PDF, JPEG and PNG are accepted (what phones and scanners produce); the file's own bytes
decide, not its name. Files are stored under MEDIA_ROOT with a random name and served only
through the scoped download view.
"""

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.appeals.models import ActionKind, Appeal, Attachment
from gonghui.appeals.services.history import lock_for, lock_unscoped, record
from gonghui.appeals.services.machine import next_status

_SIGNATURES = (
    (b"%PDF-", ".pdf", "application/pdf"),
    (b"\xff\xd8\xff", ".jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", ".png", "image/png"),
)
NAME_MAX = 200
MAX_FILES = 10


def sniff(upload: UploadedFile) -> tuple[str, str]:
    """(extension, content type) from the file's first bytes, or ValidationError."""
    if upload.size is None or upload.size > settings.APPEALS_ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {"file": [_("The file is too large (at most %(mb)d MB).")
                      % {"mb": settings.APPEALS_ATTACHMENT_MAX_BYTES // 2**20}]}
        )  # fmt: skip
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, extension, content_type in _SIGNATURES:
        if head.startswith(signature):
            return extension, content_type
    raise ValidationError({"file": [_("Only PDF, JPEG and PNG files are accepted.")]})


@transaction.atomic
def appeal_attach(*, appeal: Appeal, upload: UploadedFile, user: Any = None) -> Attachment:
    """Attach a file: by a handler in scope, or by the worker (user None) at intake."""
    locked = lock_for(user=user, appeal=appeal) if user is not None else lock_unscoped(appeal)
    next_status(ActionKind.ATTACH, locked.status)
    if locked.attachments.count() >= MAX_FILES:
        raise ValidationError({"file": [_("An appeal holds at most 10 files.")]})
    extension, content_type = sniff(upload)
    name = (upload.name or "file").rsplit("/", 1)[-1][-NAME_MAX:]
    attachment = Attachment(
        appeal=locked,
        token=secrets.token_hex(16),
        extension=extension,
        original_name=name,
        content_type=content_type,
        size=upload.size or 0,
    )
    attachment.file.save(f"upload{extension}", upload, save=False)
    try:
        attachment.save()
    except Exception:
        # No row will point to the file. (A rollback of an enclosing transaction can still
        # leave an orphan file; nothing serves a file without its row.)
        attachment.file.delete(save=False)
        raise
    record(locked, kind=ActionKind.ATTACH, actor=user, from_status=locked.status, note=name)
    return attachment
