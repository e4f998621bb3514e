"""Login and password pages keep Django's global names (`login`, `password_reset`, …); the
account, second-factor and administration pages live in the `accounts` namespace."""

from django.urls import include, path

from gonghui.accounts.views import account, login, security, staff, two_factor

accounts_patterns = [
    path("me/", account.account, name="account"),
    path("me/contacts/", account.contacts, name="contacts"),
    path("me/email/send/", account.email_send, name="email_send"),
    path("me/email/verify/<str:token>/", account.email_verify_view, name="email_verify"),
    path("me/phone/send/", account.phone_send, name="phone_send"),
    path("me/phone/verify/", account.phone_verify_view, name="phone_verify"),
    path("me/password/", login.PasswordChange.as_view(), name="password_change"),
    path("2fa/verify/", two_factor.two_factor_verify, name="two_factor_verify"),
    path("2fa/setup/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("2fa/remove/", two_factor.two_factor_remove_view, name="two_factor_remove"),
    path("2fa/backup-codes/", two_factor.backup_codes_view, name="backup_codes"),
    path("staff/", staff.staff_list, name="staff"),
    path("staff/new/", staff.staff_create_view, name="staff_create"),
    path("staff/<int:pk>/", staff.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", staff.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/active/", staff.staff_active, name="staff_active"),
    path("staff/<int:pk>/password-link/", staff.staff_password_link, name="staff_password_link"),
    path("staff/<int:pk>/role/", staff.staff_role, name="staff_role"),
    path("staff/<int:pk>/two-factor-reset/", staff.staff_two_factor_reset, name="staff_2fa_reset"),
    path("staff/<int:pk>/unlock/", staff.staff_unlock, name="staff_unlock"),
    path("lockouts/", security.lockouts, name="lockouts"),
    path("lockouts/address/", security.address_unlock, name="address_unlock"),
    path("keys/", security.keys, name="keys"),
]

urlpatterns = [
    path("login/", login.login, name="login"),
    path("logout/", login.logout, name="logout"),
    path("password_reset/", login.password_reset, name="password_reset"),
    path("password_reset/done/", login.password_reset_done, name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        login.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", login.password_reset_complete, name="password_reset_complete"),
    path("", include((accounts_patterns, "accounts"))),
]
