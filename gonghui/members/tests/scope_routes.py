"""Scope declarations of the member registry's routes (see core/tests/test_scope_sweep.py)."""

from gonghui.members.tests.factories import MemberFactory

LISTS = {"members:list", "members:export"}
DETAILS = {
    "members:detail": lambda c, org: {"pk": MemberFactory(org=org).pk},
}
ACTIONS = {
    "members:reveal": lambda c, org: {"pk": MemberFactory(org=org).pk},
}
LISTS |= {"members:imports", "members:import_template"}
DETAILS |= {
    "members:import": lambda c, org: {"pk": _import_at(org).pk},
    "members:import_errors": lambda c, org: {"pk": _import_at(org).pk},
}


def _import_at(org):
    """A finished import of `org`, uploaded by an officer of it, with an error report."""
    from django.core.files.base import ContentFile

    from gonghui.accounts.services import user_create_or_update
    from gonghui.members.models import MemberImport

    owner = user_create_or_update(
        username=f"importer_{org.code}", scope_org=org, role="officer", password="x-pass-1234567"
    )
    job = MemberImport(org=org, created_by=owner, original_name="会员.csv")
    job.file.save("members.csv", ContentFile(b"name,id_number\n"), save=False)
    job.error_report.save("members.errors.xlsx", ContentFile(b"x"), save=False)
    job.save()
    return job


API_PARAMS = {"member_id": lambda c, org: MemberFactory(org=org).pk}
