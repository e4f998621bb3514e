from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import StyledForm
from gonghui.orgs.models import EmployerStatus, Industry


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
