from django.contrib import admin
from django.urls import include, path

from gonghui.api import api
from gonghui.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("gonghui.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("gonghui.orgs.urls")),
    path("", include("gonghui.members.urls")),
    path("", include("gonghui.appeals.urls")),
    path("", include("gonghui.legal.urls")),
    path("", include("gonghui.benefits.urls")),
    path("", include("gonghui.insights.urls")),
    path("", include("gonghui.core.audit_views")),
    path("", include("gonghui.core.calendar_views")),
    path("", include("gonghui.notify.views")),
    path("", include("gonghui.places.urls")),
    path("", include("gonghui.portal.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "gonghui.core.views.bad_request"
handler404 = "gonghui.core.views.page_not_found"
