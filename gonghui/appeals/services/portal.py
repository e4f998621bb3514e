"""The worker's side: filing from the portal and finding one's own appeal again."""

import hmac

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from gonghui.appeals.models import Appeal, Channel
from gonghui.appeals.services.attachments import appeal_attach, sniff
from gonghui.appeals.services.intake import appeal_intake, tracking_code_normalize
from gonghui.orgs.models import UnionOrg


@transaction.atomic
def appeal_portal_submit(
    *,
    name: str,
    phone: str,
    nature: str,
    category_code: str,
    employer: str,
    workers_involved: int,
    content: str,
    upload: UploadedFile | None,
    language: str,
) -> Appeal:
    """File a worker's own appeal (taken in by the top of the tree) with an optional file."""
    if upload is not None:
        sniff(upload)  # refuse a bad file before anything is filed
    top = UnionOrg.objects.get_root_nodes().first()
    if top is None:
        raise RuntimeError("no union tree: import the orgs first")
    employer = employer.strip()
    is_code = len(employer) == 18 and employer.isascii() and employer.isalnum()
    appeal = appeal_intake(
        channel=Channel.WEB,
        nature=nature,
        category_code=category_code,
        content=content,
        name=name,
        phone=phone,
        employer_uscc=employer.upper() if is_code else "",
        employer_name="" if is_code else employer,
        workers_involved=workers_involved,
        intake_org=top,
        language=language,
    )
    if upload is not None:
        appeal_attach(appeal=appeal, upload=upload)
    return appeal


def appeal_lookup(*, code: str, phone_last4: str) -> Appeal | None:
    """The appeal with this tracking code whose phone ends in these 4 digits, else None.

    A wrong pair and an unknown code answer alike, so the page is no oracle for codes.
    """
    code = tracking_code_normalize(code)
    digits = phone_last4.strip()
    if not code.isdigit() or len(digits) != 4 or not digits.isdigit() or not digits.isascii():
        return None
    appeal = Appeal.objects.select_related("org", "category").filter(tracking_code=code).first()
    if appeal is None:
        return None
    if not hmac.compare_digest(appeal.phone_masked[-4:].encode(), digits.encode()):
        return None
    return appeal
