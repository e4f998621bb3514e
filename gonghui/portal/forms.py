from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gonghui.core.validators import InvalidValue, normalize_mobile


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control", "inputmode": "tel", "autocomplete": "tel"}
        ),
    )

    def clean_phone(self) -> str:
        try:
            return normalize_mobile(self.cleaned_data["phone"])
        except InvalidValue as exc:
            raise ValidationError(exc.reason) from None


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
            }
        ),
    )
