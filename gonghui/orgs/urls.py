from django.urls import path

from gonghui.orgs import views

app_name = "orgs"

urlpatterns = [
    path("orgs/", views.org_tree, name="tree"),
    path("orgs/<str:code>/", views.org_tree, name="detail"),
    path("employers/", views.employer_list, name="employers"),
    path("employers/<str:uscc>/", views.employer_detail, name="employer"),
]
