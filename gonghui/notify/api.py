"""The SMS gateway's callback: members' replies to notices (opt-outs)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from gonghui.appeals.api import ChannelClientToken, Message
from gonghui.appeals.models import Channel, ChannelClient
from gonghui.core.validators import InvalidValue
from gonghui.notify.services import inbound_sms_receive

router = Router(tags=["notify"])


class InboundSmsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(..., max_length=20, description="the member's mobile number")
    text: str = Field(..., max_length=500, description="the reply as received")


class InboundSmsOut(Schema):
    opted_out: bool = Field(..., description="the reply was an opt-out word (T, TD, 退订, …)")


@router.post(
    "/sms/inbound",
    auth=ChannelClientToken(),
    response={200: InboundSmsOut, 403: Message, 422: Message},
    summary="A member's SMS reply, forwarded by the gateway",
)
def sms_inbound(request: HttpRequest, payload: InboundSmsIn) -> Status:
    """For the SMS gateway's channel client only (`gonghui create_channel_client sms NAME`).
    An opt-out word stops notices to the phone (receipts and replies still reach it); a
    repeated reply changes nothing."""
    client: ChannelClient = request.auth  # type: ignore[attr-defined]
    if client.channel != Channel.SMS:
        return Status(403, {"detail": _("Only the SMS gateway's client forwards replies.")})
    try:
        opted_out = inbound_sms_receive(phone=payload.phone, text=payload.text)
    except InvalidValue as exc:
        return Status(422, {"detail": {"phone": [str(exc)]}})
    return Status(200, {"opted_out": opted_out})
