"""Validation stage of the member import: a parsed row in, a clean row or a RowError out.

A clean row is already encrypted, indexed and masked; only the employer is left for the
chunk's one lookup query (services.registry) to fill in.
"""

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core import pii
from gonghui.core.tabular import Column, RowError, parse_date
from gonghui.core.validators import (
    PROVINCE_PREFIXES,
    InvalidValue,
    id_number_birth_date,
    id_number_check_char,
    id_number_gender,
    normalize_id_number,
    normalize_mobile,
    normalize_uscc,
)
from gonghui.members.pinyin import name_keys
from gonghui.orgs.models import OrgKind

MEMBER_COLUMNS = (
    Column("name", ("姓名", "name", "会员姓名"), required=True),
    Column("id_number", ("身份证号", "公民身份号码", "身份证号码", "id_number"), required=True),
    Column("phone", ("手机号", "手机号码", "phone", "mobile")),
    Column("employer_name", ("工作单位", "employer_name", "单位名称")),
    Column("employer_uscc", ("统一社会信用代码", "employer_uscc")),
    Column("org_code", ("工会代码", "所属工会", "org_code")),
    Column("joined_on", ("入会时间", "入会日期", "joined_on")),
)

# Positions in a validated row (a list, so the chunk's lookups can fill in the employer).
(ROW, NAME, PINYIN, INITIALS, ID_ENC, ID_IDX, ID_MASKED, GENDER, BIRTH, REGION, PHONE_ENC,
 PHONE_IDX, PHONE_MASKED, EMPLOYER, ORG, JOINED, USCC, EMPLOYER_NAME) = range(18)  # fmt: skip
# Unions that hold members directly; federations above them do not.
MEMBER_ORG_KINDS = frozenset(
    {OrgKind.COMMUNITY, OrgKind.JOINT, OrgKind.INDUSTRY, OrgKind.GROUP, OrgKind.ENTERPRISE}
)


# Fast paths for the common, already clean value; anything else takes the full validator, which
# also words the error. An import spends most of its Python time here, row after row.
_ID_SHAPE = re.compile(r"[1-9][0-9]{16}[0-9X]")
_PHONE_SHAPE = re.compile(r"1[3-9][0-9]{9}")


def _quick_id_number(raw: str, today: date) -> tuple[str, date] | None:
    number = raw[:17] + "X" if len(raw) == 18 and raw[17] == "x" else raw
    if not _ID_SHAPE.fullmatch(number) or number[:2] not in PROVINCE_PREFIXES:
        return None
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    if born.year < 1900 or born > today or number[17] != id_number_check_char(number[:17]):
        return None
    return number, born


class _Reject(Exception):
    def __init__(self, column: str, value: str, reason: str) -> None:
        self.column, self.value, self.reason = column, value, reason


class MemberRowValidator:
    """Turns a parsed row into a validated row (a list, see ROW…EMPLOYER_NAME) or a RowError.

    Build one per import: it holds the lookups of the importer's unions.
    """

    def __init__(self, *, orgs: Mapping[str, tuple[int, str]], today: date) -> None:
        self.orgs = orgs  # code → (id, kind) of the unions inside the importer's scope
        self.today = today
        self.encrypt = pii.encrypt
        self.index = pii.blind_index

    def __call__(self, row_no: int, values: Mapping[str, str]) -> list[Any] | RowError:
        try:
            return self._clean(row_no, values)
        except _Reject as exc:
            return RowError(row_no, exc.column, exc.value[:200], exc.reason)

    def _clean(self, row_no: int, values: Mapping[str, str]) -> list[Any]:
        name = values["name"]
        if not name:
            raise _Reject("name", name, _("This field is required."))
        if len(name) > 50:
            raise _Reject("name", name, _("Longer than %(limit)d characters.") % {"limit": 50})
        raw_id = values["id_number"]
        quick = _quick_id_number(raw_id, self.today)
        if quick is None:
            try:
                id_number = normalize_id_number(raw_id, today=self.today)
            except InvalidValue as exc:
                raise _Reject("id_number", pii.mask_id_number(raw_id), str(exc)) from None
            birth = id_number_birth_date(id_number)
        else:
            id_number, birth = quick
        phone_enc = phone_idx = phone_masked = ""
        raw_phone = values.get("phone", "")
        if raw_phone:
            if _PHONE_SHAPE.fullmatch(raw_phone):
                phone = raw_phone
            else:
                try:
                    phone = normalize_mobile(raw_phone)
                except InvalidValue as exc:
                    raise _Reject("phone", pii.mask_phone(raw_phone), str(exc)) from None
            phone_enc = self.encrypt(phone)
            phone_idx = self.index(phone, kind="phone")
            phone_masked = pii.mask_phone(phone)
        uscc = values.get("employer_uscc", "")
        if uscc:
            try:
                uscc = normalize_uscc(uscc).code
            except InvalidValue as exc:
                raise _Reject("employer_uscc", uscc, str(exc)) from None
        org_id = None
        org_code = values.get("org_code", "")
        if org_code:
            org = self.orgs.get(org_code)
            if org is None:
                raise _Reject(
                    "org_code",
                    org_code,
                    _("No union org %(code)s in your scope.") % {"code": org_code},
                )
            if org[1] not in MEMBER_ORG_KINDS:
                raise _Reject(
                    "org_code",
                    org_code,
                    _("%(code)s is a federation; members belong to a grassroots or joint union.")
                    % {"code": org_code},
                )
            org_id = org[0]
        joined_on = None
        raw_joined = values.get("joined_on", "")
        if raw_joined:
            try:
                joined_on = (
                    date.fromisoformat(raw_joined)
                    if len(raw_joined) == 10 and raw_joined[4] == raw_joined[7] == "-"
                    else parse_date(raw_joined)
                )
            except ValueError:
                raise _Reject(
                    "joined_on", raw_joined, _("Not a date; write it as 2024-03-05.")
                ) from None
            if joined_on > self.today:
                raise _Reject("joined_on", raw_joined, _("The date is in the future."))
            if joined_on.year - birth.year < 16:
                raise _Reject(
                    "joined_on", raw_joined, _("The member would have joined before the age of 16.")
                )
        pinyin, initials = name_keys(name)
        return [
            row_no, name, pinyin, initials, self.encrypt(id_number),
            self.index(id_number, kind="id_number"), pii.mask_id_number(id_number),
            id_number_gender(id_number), birth, id_number[:6], phone_enc, phone_idx,
            phone_masked, None, org_id, joined_on, uscc, values.get("employer_name", "")[:200],
        ]  # fmt: skip
