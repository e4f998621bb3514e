"""Scope declarations of the member registry's routes (see core/tests/test_scope_sweep.py)."""

from gonghui.members.tests.factories import MemberFactory

LISTS = {"members:list", "members:export"}
DETAILS = {
    "members:detail": lambda c: {"pk": MemberFactory(org=c.other_community).pk},
}
ACTIONS = {
    "members:reveal": lambda c: {"pk": MemberFactory(org=c.other_community).pk},
}
LISTS |= {"members:imports", "members:import_template"}
DETAILS |= {
    "members:import": lambda c: {"pk": _foreign_import(c).pk},
    "members:import_errors": lambda c: {"pk": _foreign_import(c).pk},
}


def _foreign_import(city):
    from django.core.files.base import ContentFile

    from gonghui.accounts.services import user_create_or_update
    from gonghui.members.models import MemberImport

    owner = user_create_or_update(
        username="other_importer",
        scope_org=city.other_district,
        role="officer",
        password="x-pass-1234567",
    )
    job = MemberImport(org=city.other_district, created_by=owner, original_name="西城.csv")
    job.file.save("foreign.csv", ContentFile(b"name,id_number\n"), save=False)
    job.error_report.save("foreign.errors.xlsx", ContentFile(b"x"), save=False)
    job.save()
    return job


API_PARAMS = {"member_id": lambda c: MemberFactory(org=c.other_community).pk}
