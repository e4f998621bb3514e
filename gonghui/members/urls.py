"""Each view module of the members app declares its own `urlpatterns`; this joins them."""

from gonghui.members.views import cards, imports, joining, registry, transfers

app_name = "members"

urlpatterns = [*registry.urlpatterns, *imports.urlpatterns]
urlpatterns += cards.urlpatterns
urlpatterns += [*joining.urlpatterns, *transfers.urlpatterns]
