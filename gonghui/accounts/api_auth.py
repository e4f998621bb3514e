from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from gonghui.accounts.services import api_token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` from `gonghui create_token USERNAME`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw=token)
        if user is None:
            return None
        request.user = user
        return user
