"""Scoped reads of the member registry."""

import re
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from gonghui.core import pii
from gonghui.core.scoping import scoped
from gonghui.core.validators import InvalidValue, normalize_id_number, normalize_mobile
from gonghui.members.models import (
    JoinApplication,
    Member,
    MemberCard,
    MemberImport,
    MemberTransfer,
)
from gonghui.orgs.models import UnionOrg

_ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")
_PHONE_LIKE = re.compile(r"^(\+?86)?1\d{10}$")
_LATIN = re.compile(r"^[a-zA-Z]+$")


def _by_id_number(qs: QuerySet[Member], raw: str) -> QuerySet[Member]:
    try:
        number = normalize_id_number(raw)
    except InvalidValue:
        return qs.none()
    return qs.filter(id_number_index=pii.blind_index(number, kind="id_number"))


def _by_phone(qs: QuerySet[Member], raw: str) -> QuerySet[Member]:
    try:
        phone = normalize_mobile(raw)
    except InvalidValue:
        return qs.none()
    return qs.filter(phone_index=pii.blind_index(phone, kind="phone"))


def member_list(
    *,
    user: Any,
    q: str | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    employer: str | None = None,
    org_code: str | None = None,
    status: str | None = None,
    joined_from: date | None = None,
    joined_to: date | None = None,
) -> QuerySet[Member]:
    """Members in the user's subtree. `q` is an ID number, a phone, a name or its pinyin.

    Names match exactly or by prefix, pinyin by prefix of the full spelling or the initials:
    indexed lookups that stay fast over millions of rows (a substring search would not).
    """
    qs = scoped(Member.objects.all(), user=user).select_related("org", "employer")
    if id_number:
        qs = _by_id_number(qs, id_number)
    if phone:
        qs = _by_phone(qs, phone)
    if q:
        term = q.strip().replace(" ", "")
        if _ID_LIKE.match(term):
            qs = _by_id_number(qs, term)
        elif _PHONE_LIKE.match(term):
            qs = _by_phone(qs, term)
        elif _LATIN.match(term):
            term = term.lower()
            qs = qs.filter(Q(name_pinyin__startswith=term) | Q(name_initials__startswith=term))
        else:
            qs = qs.filter(name__startswith=term)
    if employer:
        term = employer.strip()
        qs = qs.filter(Q(employer__uscc=term.upper()) | Q(employer__name__startswith=term))
    if org_code:
        org = scoped(UnionOrg.objects.all(), user=user).filter(code=org_code).first()
        qs = qs.filter(org__path__startswith=org.path) if org else qs.none()
    if status:
        qs = qs.filter(status=status)
    if joined_from:
        qs = qs.filter(joined_on__gte=joined_from)
    if joined_to:
        qs = qs.filter(joined_on__lte=joined_to)
    return qs.order_by("-pk")


def member_get(*, user: Any, pk: int) -> Member | None:
    return member_list(user=user).filter(pk=pk).first()


def member_cards(*, user: Any, member: Member) -> QuerySet[MemberCard]:
    return scoped(MemberCard.objects.filter(member=member), user=user).order_by("-pk")


def card_list(*, user: Any) -> QuerySet[MemberCard]:
    return scoped(MemberCard.objects.all(), user=user).select_related("member")


def join_application_list(*, user: Any, status: str | None = None) -> QuerySet[JoinApplication]:
    qs = scoped(JoinApplication.objects.all(), user=user).select_related("org", "employer")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at")


def transfer_list(*, user: Any, via: str | None = None) -> QuerySet[MemberTransfer]:
    """Transfers either side of which is in the user's subtree, or only the receiving
    (`via="to_org__path"`) or sending (`via="from_org__path"`) side."""
    return (
        scoped(MemberTransfer.objects.all(), user=user, via=via)
        .select_related("member", "from_org", "to_org")
        .order_by("-requested_at")
    )


def member_import_list(*, user: Any) -> QuerySet[MemberImport]:
    return scoped(MemberImport.objects.all(), user=user).order_by("-created_at")
