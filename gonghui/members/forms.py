from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import StyledForm
from gonghui.members.models import MemberStatus


class MemberFilterForm(StyledForm):
    q = forms.CharField(label=_("ID number, phone, name or pinyin"), required=False, max_length=50)
    employer = forms.CharField(label=_("Employer (name or USCC)"), required=False, max_length=100)
    org = forms.CharField(label=_("Union code"), required=False, max_length=32)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *MemberStatus.choices]
    )
    joined_from = forms.DateField(
        label=_("Joined from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    joined_to = forms.DateField(
        label=_("Joined until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", "id_number"), ("phone", "phone")])
    reason = forms.CharField(label=_("Reason"), max_length=500, min_length=2)


class UnmaskedExportForm(StyledForm):
    reason = forms.CharField(label=_("Reason for an unmasked export"), max_length=500, min_length=2)
    format = forms.ChoiceField(label=_("Format"), choices=[("xlsx", "XLSX"), ("csv", "CSV")])


class MemberImportForm(StyledForm):
    file = forms.FileField(label=_("Member file (CSV or XLSX)"))
