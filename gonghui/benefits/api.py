"""Benefits API: subsidy programmes, and paper applications entered by staff."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from gonghui.accounts.capabilities import Capability, can
from gonghui.benefits import selectors
from gonghui.benefits.models import SubsidyChannel, SubsidyProgramme
from gonghui.benefits.services.subsidies import (
    DuplicateCertificate,
    programme_levels,
    subsidy_apply,
)
from gonghui.core.api_paging import PageNumberPaging

router = Router(tags=["benefits"])


class OccupationOut(Schema):
    code: str
    name: str


class ProgrammeOut(Schema):
    code: str
    name: str
    starts_on: date
    ends_on: date
    budget: str
    min_member_months: int
    levels: dict[str, str] = Field(..., description="certificate level → amount in yuan")
    occupations: list[OccupationOut]

    @staticmethod
    def resolve_budget(obj: SubsidyProgramme) -> str:
        return f"{obj.budget:.2f}"

    @staticmethod
    def resolve_levels(obj: SubsidyProgramme) -> dict[str, str]:
        return {
            str(level): f"{amount:.2f}" for level, amount in sorted(programme_levels(obj).items())
        }

    @staticmethod
    def resolve_occupations(obj: SubsidyProgramme) -> list[dict[str, str]]:
        return [{"code": o.code, "name": o.name} for o in obj.occupations.all()]


class ApplicationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    programme: str = Field(..., max_length=32, description="programme code")
    id_number: str = Field(..., max_length=30, description="the applicant's resident ID number")
    certificate_no: str = Field(..., min_length=1, max_length=40)
    level: int = Field(..., ge=1, le=9)
    occupation_code: str = Field(..., max_length=16)
    issued_on: date


class ApplicationCreated(Schema):
    code: str
    status: str
    eligible: bool
    amount: str
    reasons: list[str]


class Message(Schema):
    detail: Any


def _error(status: int, detail: Any) -> JsonResponse:
    return JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )


@router.get(
    "/subsidy-programmes",
    response=list[ProgrammeOut],
    summary="Subsidy programmes of the caller's union and its ancestors",
)
@paginate(PageNumberPaging)
def list_programmes(request: HttpRequest) -> object:
    return selectors.programmes_visible(user=request.user).prefetch_related("occupations")


@router.post(
    "/subsidy-applications",
    response={201: ApplicationCreated, 403: Message, 404: Message, 409: Message, 422: Message},
    summary="Enter a paper subsidy application (checked at once)",
)
def create_application(request: HttpRequest, payload: ApplicationIn) -> JsonResponse:
    """The applicant must be a member inside the caller's subtree (else 404). The answer names
    every failed rule; an application failing one is recorded as refused. A certificate applied
    for already answers 409 naming the earlier application."""
    member = selectors.member_by_id_number(user=request.user, id_number=payload.id_number)
    if member is None:
        return _error(404, _("No member with this ID number in your scope."))
    programme = (
        selectors.programmes_visible(user=request.user).filter(code=payload.programme).first()
    )
    if programme is None or not member.org.path.startswith(programme.org.path):
        return _error(404, _("No such programme open to this member."))
    if not can(request.user, Capability.REVIEW_SUBSIDIES):
        raise PermissionDenied
    try:
        application = subsidy_apply(
            programme=programme,
            member=member,
            certificate_no=payload.certificate_no,
            level=payload.level,
            occupation_code=payload.occupation_code,
            issued_on=payload.issued_on,
            channel=SubsidyChannel.PAPER,
        )
    except DuplicateCertificate as exc:
        return JsonResponse(
            {"detail": exc.messages[0], "earlier": exc.earlier.code},
            status=409,
            json_dumps_params={"ensure_ascii": False},
        )
    except ValidationError as exc:
        return _error(422, exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    body = {
        "code": application.code,
        "status": application.status,
        "eligible": application.eligible,
        "amount": f"{application.amount:.2f}",
        "reasons": application.reasons,
    }
    return JsonResponse(body, status=201, json_dumps_params={"ensure_ascii": False})
