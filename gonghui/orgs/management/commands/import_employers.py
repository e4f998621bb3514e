from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from gonghui.core.commands import ImportCommand
from gonghui.orgs.models import UnionOrg
from gonghui.orgs.services import employer_import


class Command(ImportCommand):
    help = (
        "Import employers from CSV or XLSX (单位名称/name, 统一社会信用代码/uscc, "
        "行政区划代码/region_code, 行业门类/industry, 职工人数/employees, "
        "成立日期/opened_on, 经营状态/status, "
        "所属社区工会代码/community_code, 单位工会代码/union_code)."
    )
    import_service = staticmethod(employer_import)

    def scope_org(self, code: str | None) -> Any:
        # Employers always hang under some org: without --org, the single root federation.
        if code is not None:
            return super().scope_org(code)
        roots = list(UnionOrg.objects.get_root_nodes()[:2])
        if len(roots) != 1:
            raise CommandError(_("Import the union orgs first, or name the federation with --org."))
        return roots[0]
