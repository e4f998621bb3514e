from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import StyledForm, StyledModelForm
from gonghui.orgs.models import (
    ElectionMethod,
    EmployerStatus,
    FollowUpKind,
    FollowUpOutcome,
    Industry,
    OrgWorkSettings,
    RatingItem,
    SupervisionStatus,
    WorkerKind,
    WorkerStatus,
)


class EmployerFilterForm(StyledForm):
    q = forms.CharField(label=_("Name or USCC"), required=False, max_length=100)
    has_union = forms.NullBooleanField(
        label=_("Union"),
        required=False,
        widget=forms.Select(
            choices=[("", _("All")), ("true", _("With a union")), ("false", _("Without a union"))]
        ),
    )
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=[("", _("All industries")), *Industry.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *EmployerStatus.choices]
    )
    org = forms.CharField(label=_("Union code"), required=False, max_length=32)


class DateInput(forms.DateInput):
    """A browser date picker: its value must be ISO, whatever the language's date format."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class RegisterUploadForm(StyledForm):
    file = forms.FileField(
        label=_("Register file (CSV or XLSX)"),
        help_text=_(
            "Columns: 统一社会信用代码/uscc, 企业名称/name, 登记状态/status, 成立日期/opened_on, "
            "从业人数/employees, 住所/address."
        ),
    )
    as_of = forms.DateField(label=_("Register as of"), required=False, widget=DateInput())


class CandidateDecisionForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("confirm", _("Confirm removal")), ("dismiss", _("Dismiss (keep)"))],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class SupervisionFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *SupervisionStatus.choices]
    )
    org = forms.CharField(label=_("Union code"), required=False, max_length=32)


class FollowUpForm(StyledForm):
    happened_on = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=FollowUpKind.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpOutcome.choices)
    note = forms.CharField(
        label=_("Note or reason"), required=False, max_length=2000, widget=forms.Textarea()
    )


class OrgCodeForm(StyledForm):
    org = forms.CharField(label=_("Union code"), required=False, max_length=32)


class WorkerForm(StyledForm):
    org = forms.CharField(label=_("Union code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=50)
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkerKind.choices)
    post = forms.CharField(label=_("Post"), required=False, max_length=100)
    full_time = forms.BooleanField(label=_("Full-time"), required=False, initial=True)
    status = forms.ChoiceField(label=_("Status"), choices=WorkerStatus.choices)
    funding_share = forms.DecimalField(
        label=_("Funding share (%)"), min_value=0, max_value=100, decimal_places=2, initial=100
    )
    started_on = forms.DateField(label=_("Started on"), required=False, widget=DateInput())


class ElectionForm(StyledForm):
    org = forms.CharField(label=_("Union code"), max_length=32)
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    method = forms.ChoiceField(label=_("Method"), choices=ElectionMethod.choices)
    candidates = forms.IntegerField(label=_("Candidates"), min_value=1)
    voters = forms.IntegerField(label=_("Eligible voters"), min_value=0)
    votes_cast = forms.IntegerField(label=_("Votes cast"), min_value=0)
    votes_for_elected = forms.IntegerField(label=_("Votes for the elected chair"), min_value=0)
    elected_name = forms.CharField(label=_("Elected chair"), max_length=50)
    term_ends_on = forms.DateField(
        label=_("Term ends on"),
        required=False,
        widget=DateInput(),
        help_text=_("Default: five years after the election."),
    )


class RatingForm(StyledForm):
    org = forms.CharField(label=_("Union code"), max_length=32)
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput())
    items = forms.ModelMultipleChoiceField(
        label=_("Requirements met"),
        queryset=RatingItem.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple(),
    )
    sign_displayed = forms.BooleanField(label=_("Union sign displayed"), required=False)
    identity_displayed = forms.BooleanField(label=_("Cadres' identity displayed"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class OrgWorkSettingsForm(StyledModelForm):
    class Meta:
        model = OrgWorkSettings
        fields = [
            "supervision_min_years",
            "supervision_min_employees",
            "supervision_deadline_months",
            "supervision_refusals_to_escalate",
            "staffing_enterprises_for_second",
            "election_term_warning_days",
            "rating_excellent_score",
            "rating_pass_score",
        ]


class RatingItemForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=16)
    title = forms.CharField(label=_("Requirement"), max_length=200)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=1000)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)
