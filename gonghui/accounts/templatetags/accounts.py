from typing import Any

from django import template

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.capabilities import can as _can

register = template.Library()


@register.filter
def can(user: Any, capability: str) -> bool:
    """`{% if user|can:"manage_users" %}`: whether the user's role has the capability."""
    return _can(user, Capability(capability))
