from django import forms
from django.db import models
from django.forms.renderers import TemplatesSetting


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


class DesignsystemetMixin:
    """Gives each widget Designsystemet's class and marks invalid fields for assistive
    technology."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            widget.attrs.setdefault("class", "ds-input")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            field_id = self[name].auto_id
            described_by = [f"{field_id}_error"]
            if self.fields[name].help_text:
                described_by.insert(0, f"{field_id}_helptext")
            self.fields[name].widget.attrs["aria-invalid"] = "true"
            self.fields[name].widget.attrs["aria-describedby"] = " ".join(described_by)


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
