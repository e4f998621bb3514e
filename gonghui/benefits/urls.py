"""Each view module of benefits declares its own `urlpatterns`; this joins them."""

from gonghui.benefits.views import catalogue, portal, projects, subsidies

app_name = "benefits"

urlpatterns = [*catalogue.urlpatterns, *subsidies.urlpatterns, *projects.urlpatterns]
urlpatterns += portal.urlpatterns
