"""The base forms of the back office and the portal: Tabler classes on every widget, so
templates can render fields plainly."""

from typing import Any

from django import forms


class _Styled:
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class StyledForm(_Styled, forms.Form):
    pass


class StyledModelForm(_Styled, forms.ModelForm):  # type: ignore[type-arg]
    pass
