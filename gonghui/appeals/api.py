"""The appeal line's API: intake for channel integrations, scoped reads for staff."""

import re
from datetime import date, datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.security import HttpBearer
from pydantic import ConfigDict

from gonghui.appeals import selectors
from gonghui.appeals.models import AppealStatus, Channel, ChannelClient, Nature
from gonghui.appeals.services.intake import (
    IdempotencyError,
    NotInScope,
    appeal_intake_idempotent,
    channel_client_authenticate,
    org_inside,
)
from gonghui.appeals.stats import appeal_stats
from gonghui.core.api_paging import PageNumberPaging
from gonghui.core.scoping import scoped
from gonghui.orgs.models import UnionOrg

router = Router(tags=["appeals"])


class ChannelClientToken(HttpBearer):
    """`Authorization: Bearer ghc_…` from `gonghui create_channel_client CHANNEL NAME`."""

    def authenticate(self, request: HttpRequest, token: str) -> ChannelClient | None:
        return channel_client_authenticate(raw=token)


class AppealIn(Schema):
    # An unknown field is refused (a misspelt field would otherwise be dropped silently).
    model_config = ConfigDict(extra="forbid")

    channel: Channel
    nature: Nature
    category: str = Field(..., max_length=32, description="category code, e.g. wage_arrears")
    content: str = Field(..., max_length=5000)
    name: str = Field(..., max_length=50)
    phone: str = Field(..., max_length=20)
    id_number: str = Field("", max_length=30)
    employer_uscc: str = Field("", max_length=30)
    employer_name: str = Field("", max_length=200)
    org_code: str = Field("", max_length=32, description="union code of the region or org")
    workers_involved: int = Field(1, ge=1, le=100_000)


class AppealCreated(Schema):
    id: int
    tracking_code: str
    status: AppealStatus
    assigned_org: str = Field(..., description="union code of the org that handles it")
    assigned_org_name: str
    deadline: date


class Message(Schema):
    detail: Any


class AppealOut(Schema):
    """An appeal with the complainant's phone and ID number masked."""

    id: int
    tracking_code: str
    channel: Channel
    nature: Nature
    category: str = Field(..., alias="category.code")
    status: AppealStatus
    name: str
    phone: str = Field(..., alias="phone_masked")
    id_number: str = Field(..., alias="id_number_masked")
    employer_uscc: str | None = Field(None, alias="employer.uscc")
    employer_name: str
    assigned_org: str = Field(..., alias="org.code")
    assigned_org_name: str = Field(..., alias="org.name")
    department: str
    handler: str | None = Field(None, alias="handler.username")
    difficulty: str
    workers_involved: int
    received_at: datetime
    deadline: date
    supervised: bool
    replied_at: datetime | None
    satisfaction: str
    closed_at: datetime | None


class AppealDetailOut(AppealOut):
    content: str
    reply: str


def _error(status: int, detail: Any) -> JsonResponse:
    return JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )


# The Idempotency-Key is required; the handler reads it (not django-ninja, which would answer
# 422) so that a missing key answers 400, as the IETF idempotency-key draft says.
KEY_RE = re.compile(r"[!-~]{1,255}")
_KEY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": True,
    "description": "one key per appeal, chosen by the client (a UUID is a good choice)",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}


@router.post(
    "/appeals",
    auth=ChannelClientToken(),
    response={201: AppealCreated, 400: Message, 404: Message, 409: Message, 422: Message},
    summary="File an appeal from a channel integration (idempotent)",
    openapi_extra={"parameters": [_KEY_PARAMETER]},
)
def create_appeal(request: HttpRequest, payload: AppealIn) -> JsonResponse:
    """Authenticated by a channel client's token (`gonghui create_channel_client`). The same
    key and body give the original response, the same key with another body 422, a concurrent
    duplicate the original response or 409; never a second appeal."""
    client: ChannelClient = request.auth  # type: ignore[attr-defined]
    idempotency_key = request.headers.get("Idempotency-Key", "")
    # An org outside the client's subtree answers 404 before anything else is said about it.
    if payload.org_code and not org_inside(code=payload.org_code, within=client.org):
        raise Http404
    if not KEY_RE.fullmatch(idempotency_key):
        return _error(400, _("Send an Idempotency-Key header (1 to 255 visible ASCII characters)."))
    if payload.channel != client.channel:
        refusal = _("This client files appeals of the channel %(channel)s only.")
        return _error(422, {"channel": [refusal % {"channel": client.channel}]})
    try:
        outcome = appeal_intake_idempotent(
            key=idempotency_key, payload=payload.model_dump(mode="json"), client=client
        )
    except IdempotencyError as exc:
        return _error(exc.status_code, exc.message)
    except NotInScope:
        raise Http404 from None
    except ValidationError as exc:
        return _error(422, exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = JsonResponse(
        outcome.body, status=outcome.status_code, json_dumps_params={"ensure_ascii": False}
    )
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@router.get("/appeals", response=list[AppealOut], summary="Appeals in the caller's subtree")
@paginate(PageNumberPaging)
def list_appeals(
    request: HttpRequest,
    status: AppealStatus | None = None,
    channel: Channel | None = None,
    category: str | None = None,
    org: str | None = None,
    from_: Annotated[date | None, Query(None, alias="from")] = None,
    to: date | None = None,
) -> object:
    return selectors.appeal_list(
        user=request.user,
        status=status,
        channel=channel,
        category=category,
        org_code=org,
        received_from=from_,
        received_to=to,
    )


@router.get("/appeals/{tracking_code}", response=AppealDetailOut, summary="One appeal, masked")
def get_appeal(request: HttpRequest, tracking_code: str) -> object:
    appeal = selectors.appeal_get(user=request.user, tracking_code=tracking_code)
    if appeal is None:
        raise Http404
    return appeal


@router.get("/stats/appeals", summary="12351 figures of the caller's subtree")
def appeal_statistics(
    request: HttpRequest,
    from_: Annotated[date | None, Query(None, alias="from")] = None,
    to: date | None = None,
    org: str | None = None,
) -> dict[str, Any]:
    """Received, dispatched, closed, completion, on-time and satisfaction rates, in total and by
    channel, nature, category, org (one level below the scope) and month."""
    scope = None
    if org:
        scope = scoped(UnionOrg.objects.all(), user=request.user).filter(code=org).first()
        if scope is None:
            raise Http404
    return appeal_stats(user=request.user, date_from=from_, date_to=to, org=scope).as_dict()
