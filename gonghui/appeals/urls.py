"""Each view module of the appeals app declares its own `urlpatterns`; this joins them."""

from gonghui.appeals.views import insights, portal, workbench

app_name = "appeals"

# insights first: its fixed paths would otherwise read as tracking codes.
urlpatterns = [*portal.urlpatterns, *insights.urlpatterns, *workbench.urlpatterns]
