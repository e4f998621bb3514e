"""Legal fixtures: two purchased firms with a lawyer each (with logins), a lawyers' group."""

from datetime import date
from decimal import Decimal
from itertools import count
from typing import Any

import pytest

from gonghui.accounts.models import Role
from gonghui.accounts.services import user_create_or_update
from gonghui.core import pii
from gonghui.legal.models import LawFirm, Lawyer, LawyerTeam
from gonghui.legal.services import dispute_create
from gonghui.testing import PASSWORD

_numbers = count(1)


def make_lawyer(firm: LawFirm, name: str, *, username: str = "", phone: str = "") -> Lawyer:
    user = None
    if username:
        user = user_create_or_update(
            username=username, scope_org=firm.org, role=Role.LAWYER, password=PASSWORD
        )
    return Lawyer.objects.create(
        firm=firm,
        name=name,
        licence_number=f"1110120{next(_numbers):010d}",
        specialties=["labour"],
        phone=pii.encrypt(phone) if phone else "",
        phone_masked=pii.mask_phone(phone) if phone else "",
        user=user,
    )


def make_dispute(org: Any, **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "user": None,
        "org": org,
        "dispute_type": "rights",
        "rights_subtype": "contested",
        "employer_name": "北京某餐饮有限公司",
        "summary": "拖欠工资两个月",
        "claims": [{"type": "wages", "amount": "8000"}],
    }
    fields.update(overrides)
    return dispute_create(**fields)


@pytest.fixture
def firm_a(city):
    return LawFirm.objects.create(
        name="北京甲律师事务所",
        org=city.city,
        contract_start=date(2026, 1, 1),
        contract_end=date(2026, 12, 31),
        service_scope="12351 法律热线值班、法律援助、劳动争议调解",
        contract_value=Decimal("480000"),
    )


@pytest.fixture
def firm_b(city):
    return LawFirm.objects.create(
        name="北京乙律师事务所",
        org=city.city,
        contract_start=date(2026, 1, 1),
        contract_end=date(2026, 12, 31),
        contract_value=Decimal("360000"),
    )


@pytest.fixture
def lawyer_a(firm_a):
    return make_lawyer(firm_a, "张律师", username="lawyer_a", phone="13900000001")


@pytest.fixture
def lawyer_b(firm_b):
    return make_lawyer(firm_b, "李律师", username="lawyer_b", phone="13900000002")


@pytest.fixture
def team(city, lawyer_a, firm_a):
    group = LawyerTeam.objects.create(org=city.district, name="东城区职工维权律师团")
    second = make_lawyer(firm_a, "王律师", phone="13900000003")
    group.lawyers.add(lawyer_a, second)
    return group
