from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.insights.models import AssessmentTarget


class _Styled:
    def style(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            field.widget.attrs.setdefault("class", "form-control")


class SchemeForm(_Styled, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quantity_weight = forms.IntegerField(
        label=_("Quantity weight (%)"), min_value=0, max_value=100, initial=60
    )
    cap_percent = forms.IntegerField(
        label=_("Cap on an indicator's score (%)"), min_value=100, max_value=200, initial=120
    )
    quality_items = forms.CharField(
        label=_("Quality items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: name, then optionally a comma and its weight (default 1)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def clean_quality_items(self) -> list[tuple[str, int]]:
        items: list[tuple[str, int]] = []
        for number, line in enumerate(self.cleaned_data["quality_items"].splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, weight = line.replace("，", ",").partition(",")
            try:
                value = int(weight.strip() or 1)
            except ValueError:
                value = 0
            if not name.strip() or not 1 <= value <= 100:
                raise forms.ValidationError(
                    _("Line %(line)d: give a name and a weight from 1 to 100."),
                    params={"line": number},
                )
            items.append((name.strip()[:100], value))
        return items


class TargetForm(_Styled, forms.ModelForm):
    class Meta:
        model = AssessmentTarget
        fields = ["new_unions", "new_members", "coverage"]

    def __init__(self, *args, items=(), scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"quality_{item.pk}"] = forms.DecimalField(
                label=item.name,
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                required=False,
                initial=(scores or {}).get(item.pk),
            )
        self.style()

    def quality_scores(self):
        return {
            item.pk: self.cleaned_data[f"quality_{item.pk}"]
            for item in self.items
            if self.cleaned_data.get(f"quality_{item.pk}") is not None
        }
