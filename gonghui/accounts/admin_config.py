from django.contrib.admin.apps import AdminConfig


class SuperuserAdminConfig(AdminConfig):
    """django.contrib.admin with our site (admin_site): superusers only."""

    default_site = "gonghui.accounts.admin_site.SuperuserAdminSite"
