from contextlib import suppress
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import Role
from gonghui.accounts.selectors import users_for_password_reset
from gonghui.accounts.services.passwords import password_link_send
from gonghui.core.forms import StyledForm
from gonghui.orgs.models import UnionOrg


class CodeForm(StyledForm):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a backup code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class EnrolCodeForm(StyledForm):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class PhoneCodeForm(StyledForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ContactsForm(StyledForm):
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=20,
        help_text=_("Leave empty to keep the current number."),
    )
    remove_phone = forms.BooleanField(label=_("Remove the mobile number"), required=False)

    def contact_values(self) -> dict[str, str | None]:
        """The arguments of the contact services: None keeps the stored phone."""
        data = self.cleaned_data
        phone = "" if data.get("remove_phone") else (data["phone"].strip() or None)
        return {"email": data["email"], "phone": phone}


class StaffForm(ContactsForm):
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    scope_org_code = forms.CharField(label=_("Code of the scope union"), max_length=32)
    field_order = ["last_name", "first_name", "scope_org_code", "email", "phone", "remove_phone"]

    def clean_scope_org_code(self) -> UnionOrg:
        code = self.cleaned_data["scope_org_code"].strip()
        org = UnionOrg.objects.filter(code=code).first()
        if org is None:
            raise ValidationError(_("No union has this code."))
        return org


class StaffCreateForm(StaffForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    remove_phone = None  # type: ignore[assignment]  (a new account has no number to remove)
    field_order = ["username", *StaffForm.field_order]


class RoleForm(StyledForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AddressForm(StyledForm):
    address = forms.GenericIPAddressField(label=_("Address"))


class VerifiedAddressPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending only to verified addresses (services.passwords)."""

    def get_users(self, email: str) -> Any:
        return iter(users_for_password_reset(email=email))

    def save(self, *, request: Any = None, **kwargs: Any) -> None:  # type: ignore[override]
        for user in self.get_users(self.cleaned_data["email"]):
            # The page never says whether an address is known, nor why no mail went out.
            with suppress(ValidationError):
                password_link_send(user=user, request=request)
