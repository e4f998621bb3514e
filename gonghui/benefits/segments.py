"""Segments: saved rules over members, turned into ONE queryset filter (set-based, indexable).

Rules (all optional, combined with AND): `gender` ("male"/"female"), `age_min`/`age_max`
(whole years on the day asked), `industries` (GB/T 4754 sections of the employer), `regions`
(region codes: 110000 is the whole city, 110100 its districts, 110101 one district; matched
against the employer's region, else the union's), and the flags `outdoor_worker`, `high_skill`
(三高) and `hardship` of the member's benefit profile. Only active members are ever included.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from gonghui.members.models import Gender, MemberStatus
from gonghui.orgs.models import Industry

FLAGS = ("outdoor_worker", "high_skill", "hardship")
_REGION_LENGTH = 6


def _years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year without one
        return today.replace(year=today.year - years, day=28)


def region_prefix(code: str) -> str:
    """110000 → "11", 110100 → "1101", 110101 → "110101": a region covers its sub-regions."""
    prefix = code
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


def rules_clean(raw: dict[str, Any]) -> dict[str, Any]:
    """Validated, canonical rules; a ValidationError names each bad criterion."""
    errors: dict[str, str] = {}
    rules: dict[str, Any] = {}
    gender = raw.get("gender") or ""
    if gender:
        if gender not in Gender.values:
            errors["gender"] = _("Choose male or female, or leave the gender empty.")
        else:
            rules["gender"] = gender
    for key in ("age_min", "age_max"):
        value = raw.get(key)
        if value in (None, ""):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            errors[key] = _("An age is a whole number of years.")
            continue
        if not 16 <= number <= 100:
            errors[key] = _("An age lies between 16 and 100.")
            continue
        rules[key] = number
    if "age_min" in rules and "age_max" in rules and rules["age_min"] > rules["age_max"]:
        errors["age_max"] = _("The highest age is below the lowest.")
    industries = sorted({str(v) for v in raw.get("industries") or [] if v})
    bad = [v for v in industries if v not in Industry.values]
    if bad:
        errors["industries"] = _("Unknown industry sections: %(codes)s.") % {
            "codes": ", ".join(bad)
        }
    elif industries:
        rules["industries"] = industries
    regions = sorted({str(v).strip() for v in raw.get("regions") or [] if str(v).strip()})
    bad = [v for v in regions if not (v.isdigit() and len(v) == _REGION_LENGTH)]
    if bad:
        errors["regions"] = _("A region code has 6 digits: %(codes)s.") % {"codes": ", ".join(bad)}
    elif regions:
        rules["regions"] = regions
    for flag in FLAGS:
        if raw.get(flag) in (True, "on", "1", "true"):
            rules[flag] = True
    if errors:
        raise ValidationError(errors)
    return rules


def segment_q(rules: dict[str, Any], *, today: date) -> Q:
    """The filter over Member selecting the members the rules describe."""
    q = Q(status=MemberStatus.ACTIVE)
    if rules.get("gender"):
        q &= Q(gender=rules["gender"])
    if rules.get("age_min") is not None:
        q &= Q(birth_date__lte=_years_before(today, rules["age_min"]))
    if rules.get("age_max") is not None:
        q &= Q(birth_date__gt=_years_before(today, rules["age_max"] + 1))
    if rules.get("industries"):
        q &= Q(employer__industry__in=rules["industries"])
    if rules.get("regions"):
        place = Q()
        for code in rules["regions"]:
            prefix = region_prefix(code)
            place |= Q(employer__region_code__startswith=prefix)
            place |= Q(employer__isnull=True, org__region_code__startswith=prefix)
        q &= place
    for flag in FLAGS:
        if rules.get(flag):
            q &= Q(**{f"benefit_profile__{flag}": True})
    return q


def rules_describe(rules: dict[str, Any]) -> list[str]:
    """The rules in words, for lists and the portal."""
    words = []
    if rules.get("gender"):
        words.append(str(Gender(rules["gender"]).label))
    low, high = rules.get("age_min"), rules.get("age_max")
    if low is not None and high is not None:
        words.append(_("aged %(low)d–%(high)d") % {"low": low, "high": high})
    elif low is not None:
        words.append(_("aged %(low)d or more") % {"low": low})
    elif high is not None:
        words.append(_("aged up to %(high)d") % {"high": high})
    if rules.get("industries"):
        words.append(", ".join(str(Industry(code).label) for code in rules["industries"]))
    if rules.get("regions"):
        words.append(_("regions %(codes)s") % {"codes": ", ".join(rules["regions"])})
    labels = {
        "outdoor_worker": _("outdoor workers"),
        "high_skill": _("high education/title/income (三高)"),
        "hardship": _("in hardship"),
    }
    words += [str(labels[flag]) for flag in FLAGS if rules.get(flag)]
    return words
