"""The JSON API under /api/v1/: one NinjaAPI, one router per app."""

from ninja import NinjaAPI

from gonghui.accounts.api_auth import BearerToken
from gonghui.members.api import router as members_router
from gonghui.orgs.api import router as orgs_router

api = NinjaAPI(
    title="Gonghui API",
    version="1",
    description="Scoped JSON API of the Gonghui union federation platform.",
    auth=BearerToken(),
    urls_namespace="api",
)
api.add_router("/", orgs_router)
api.add_router("/", members_router)
