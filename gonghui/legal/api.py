"""The legal services' API: dispute cases (create, read with classification and clocks, add
steps), the dispute list and the statistics. Scoped like the pages: anything outside the
caller's subtree, or not assigned to a lawyer caller, answers 404."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from gonghui.appeals.selectors import appeal_get
from gonghui.core.api_paging import PageNumberPaging
from gonghui.core.scoping import org_in_scope, scoped
from gonghui.legal import selectors, services
from gonghui.legal.classification import recommended_paths
from gonghui.legal.models import (
    ClaimType,
    DisputeCase,
    DisputeStatus,
    ResolutionPath,
    StepOutcome,
)
from gonghui.legal.stats import legal_stats
from gonghui.orgs.models import Employer, UnionOrg

router = Router(tags=["legal"])


class ClaimIn(Schema):
    model_config = ConfigDict(extra="forbid")

    type: ClaimType
    amount: Decimal = Field(..., ge=0, le=Decimal("999999999999.99"), decimal_places=2)


class DisputeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    dispute_type: str = Field(..., max_length=16, description="rights or interest")
    rights_subtype: str = Field(
        "", max_length=16, description="illegal or contested (rights disputes only)"
    )
    employer_uscc: str = Field("", max_length=30)
    employer_name: str = Field("", max_length=200)
    workers_involved: int = Field(1, ge=1, le=100_000)
    summary: str = Field(..., max_length=5000)
    claims: list[ClaimIn] = Field(default_factory=list, max_length=50)
    knew_on: date | None = Field(None, description="when the worker knew of the infringement")
    appeal: str = Field("", max_length=24, description="tracking code of the appeal")
    org: str = Field("", max_length=32, description="union code; default the caller's org")


class ClockOut(Schema):
    kind: str
    label: str
    start: date
    due: date
    day: int
    remaining: int
    state: str


class ClaimOut(Schema):
    type: str
    amount: Decimal


class StepOut(Schema):
    path: str
    on: date
    who: str
    outcome: str
    note: str


class DisputeOut(Schema):
    id: int
    code: str
    org: str = Field(..., alias="org.code")
    org_name: str = Field(..., alias="org.name")
    employer_name: str
    employer_uscc: str | None = None
    dispute_type: str
    rights_subtype: str
    recommended_paths: list[str] = Field(default_factory=list)
    chosen_path: str
    workers_involved: int
    is_major: bool
    major_reasons: list[str]
    team: str | None = None
    status: str
    outcome: str
    amount_claimed: Decimal
    amount_agreed: Decimal
    amount_recovered: Decimal
    appeal: str | None = None
    created_at: datetime
    clocks: list[ClockOut] = Field(default_factory=list)

    @staticmethod
    def resolve_employer_uscc(case: DisputeCase) -> str | None:
        return case.employer.uscc if case.employer else None

    @staticmethod
    def resolve_recommended_paths(case: DisputeCase) -> list[str]:
        return list(recommended_paths(case.dispute_type, case.rights_subtype))

    @staticmethod
    def resolve_team(case: DisputeCase) -> str | None:
        return case.team.name if case.team else None

    @staticmethod
    def resolve_appeal(case: DisputeCase) -> str | None:
        return case.appeal.tracking_code if case.appeal else None

    @staticmethod
    def resolve_clocks(case: DisputeCase) -> list[dict[str, Any]]:
        return [clock.__dict__ for clock in selectors.case_clocks(case)]


class DisputeDetailOut(DisputeOut):
    summary: str
    claims: list[ClaimOut] = Field(default_factory=list)
    steps: list[StepOut] = Field(default_factory=list)

    @staticmethod
    def resolve_claims(case: DisputeCase) -> list[Any]:
        return list(case.claims.all())

    @staticmethod
    def resolve_steps(case: DisputeCase) -> list[Any]:
        return list(case.steps.all())


class StepIn(Schema):
    model_config = ConfigDict(extra="forbid")

    path: ResolutionPath
    on: date
    outcome: StepOutcome
    who: str = Field("", max_length=100)
    note: str = Field("", max_length=5000)


class Message(Schema):
    detail: Any


def _error(status: int, detail: Any) -> JsonResponse:
    return JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _case(request: HttpRequest, dispute_id: int) -> DisputeCase:
    case = selectors.dispute_get(user=request.user, pk=dispute_id)
    if case is None:
        raise Http404
    return case


def _org(request: HttpRequest, code: str, employer: Employer | None) -> UnionOrg:
    user: Any = request.user
    if code:
        org = scoped(UnionOrg.objects.all(), user=user).filter(code=code.strip()).first()
        if org is None:
            raise Http404
        return org
    if employer is not None and org_in_scope(employer.org, user=user):
        return employer.org
    if user.scope_org is None:
        raise Http404
    found: UnionOrg = user.scope_org
    return found


@router.post(
    "/disputes",
    response={201: DisputeDetailOut, 403: Message, 404: Message, 422: Message},
    summary="Record a labour-dispute case, classified to its resolution paths",
)
def create_dispute(request: HttpRequest, payload: DisputeIn) -> Any:
    """`dispute_type` rights + `rights_subtype` illegal → administrative supervision; rights +
    contested → negotiation, mediation, arbitration, litigation; interest (no subtype) →
    collective negotiation. ≥ 10 workers, claims over the threshold or an appeal with an
    early-warning alert make it major: dispatched to the lawyers' group."""
    user: Any = request.user
    employer = None
    if payload.employer_uscc.strip():
        employer = Employer.objects.filter(uscc=payload.employer_uscc.strip().upper()).first()
        if employer is not None and not org_in_scope(employer.org, user=user):
            raise Http404
    appeal = None
    if payload.appeal:
        appeal = appeal_get(user=user, tracking_code=payload.appeal)
        if appeal is None:
            raise Http404
    org = _org(request, payload.org, employer)
    try:
        case = services.dispute_create(
            user=user,
            org=org,
            dispute_type=payload.dispute_type,
            rights_subtype=payload.rights_subtype,
            employer_uscc=payload.employer_uscc,
            employer_name=payload.employer_name,
            workers_involved=payload.workers_involved,
            summary=payload.summary,
            claims=[{"type": c.type, "amount": c.amount} for c in payload.claims],
            knew_on=payload.knew_on,
            appeal=appeal,
            alert=appeal.alerts.order_by("-raised_at").first() if appeal else None,
        )
    except PermissionDenied as exc:
        return _error(403, str(exc))
    except ValidationError as exc:
        return _error(422, exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    return Status(201, case)


@router.get("/disputes", response=list[DisputeOut], summary="Dispute cases in the caller's scope")
@paginate(PageNumberPaging)
def list_disputes(
    request: HttpRequest, status: DisputeStatus | None = None, major: bool = False
) -> object:
    cases = selectors.dispute_list(user=request.user, status=status or "", major=major)
    return cases.select_related("appeal").prefetch_related("claims")


@router.get(
    "/disputes/{dispute_id}",
    response=DisputeDetailOut,
    summary="One dispute: classification, recommended paths, major, statutory clocks",
)
def get_dispute(request: HttpRequest, dispute_id: int) -> object:
    case = _case(request, dispute_id)
    services.case_file_opened(user=request.user, case=case, request=request, what="api")
    return case


@router.post(
    "/disputes/{dispute_id}/steps",
    response={201: DisputeDetailOut, 403: Message, 404: Message, 422: Message},
    summary="Record a step (date, who, outcome) on one of the case's recommended paths",
)
def add_step(request: HttpRequest, dispute_id: int, payload: StepIn) -> Any:
    case = _case(request, dispute_id)
    try:
        services.dispute_step_add(
            user=request.user,
            case=case,
            path=payload.path,
            on=payload.on,
            outcome=payload.outcome,
            who=payload.who,
            note=payload.note,
        )
    except PermissionDenied as exc:
        return _error(403, str(exc))
    except ValidationError as exc:
        return _error(422, exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    case.refresh_from_db()
    return Status(201, case)


@router.get("/stats/legal", summary="Legal-services figures of the caller's subtree")
def legal_statistics(request: HttpRequest, year: int | None = None) -> dict[str, Any]:
    """Consultations, cases accepted, mediated successfully, success rate, amounts involved and
    recovered: in total and by district (adding up to the total), year, path and category."""
    from gonghui.legal.views import stats_json

    if year is not None and not 1900 <= year <= 9999:
        raise Http404
    return stats_json(legal_stats(user=request.user, year=year))


__all__ = ["_", "router"]
