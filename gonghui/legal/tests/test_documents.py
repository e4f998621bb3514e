"""Case documents: PDF with Chinese text (checked by extracting it), stored, regenerated."""

import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gonghui.core.models import AuditEntry
from gonghui.legal.documents import rmb_upper
from gonghui.legal.models import CaseDocument
from gonghui.legal.services import dispute_close, document_generate
from gonghui.legal.tests.conftest import make_dispute
from gonghui.testing import logged_in

pytestmark = pytest.mark.django_db


def _text(document: CaseDocument) -> str:
    with document.file.open("rb") as f:
        pdf = f.read()
    assert pdf.startswith(b"%PDF")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return "".join(result.stdout.decode().split())


@pytest.fixture
def mediated(city, district_officer):
    case = make_dispute(
        city.community,
        employer_name="北京甲乙科技有限公司",
        workers=[{"name": "赵大山"}, {"name": "钱小梅"}],
    )
    return dispute_close(
        user=district_officer, case=case, outcome="mediated", amount_agreed="12000.50",
        amount_recovered="12000.50", performed=True,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("amount", "upper"),
    [
        ("0", "零元整"),
        ("3000", "叁仟元整"),
        ("12000.50", "壹万贰仟元伍角"),
        ("10005", "壹万零伍元整"),
        ("100000", "壹拾万元整"),
        ("1000000.05", "壹佰万元零伍分"),
        ("100000005", "壹亿零伍元整"),
        ("650000000", "陆亿伍仟万元整"),
    ],
)
def test_amounts_are_written_in_capital_chinese_numerals(amount, upper):
    assert rmb_upper(Decimal(amount)) == upper


def test_the_mediation_agreement_names_the_parties_and_the_agreed_amount_in_chinese(
    mediated, district_officer
):
    document = document_generate(user=district_officer, case=mediated, kind="agreement")
    text = _text(document)
    assert "调解协议书" in text
    assert "赵大山" in text
    assert "钱小梅" in text
    assert "北京甲乙科技有限公司" in text
    assert "壹万贰仟元伍角" in text
    assert "12000.50" in text


def test_generating_again_replaces_the_stored_document(mediated, district_officer):
    first = document_generate(user=district_officer, case=mediated, kind="summary")
    old_name = first.file.name
    second = document_generate(user=district_officer, case=mediated, kind="summary")
    assert CaseDocument.objects.filter(case=mediated).count() == 1
    assert second.file.name != old_name
    assert "案件摘要" in _text(second) or "Case summary" in _text(second)


def test_no_agreement_without_a_successful_mediation(city, district_officer):
    case = make_dispute(city.community)
    with pytest.raises(ValidationError):
        document_generate(user=district_officer, case=case, kind="agreement")


def test_the_referral_letter_is_for_illegal_conduct_only(city, district_officer):
    contested = make_dispute(city.community)
    with pytest.raises(ValidationError):
        document_generate(user=district_officer, case=contested, kind="referral")
    illegal = make_dispute(city.community, rights_subtype="illegal", employer_name="违法用工公司")
    text = _text(document_generate(user=district_officer, case=illegal, kind="referral"))
    assert "违法用工公司" in text


def test_downloading_a_document_is_audited_and_scoped(
    mediated, district_officer, other_district_officer
):
    document_generate(user=district_officer, case=mediated, kind="agreement")
    url = f"/legal/disputes/{mediated.pk}/documents/agreement/"
    assert logged_in(other_district_officer).get(url).status_code == 404
    response = logged_in(district_officer).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(detail__what="agreement").count() == 1


def test_the_page_generates_a_document(mediated, district_officer):
    response = logged_in(district_officer).post(
        f"/legal/disputes/{mediated.pk}/document/", {"kind": "summary"}
    )
    assert response.status_code == 302
    assert CaseDocument.objects.filter(case=mediated, kind="summary").exists()
