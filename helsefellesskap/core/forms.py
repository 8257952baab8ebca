from typing import Any

from django import forms
from django.core import validators
from django.db import models
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _


def formfield(db_field: models.Field, **kwargs):
    """A ModelForm's `formfield_callback`: web addresses without a scheme are https (Django 6's
    default)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class FormRenderer(TemplatesSetting):
    """Renders every form and field with Designsystemet's markup (forms/*.html)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class DesignsystemetBoundField(forms.BoundField):
    @property
    def describedby(self) -> str:
        """The ids of the field's help text and error message, for `aria-describedby`."""
        ids = [f"{self.auto_id}_helptext"] if self.help_text else []
        if self.errors:
            ids.append(f"{self.auto_id}_error")
        return " ".join(ids)


# Every text has a limit, so nobody stores a novel by accident (or on purpose): long texts (a
# deviation's description, a case's background) 20,000 characters, one-line texts 1,000.
LONG_TEXT_LIMIT = 20_000
SHORT_TEXT_LIMIT = 1_000


def _limit(field: forms.Field) -> None:
    if not isinstance(field, forms.CharField) or field.max_length is not None:
        return
    if isinstance(field.widget, forms.HiddenInput):
        return
    limit = LONG_TEXT_LIMIT if isinstance(field.widget, forms.Textarea) else SHORT_TEXT_LIMIT
    field.max_length = limit
    field.validators.append(validators.MaxLengthValidator(limit))
    field.widget.attrs.update(field.widget_attrs(field.widget))


class DesignsystemetMixin:
    """Gives each widget Designsystemet's class, every text a maximum length (with Django's
    Norwegian message), and marks invalid fields for assistive technology."""

    bound_field_class: type[forms.BoundField] | None = DesignsystemetBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            _limit(field)
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            widget.attrs.setdefault("class", "ds-input")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            self.fields[name].widget.attrs["aria-invalid"] = "true"
            self.fields[name].widget.attrs["aria-describedby"] = self[name].describedby


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class OptionalChoiceField(forms.TypedChoiceField):
    """A choice that may be left empty («Ingen»), stored as None."""

    def __init__(self, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(
            choices=[("", _("Ingen")), *choices], required=False, empty_value=None, **kwargs
        )
