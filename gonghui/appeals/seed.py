"""The standard appeal categories and default routing rules (seeded by migration 0002).

Names are English source strings (marked for translation, shown through the catalogue); admins
may rename them or add more. `seed` takes the model classes so that the migration can pass its
historical ones; it only adds what is missing.
"""

from django.utils.translation import gettext_noop

CATEGORIES = [
    ("wage_arrears", gettext_noop("Wage arrears")),
    ("social_insurance", gettext_noop("Social insurance")),
    ("labour_contract", gettext_noop("Labour contract")),
    ("dismissal", gettext_noop("Dismissal and compensation")),
    ("working_hours", gettext_noop("Working hours and leave")),
    ("safety_health", gettext_noop("Occupational safety and health")),
    ("union_rights", gettext_noop("Union membership and rights")),
    ("mutual_aid", gettext_noop("Mutual aid and benefits")),
    ("hardship", gettext_noop("Hardship assistance")),
    ("other", gettext_noop("Other")),
]

RIGHTS = gettext_noop("Rights protection department")
LEGAL = gettext_noop("Legal services department")
ORGANISATION = gettext_noop("Organisation department")
SECURITY = gettext_noop("Workers' security department")

# (category code or None for every category, level, department, one level up from N workers)
RULES = [
    (None, "street", RIGHTS, None),
    ("wage_arrears", "street", RIGHTS, 10),
    ("social_insurance", "street", RIGHTS, None),
    ("labour_contract", "community", LEGAL, None),
    ("dismissal", "street", LEGAL, 10),
    ("working_hours", "community", RIGHTS, None),
    ("safety_health", "street", RIGHTS, 5),
    ("union_rights", "employer_union", ORGANISATION, None),
    ("mutual_aid", "employer_union", SECURITY, None),
    ("hardship", "community", SECURITY, None),
]


def seed(Category, RoutingRule):
    by_code = {}
    for order, (code, name) in enumerate(CATEGORIES, start=1):
        by_code[code], _created = Category.objects.get_or_create(
            code=code, defaults={"name": name, "order": order * 10}
        )
    for code, level, department, raise_from in RULES:
        RoutingRule.objects.get_or_create(
            category=by_code.get(code),
            region_code="",
            industry="",
            defaults={"level": level, "department": department, "raise_from_workers": raise_from},
        )
