"""Fixtures of the organisation-work tests: a register file against the small city."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from gonghui.orgs.models import Employer, OrgKind
from gonghui.orgs.tests.factories import EmployerFactory, UnionOrgFactory, make_uscc

REGISTER_HEADER = "统一社会信用代码,企业名称,登记状态,成立日期,从业人数,住所"
AS_OF = date(2026, 11, 30)


@dataclass
class Register:
    path: Path
    renamed: Employer  # changed name and address in the register
    deregistered: Employer  # 注销 in the register
    missing: Employer  # not in the register
    new_uscc: str  # operating, new to us
    gone_uscc: str  # deregistered and new to us: ignored


def write_csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([REGISTER_HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def register(tmp_path, city) -> Register:
    """The city's 东城区 against a register with every kind of difference.

    Rows: the covered employer unchanged, one renamed and moved, one deregistered, one new
    (operating, ≥5 years, 30 staff, no union), one deregistered unknown, one bad code, one of
    another district (outside the scope): 7 rows, 3 matched, 1 new, 1 updated, 2 removal
    candidates (deregistered + missing), 2 unorganized (renamed + new), 2 rejected.
    """
    lone_union = UnionOrgFactory(
        parent=city.street, kind=OrgKind.ENTERPRISE, code="E00000009", name="即将核减公司工会"
    )
    renamed = EmployerFactory(
        name="北京旧名有限公司",
        org=city.community,
        community=city.community,
        employees=40,
        opened_on=date(2015, 1, 1),
        address="东城区旧址1号",
    )
    missing = EmployerFactory(name="北京失联有限公司", org=city.street, union=lone_union)
    new_uscc, gone_uscc = make_uscc(7001), make_uscc(7002)
    employer = city.employer
    path = write_csv(
        tmp_path / "register.csv",
        [
            f"{employer.uscc},{employer.name},存续,,30,",
            f"{renamed.uscc},北京新名有限公司,存续,2015-01-01,40,东城区新址8号",
            f"{city.sibling_employer.uscc},{city.sibling_employer.name},注销,,,",
            f"{new_uscc},北京新开有限公司,在业,2018-05-06,30,东城区某路2号",
            f"{gone_uscc},北京早关有限公司,注销,2010-01-01,,",
            "9111010,坏码公司,存续,,,",
            f"{city.other_employer.uscc},{city.other_employer.name},存续,,,",
        ],
    )
    return Register(
        path=path,
        renamed=renamed,
        deregistered=city.sibling_employer,
        missing=missing,
        new_uscc=new_uscc,
        gone_uscc=gone_uscc,
    )
