"""Each view module of the members app declares its own `urlpatterns`; this joins them."""

from gonghui.members.views import imports, registry

app_name = "members"

urlpatterns = [*registry.urlpatterns, *imports.urlpatterns]
