"""The JSON API under /api/v1/: one NinjaAPI, one router per app."""

from gonghui.accounts.api_auth import BearerToken
from gonghui.appeals.api import router as appeals_router
from gonghui.benefits.api import router as benefits_router
from gonghui.core.api_schema import DocumentedAPI, LocalSwagger
from gonghui.insights.api import router as insights_router
from gonghui.legal.api import router as legal_router
from gonghui.members.api import router as members_router
from gonghui.notify.api import router as notify_router
from gonghui.orgs.api import router as orgs_router
from gonghui.places.api import router as places_router

api = DocumentedAPI(
    title="Gonghui API",
    version="1",
    description="Scoped JSON API of the Gonghui union federation platform.",
    auth=BearerToken(),
    urls_namespace="api",
    docs=LocalSwagger(),
)
api.add_router("/", orgs_router)
api.add_router("/", members_router)
api.add_router("/", appeals_router)
api.add_router("/", notify_router)
api.add_router("/", legal_router)
api.add_router("/", places_router)
api.add_router("/", benefits_router)
api.add_router("/", insights_router)
