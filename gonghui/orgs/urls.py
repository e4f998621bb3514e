from django.urls import path

from gonghui.orgs import views
from gonghui.orgs.views import supervision, verification, work

app_name = "orgs"

urlpatterns = [
    path("orgs/", views.org_tree, name="tree"),
    # Organisation work (before orgs/<code>/ so that its names are not taken for codes).
    path("orgs/verification/", verification.verification, name="verification"),
    path(
        "orgs/verification/candidates/<int:pk>/decide/",
        verification.candidate_decide,
        name="candidate_decide",
    ),
    path("orgs/supervision/", supervision.supervision, name="supervision"),
    path("orgs/supervision/<int:pk>/", supervision.supervision_detail, name="supervision_item"),
    path(
        "orgs/supervision/<int:pk>/follow-up/",
        supervision.supervision_followup,
        name="supervision_followup",
    ),
    path("orgs/staffing/", work.staffing, name="staffing"),
    path("orgs/staffing.xlsx", work.staffing_export, name="staffing_export"),
    path("orgs/elections/", work.elections, name="elections"),
    path("orgs/ratings/", work.ratings, name="ratings"),
    path("orgs/work-settings/", work.work_settings, name="work_settings"),
    path("orgs/<str:code>/", views.org_tree, name="detail"),
    path("employers/", views.employer_list, name="employers"),
    path("employers/<str:uscc>/", views.employer_detail, name="employer"),
]
