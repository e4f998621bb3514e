from gonghui.core.commands import ImportCommand
from gonghui.orgs.services import org_import


class Command(ImportCommand):
    help = (
        "Import union orgs from CSV or XLSX (工会代码/code, 工会名称/name, 类型/kind, "
        "上级工会代码/parent_code, 行政区划代码/region_code, 成立日期/established_on)."
    )
    import_service = staticmethod(org_import)
    needs_scope = False  # an import without --org may create the root
