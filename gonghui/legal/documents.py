"""The case documents as PDF (WeasyPrint, Noto Sans CJK SC): mediation agreement (调解协议书),
referral letter to the labour inspection authority, case summary."""

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from gonghui.legal.classification import recommended_paths
from gonghui.legal.models import DisputeCase, ResolutionPath

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("", "拾", "佰", "仟")
SECTIONS = ("", "万", "亿", "万亿")


def _section(number: int) -> str:
    """0 < number < 10 000 in capital numerals, zeros between digits read once."""
    text, zero = "", False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + UNITS[position]
    return text


def rmb_upper(amount: Decimal) -> str:
    """The amount in capital Chinese numerals as written on financial documents (大写金额):
    12 000.50 → 壹万贰仟元伍角; 3 000 → 叁仟元整."""
    amount = amount.quantize(Decimal("0.01"))
    if amount < 0:
        raise ValueError("negative amount")
    fen_total = int(amount * 100)
    yuan, fen = divmod(fen_total, 100)
    jiao, fen = divmod(fen, 10)
    text = ""
    if yuan:
        sections = []
        while yuan:
            yuan, part = divmod(yuan, 10_000)
            sections.append(part)
        pending_zero = False
        for index in range(len(sections) - 1, -1, -1):
            part = sections[index]
            if part == 0:
                pending_zero = bool(text)
                continue
            if text and (pending_zero or part < 1000):
                text += "零"
            pending_zero = False
            text += _section(part) + SECTIONS[index]
        text += "元"
    if not jiao and not fen:
        return (text or "零元") + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    return text


TEMPLATES = {
    "agreement": "legal/pdf/agreement.html",
    "referral": "legal/pdf/referral.html",
    "summary": "legal/pdf/summary.html",
}


def render_pdf(*, case: DisputeCase, kind: str) -> bytes:
    from weasyprint import HTML

    claimed = case.amount_claimed
    context = {
        "case": case,
        "workers": list(case.workers.all()),
        "claims": list(case.claims.all()),
        "steps": list(case.steps.all()),
        "claimed": claimed,
        "claimed_upper": rmb_upper(claimed),
        "agreed_upper": rmb_upper(case.amount_agreed),
        "recovered_upper": rmb_upper(case.amount_recovered),
        "paths": [
            ResolutionPath(p).label
            for p in recommended_paths(case.dispute_type, case.rights_subtype)
        ],
        "today": timezone.localdate(),
    }
    with override("zh-hans"):  # documents for the parties and authorities are in Chinese
        html = render_to_string(TEMPLATES[kind], context)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
