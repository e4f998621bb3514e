from gonghui.core.commands import ImportCommand
from gonghui.members.services.registry import member_import


class Command(ImportCommand):
    help = (
        "Import members from CSV or XLSX (姓名/name, 身份证号/id_number, 手机号/phone, "
        "工作单位/employer_name, 统一社会信用代码/employer_uscc, 工会代码/org_code, "
        "入会时间/joined_on). --org names the importing union: the scope of the import, and "
        "the union of rows that name none when it holds members itself."
    )
    import_service = staticmethod(member_import)
    reports_progress = True
    reports_writing = True
