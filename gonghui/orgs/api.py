from datetime import date

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gonghui.core.api_paging import PageNumberPaging
from gonghui.orgs import selectors
from gonghui.orgs.models import Employer, OrgKind, SupervisionItem, SupervisionStatus

router = Router(tags=["orgs"])


class OrgOut(Schema):
    code: str
    name: str
    kind: OrgKind
    parent_code: str | None = Field(None, description="code of the parent org")
    region_code: str
    address: str
    established_on: date | None
    status: str
    depth: int


class CoverageOut(Schema):
    employers: int
    with_union: int
    rate: float | None
    orgs_by_kind: dict[str, int]


class OrgDetailOut(OrgOut):
    coverage: CoverageOut


class EmployerOut(Schema):
    uscc: str
    name: str
    region_code: str
    industry: str
    employees: int | None
    opened_on: date | None
    status: str
    has_union: bool
    org_code: str = Field(..., alias="org.code")
    community_code: str | None = None
    union_code: str | None = None
    uscc_check_failed: bool

    @staticmethod
    def resolve_community_code(obj: Employer) -> str | None:
        return obj.community.code if obj.community_id else None

    @staticmethod
    def resolve_union_code(obj: Employer) -> str | None:
        return obj.union.code if obj.union_id else None


@router.get("/orgs", response=list[OrgOut], summary="Union orgs in the caller's subtree")
@paginate(PageNumberPaging)
def list_orgs(
    request: HttpRequest, parent: str | None = None, kind: OrgKind | None = None
) -> object:
    return selectors.org_list(user=request.user, parent_code=parent, kind=kind)


@router.get("/orgs/{code}", response=OrgDetailOut, summary="One union org with its coverage")
def get_org(request: HttpRequest, code: str) -> object:
    org = selectors.org_get(user=request.user, code=code)
    if org is None:
        raise Http404
    coverage = selectors.coverage_of(user=request.user, org=org)
    org.coverage = {  # type: ignore[attr-defined]
        "employers": coverage.employers,
        "with_union": coverage.with_union,
        "rate": coverage.rate,
        "orgs_by_kind": coverage.orgs_by_kind,
    }
    return org


@router.get("/employers", response=list[EmployerOut], summary="Employers in the caller's subtree")
@paginate(PageNumberPaging)
def list_employers(
    request: HttpRequest,
    q: str | None = None,
    uscc: str | None = None,
    has_union: bool | None = None,
    industry: str | None = None,
    status: str | None = None,
    org: str | None = None,
) -> object:
    return selectors.employer_list(
        user=request.user,
        q=q,
        uscc=uscc,
        has_union=has_union,
        industry=industry,
        status=status,
        org_code=org,
    )


@router.get("/employers/{uscc}", response=EmployerOut, summary="One employer by USCC")
def get_employer(request: HttpRequest, uscc: str) -> object:
    employer = selectors.employer_get(user=request.user, uscc=uscc)
    if employer is None:
        raise Http404
    return employer


class SupervisionOut(Schema):
    id: int
    employer_uscc: str = Field(..., alias="employer.uscc")
    employer_name: str = Field(..., alias="employer.name")
    status: SupervisionStatus
    responsible_org: str = Field(..., alias="responsible_org.code", description="org code")
    responsible_org_name: str = Field(..., alias="responsible_org.name")
    listed_on: date
    deadline: date
    overdue: bool = False
    refusals: int
    closed_on: date | None

    @staticmethod
    def resolve_overdue(obj: SupervisionItem) -> bool:
        return obj.is_active and obj.deadline < timezone.localdate()


@router.get(
    "/supervision",
    response=list[SupervisionOut],
    summary="Establishment supervision items (未建会企业挂牌督办) in the caller's subtree",
)
@paginate(PageNumberPaging)
def list_supervision(
    request: HttpRequest, status: SupervisionStatus | None = None, org: str | None = None
) -> object:
    return selectors.supervision_list(user=request.user, status=status, org_code=org)


class StaffingOut(Schema):
    required: int = Field(..., description="officers the norm requires")
    allowed: int = Field(..., description="officers the norm allows")
    actual: int = Field(..., description="full-time officers in post")
    compliant: bool
    enterprises: int | None = Field(None, description="enterprises of a community joint union")
    communities: int = Field(..., description="community joint unions counted")


@router.get(
    "/orgs/{code}/staffing",
    response=StaffingOut,
    summary="Staffing norm of a community joint union (or summed over a subtree's communities)",
)
def get_staffing(request: HttpRequest, code: str) -> object:
    org = selectors.org_get(user=request.user, code=code)
    if org is None:
        raise Http404
    if org.kind == OrgKind.COMMUNITY:
        norm = selectors.staffing_norms([org])[0]
        return {
            "required": norm.required,
            "allowed": norm.allowed,
            "actual": norm.actual,
            "compliant": norm.compliant,
            "enterprises": norm.enterprises,
            "communities": 1,
        }
    summary = selectors.staffing_summary(user=request.user, org=org)
    return {
        "required": summary.required,
        "allowed": summary.allowed,
        "actual": summary.actual,
        "compliant": summary.compliant,
        "communities": summary.communities,
    }
