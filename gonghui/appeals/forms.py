from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.appeals.models import AppealStatus, Category, Channel, Difficulty, Nature, Satisfaction
from gonghui.core.validators import InvalidValue, normalize_mobile
from gonghui.members.forms import StyledForm


class NoEchoInput(forms.TextInput):
    """Never renders the value it was given (ID numbers, phones) back into the page."""

    def format_value(self, value: Any) -> None:
        return None


def _categories() -> list[tuple[str, str]]:
    return [(c.code, c.label) for c in Category.objects.filter(active=True)]


class IntakeForm(StyledForm):
    """The hotline operator's one screen (keyboard order: phone first)."""

    phone = forms.CharField(
        label=gettext_lazy("Caller's mobile phone"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "tel", "autofocus": True}
        ),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    id_number = forms.CharField(
        label=gettext_lazy("Resident ID number (optional)"),
        max_length=30,
        required=False,
        widget=NoEchoInput(attrs={"autocomplete": "off"}),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), choices=Channel.choices, initial=Channel.HOTLINE
    )
    nature = forms.ChoiceField(label=gettext_lazy("Nature"), choices=Nature.choices)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=())
    employer = forms.CharField(
        label=gettext_lazy("Employer (name or credit code)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "employer-options"}),
    )
    workers_involved = forms.IntegerField(
        label=gettext_lazy("Workers involved"), min_value=1, max_value=100_000, initial=1
    )
    difficulty = forms.ChoiceField(
        label=gettext_lazy("Difficulty class"), choices=Difficulty.choices
    )
    urgent = forms.BooleanField(
        label=gettext_lazy("Urgent"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    content = forms.CharField(
        label=gettext_lazy("What the caller says"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _categories()  # type: ignore[attr-defined]


class PortalAppealForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=50)
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone"),
        max_length=20,
        widget=NoEchoInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    nature = forms.ChoiceField(label=gettext_lazy("What do you need?"), choices=Nature.choices)
    category = forms.ChoiceField(label=gettext_lazy("It is about"), choices=())
    employer = forms.CharField(
        label=gettext_lazy("Employer (name or credit code, optional)"),
        max_length=200,
        required=False,
    )
    workers_involved = forms.IntegerField(
        label=gettext_lazy("How many workers are concerned?"), min_value=1, max_value=100_000,
        initial=1,
    )  # fmt: skip
    content = forms.CharField(
        label=gettext_lazy("Describe your situation"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    file = forms.FileField(
        label=gettext_lazy("Evidence (optional: PDF, JPEG or PNG, at most 10 MB)"), required=False
    )
    consent = forms.BooleanField(
        label=gettext_lazy(
            "I agree that the union stores my name, phone and this appeal to handle it."
        ),
        error_messages={"required": gettext_lazy("Your consent is needed to file an appeal.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _categories()  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        try:
            return normalize_mobile(self.cleaned_data["phone"])
        except InvalidValue as exc:
            raise ValidationError(str(exc)) from None


class FollowForm(StyledForm):
    code = forms.CharField(
        label=gettext_lazy("Tracking code"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    last4 = forms.CharField(
        label=gettext_lazy("Last 4 digits of your mobile phone"),
        max_length=4,
        min_length=4,
        widget=NoEchoInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class RateForm(FollowForm):
    satisfaction = forms.ChoiceField(
        label=gettext_lazy("How satisfied are you with the handling?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )


class WorkbenchFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *AppealStatus.choices],
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        required=False,
        choices=[("", gettext_lazy("All")), *Channel.choices],
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False, choices=())
    org = forms.CharField(label=gettext_lazy("Union code"), required=False, max_length=32)
    received_from = forms.DateField(
        label=gettext_lazy("Received from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_to = forms.DateField(
        label=gettext_lazy("Received until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", _("All")),
            *_categories(),
        ]
