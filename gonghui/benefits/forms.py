from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.benefits import selectors
from gonghui.benefits.models import (
    EventKind,
    ItemCategory,
    Occupation,
    ProviderKind,
    SubsidyProgramme,
)
from gonghui.benefits.services.subsidies import Decision
from gonghui.members.models import Gender
from gonghui.orgs.models import Industry, UnionOrg
from gonghui.orgs.selectors import org_get

_DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
_TEXT = {"class": "form-control"}


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class StaffForm(forms.Form):
    """A form whose `org` is a union code inside the user's scope (default: the scope org)."""

    org = forms.CharField(label=_("Union code"), max_length=32)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        scope = getattr(user, "scope_org", None)
        if scope is not None and not self.is_bound:
            self.fields["org"].initial = self.initial.get("org", scope.code)
        _styled(self)

    def clean_org(self) -> UnionOrg:
        code = self.cleaned_data["org"].strip()
        org = org_get(user=self.user, code=code)
        if org is None:
            raise forms.ValidationError(_("No union with this code in your scope."))
        return org

    def segment_field(self) -> None:
        self.fields["segment"] = forms.ModelChoiceField(
            queryset=selectors.segment_list(user=self.user),
            required=False,
            label=_("Eligible members"),
            empty_label=_("Every member"),
            widget=forms.Select(attrs={"class": "form-select"}),
        )


class SegmentForm(StaffForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", _("Any")), *list(Gender.choices)], required=False
    )
    age_min = forms.IntegerField(label=_("Aged from"), min_value=16, max_value=100, required=False)
    age_max = forms.IntegerField(label=_("Aged up to"), min_value=16, max_value=100, required=False)
    industries = forms.MultipleChoiceField(
        label=_("Industry of the employer"),
        choices=Industry.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
    )
    regions = forms.CharField(
        label=_("Regions"),
        required=False,
        help_text=_(
            "Region codes separated by commas, e.g. 110105, 110108 (110000: the whole city)."
        ),
    )
    outdoor_worker = forms.BooleanField(label=_("Outdoor workers only"), required=False)
    high_skill = forms.BooleanField(
        label=_("High education/title/income (三高) only"), required=False
    )
    hardship = forms.BooleanField(label=_("Members in hardship only"), required=False)

    def rules(self) -> dict[str, Any]:
        """The criteria as submitted (validated by the service)."""
        data = self.data
        return {
            "gender": data.get("gender", ""),
            "age_min": data.get("age_min", ""),
            "age_max": data.get("age_max", ""),
            "industries": data.getlist("industries")
            if hasattr(data, "getlist")
            else data.get("industries", []),
            "regions": [
                p for p in data.get("regions", "").replace("，", ",").split(",") if p.strip()
            ],
            "outdoor_worker": data.get("outdoor_worker"),
            "high_skill": data.get("high_skill"),
            "hardship": data.get("hardship"),
        }


def segment_initial(segment: Any) -> dict[str, Any]:
    rules = segment.rules
    return {
        "org": segment.org.code,
        "name": segment.name,
        "gender": rules.get("gender", ""),
        "age_min": rules.get("age_min"),
        "age_max": rules.get("age_max"),
        "industries": rules.get("industries", []),
        "regions": ", ".join(rules.get("regions", [])),
        "outdoor_worker": rules.get("outdoor_worker", False),
        "high_skill": rules.get("high_skill", False),
        "hardship": rules.get("hardship", False),
    }


class ItemForm(StaffForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=ItemCategory.choices)
    provider_kind = forms.ChoiceField(label=_("Provider"), choices=ProviderKind.choices)
    provider_name = forms.CharField(label=_("Provider name"), max_length=200, required=False)
    how_to_use = forms.CharField(
        label=_("How to use"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=_DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=_DATE)
    on_card = forms.BooleanField(label=_("Carried on the member card"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.segment_field()
        _styled(self)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (Decision.APPROVE, _("Approve")),
            (Decision.REJECT, _("Reject")),
            (Decision.RETURN, _("Return for correction")),
        ]
    )
    note = forms.CharField(label=_("Note to the applicant"), max_length=500, required=False)


class SocialOrgForm(StaffForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=30)
    contact = forms.CharField(label=_("Contact"), max_length=100, required=False)


class ProjectForm(StaffForm):
    organisation = forms.ModelChoiceField(queryset=None, label=_("Social organisation"))  # type: ignore[arg-type]
    name = forms.CharField(label=_("Name"), max_length=200)
    contract_amount = forms.DecimalField(
        label=_("Contract amount (yuan)"), max_digits=14, decimal_places=2
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=_DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=_DATE)
    planned_sessions = forms.IntegerField(label=_("Planned sessions"), min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = selectors.social_org_list(user=self.user)  # type: ignore[attr-defined]
        self.segment_field()
        self.fields["segment"].label = _("Target members")
        _styled(self)


class SessionForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=_DATE)
    place = forms.CharField(label=_("Place"), max_length=200, widget=forms.TextInput(attrs=_TEXT))
    participants = forms.IntegerField(
        label=_("Participants"), min_value=0, widget=forms.NumberInput(attrs=_TEXT)
    )


class EvaluationForm(forms.Form):
    score = forms.IntegerField(
        label=_("Score (0–100)"), min_value=0, max_value=100, widget=forms.NumberInput(attrs=_TEXT)
    )
    evaluation = forms.CharField(
        label=_("Evaluation"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        required=False,
    )


class EventForm(StaffForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.segment_field()
        _styled(self)


class ApplicationForm(forms.Form):
    certificate_no = forms.CharField(label=_("Certificate number"), max_length=40)
    level = forms.TypedChoiceField(label=_("Certificate level"), coerce=int)
    occupation_code = forms.ChoiceField(label=_("Occupation"))
    issued_on = forms.DateField(label=_("Issued on"), widget=_DATE)
    scan = forms.FileField(label=_("Scan of the certificate (PDF, JPG or PNG)"), required=False)

    def __init__(self, *args: Any, programme: SubsidyProgramme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Levels 1–5 of the national scheme; the check names a level the programme does not pay.
        self.fields["level"].choices = [
            (n, _("Level %(level)d") % {"level": n}) for n in range(1, 6)
        ]
        self.fields["occupation_code"].choices = [
            (o.code, f"{o.code} {o.name}") for o in programme.occupations.order_by("code")
        ]
        _styled(self)


class CheckinForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code shown at the venue"),
        max_length=8,
        widget=forms.TextInput(attrs=_TEXT),
    )


class ProgrammeForm(StaffForm):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=_DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=_DATE)
    budget = forms.DecimalField(label=_("Budget (yuan)"), max_digits=14, decimal_places=2)
    levels = forms.CharField(
        label=_("Amount by certificate level"),
        help_text=_("level=amount pairs separated by commas, e.g. 1=2000, 2=1000"),
    )
    min_member_months = forms.IntegerField(
        label=_("Minimum months of active membership"), min_value=0, max_value=600, initial=0
    )
    occupations = forms.ModelMultipleChoiceField(
        queryset=Occupation.objects.order_by("code"),
        label=_("Listed occupations"),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 10}),
    )

    def clean_levels(self) -> dict[int, Decimal]:
        levels: dict[int, Decimal] = {}
        for part in self.cleaned_data["levels"].replace("，", ",").split(","):
            if not part.strip():
                continue
            level, sep, amount = part.partition("=")
            try:
                levels[int(level)] = Decimal(amount.strip())
            except (ValueError, ArithmeticError):
                raise forms.ValidationError(
                    _("“%(part)s” is not level=amount.") % {"part": part.strip()}
                ) from None
            if not sep:
                raise forms.ValidationError(
                    _("“%(part)s” is not level=amount.") % {"part": part.strip()}
                )
        if not levels:
            raise forms.ValidationError(_("Give the amount of at least one level."))
        return levels


def programme_initial(programme: SubsidyProgramme) -> dict[str, Any]:
    return {
        "org": programme.org.code,
        "code": programme.code,
        "name": programme.name,
        "starts_on": programme.starts_on,
        "ends_on": programme.ends_on,
        "budget": programme.budget,
        "levels": ", ".join(f"{level}={amount}" for level, amount in programme.levels.items()),
        "min_member_months": programme.min_member_months,
        "occupations": list(programme.occupations.all()),
    }
