from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.legal.models import (
    AidCaseType,
    AidOutcome,
    ClaimType,
    ConsultationChannel,
    DisputeOutcome,
    DisputeType,
    ResolutionPath,
    RightsSubtype,
    StepOutcome,
    Topic,
)

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
AREA = {"class": "form-control", "rows": 4}
DATE = {"class": "form-control", "type": "date"}


def _blank(choices: list[tuple[str, str]], label: str = "–") -> list[tuple[str, str]]:
    return [("", label), *choices]


class ConsultationForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[c for c in ConsultationChannel.choices if c[0] != "portal"],
        widget=forms.Select(attrs=SELECT),
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices, widget=forms.Select(SELECT))
    name = forms.CharField(label=_("Worker's name"), max_length=50, widget=forms.TextInput(TEXT))
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=20, required=False, widget=forms.TextInput(TEXT)
    )
    employer = forms.CharField(
        label=_("Employer"), max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    question = forms.CharField(label=_("Question"), max_length=5000, widget=forms.Textarea(AREA))
    answer = forms.CharField(
        label=_("Answer"), max_length=5000, required=False, widget=forms.Textarea(AREA)
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=0,
        max_value=1440,
        required=False,
        widget=forms.NumberInput(TEXT),
    )


class AidForm(forms.Form):
    name = forms.CharField(label=_("Applicant"), max_length=50, widget=forms.TextInput(TEXT))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, widget=forms.TextInput(TEXT))
    id_number = forms.CharField(
        label=_("Resident ID number"), max_length=30, required=False, widget=forms.TextInput(TEXT)
    )
    employer = forms.CharField(
        label=_("Employer"), max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    case_type = forms.ChoiceField(
        label=_("Case type"), choices=AidCaseType.choices, widget=forms.Select(SELECT)
    )
    hardship = forms.BooleanField(label=_("Financial hardship"), required=False)
    hardship_note = forms.CharField(
        label=_("Hardship evidence"), max_length=500, required=False, widget=forms.TextInput(TEXT)
    )
    amount_claimed = forms.CharField(
        label=_("Amount claimed (yuan)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(TEXT),
    )
    summary = forms.CharField(label=_("Summary"), max_length=5000, widget=forms.Textarea(AREA))


class DisputeForm(forms.Form):
    dispute_type = forms.ChoiceField(
        label=_("Dispute type"), choices=DisputeType.choices, widget=forms.Select(SELECT)
    )
    rights_subtype = forms.ChoiceField(
        label=_("Rights subtype"),
        choices=_blank(RightsSubtype.choices, str(_("– (interest dispute)"))),
        required=False,
        widget=forms.Select(SELECT),
    )
    employer_uscc = forms.CharField(
        label=_("Employer's credit code"),
        max_length=30,
        required=False,
        widget=forms.TextInput(TEXT),
    )
    employer_name = forms.CharField(
        label=_("Employer"), max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    workers_involved = forms.IntegerField(
        label=_("Workers involved"), min_value=1, initial=1, widget=forms.NumberInput(TEXT)
    )
    workers = forms.CharField(
        label=_("Workers (one per line: name, mobile phone)"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(AREA),
    )
    claims = forms.CharField(
        label=_("Claims (one per line: type, amount)"),
        help_text=_("Types: %(types)s") % {"types": ", ".join(ClaimType.values)},
        max_length=5000,
        required=False,
        widget=forms.Textarea(AREA),
    )
    knew_on = forms.DateField(
        label=_("Worker knew of the infringement on"), required=False, widget=forms.DateInput(DATE)
    )
    summary = forms.CharField(label=_("Summary"), max_length=5000, widget=forms.Textarea(AREA))

    def parsed_workers(self) -> list[dict[str, str]]:
        rows = []
        for line in self.cleaned_data.get("workers", "").splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if parts and parts[0]:
                rows.append({"name": parts[0], "phone": parts[1] if len(parts) > 1 else ""})
        return rows

    def parsed_claims(self) -> list[dict[str, str]]:
        rows = []
        for line in self.cleaned_data.get("claims", "").splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if parts and parts[0]:
                rows.append({"type": parts[0], "amount": parts[1] if len(parts) > 1 else "0"})
        return rows


class StepForm(forms.Form):
    path = forms.ChoiceField(label=_("Path"), choices=ResolutionPath.choices)
    on = forms.DateField(label=_("Date"))
    who = forms.CharField(label=_("Who"), max_length=100, required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=StepOutcome.choices)
    note = forms.CharField(label=_("Note"), max_length=5000, required=False)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=DisputeOutcome.choices)
    amount_agreed = forms.CharField(label=_("Amount agreed"), max_length=20, required=False)
    amount_recovered = forms.CharField(label=_("Amount recovered"), max_length=20, required=False)
    performed = forms.ChoiceField(
        label=_("Agreement performed"),
        choices=[("", "–"), ("yes", _("yes")), ("no", _("no"))],
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=5000, required=False)


class AidCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=AidOutcome.choices)
    amount_recovered = forms.CharField(label=_("Amount recovered"), max_length=20, required=False)
    note = forms.CharField(label=_("Note"), max_length=5000, required=False)


class DatesForm(forms.Form):
    knew_on = forms.DateField(required=False)
    mediation_applied_on = forms.DateField(required=False)
    arbitration_accepted_on = forms.DateField(required=False)
    award_extended = forms.BooleanField(required=False)


class PortalRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I ask for"),
        choices=[("consultation", _("Legal consultation")), ("legal_aid", _("Legal aid"))],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Your name"), max_length=50, widget=forms.TextInput(TEXT))
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput({**TEXT, "type": "tel", "autocomplete": "tel"}),
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices, widget=forms.Select(SELECT))
    employer = forms.CharField(
        label=_("Employer"), max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    hardship = forms.BooleanField(
        label=_("I am in financial hardship (for legal aid)"), required=False
    )
    question = forms.CharField(
        label=_("Your question or situation"), max_length=5000, widget=forms.Textarea(AREA)
    )


class PortalFollowForm(forms.Form):
    code = forms.CharField(
        label=_("Lookup code"),
        max_length=24,
        widget=forms.TextInput({**TEXT, "autocomplete": "off"}),
    )
    last4 = forms.CharField(
        label=_("Last 4 digits of your phone"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput({**TEXT, "inputmode": "numeric", "autocomplete": "off"}),
    )
