from gonghui.core.commands import ImportCommand
from gonghui.orgs.services import employer_import


class Command(ImportCommand):
    help = (
        "Import employers from CSV or XLSX (单位名称/name, 统一社会信用代码/uscc, "
        "行政区划代码/region_code, 行业门类/industry, 职工人数/employees, "
        "成立日期/opened_on, 经营状态/status, "
        "所属社区工会代码/community_code, 单位工会代码/union_code)."
    )
    import_service = staticmethod(employer_import)
