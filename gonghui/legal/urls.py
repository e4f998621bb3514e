from gonghui.legal.views import urlpatterns

app_name = "legal"

__all__ = ["app_name", "urlpatterns"]
