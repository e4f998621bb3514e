"""`{% legal_links appeal %}`: on an appeal's page, the consultations and cases made from it
(as far as the user may see them) and the buttons that make one."""

from typing import Any

from django import template

from gonghui.legal.models import DisputeType, RightsSubtype
from gonghui.legal.selectors import appeal_links
from gonghui.legal.services import can_handle_legal

register = template.Library()


@register.inclusion_tag("legal/_appeal_links.html", takes_context=True)
def legal_links(context: dict[str, Any], appeal: Any) -> dict[str, Any]:
    request = context["request"]
    return {
        "appeal": appeal,
        "links": appeal_links(user=request.user, appeal=appeal),
        "can_handle": can_handle_legal(request.user),
        "dispute_types": DisputeType.choices,
        "subtypes": RightsSubtype.choices,
        "csrf_token": context.get("csrf_token"),
    }
