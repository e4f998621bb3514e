from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import EmployerStatus, Industry


class EmployerFilterForm(forms.Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

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
