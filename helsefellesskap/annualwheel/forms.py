import datetime
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helsefellesskap.core.concurrency import ConcurrentEditMixin
from helsefellesskap.core.forms import DateInput, DesignsystemetMixin, TimeInput
from helsefellesskap.organisation.models import Body, Community

from .models import Kind, RecurrenceRule, Weekday, WheelEvent
from .services import local_datetime

ERROR_TIMES_REQUIRED = _(
    "Fyll inn når hendelsen starter og slutter, eller kryss av for hele dagen."
)
ERROR_END_BEFORE_START = _("Hendelsen kan ikke slutte før den begynner.")


class RuleForm(ConcurrentEditMixin, DesignsystemetMixin, forms.ModelForm):
    class Meta:
        model = RecurrenceRule
        fields = [
            "title",
            "kind",
            "body",
            "interval_weeks",
            "first_date",
            "end_date",
            "weekday",
            "start_time",
            "duration_minutes",
            "location",
            "is_public",
        ]
        widgets = {
            "first_date": DateInput(),
            "end_date": DateInput(),
            "start_time": TimeInput(),
        }

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.community = community
        body = cast(forms.ModelChoiceField, self.fields["body"])
        body.queryset = Body.objects.filter(community=community)
        body.empty_label = _("Ingen (hele helsefellesskapet)")
        weekday = cast(forms.ChoiceField, self.fields["weekday"])
        weekday.choices = [("", _("Samme som første dato")), *Weekday.choices]
        if not self.instance.pk:
            self.fields["first_date"].initial = timezone.localdate()


class EventForm(ConcurrentEditMixin, DesignsystemetMixin, forms.Form):
    """One event. The date and times are entered separately and become `starts_at` and
    `ends_at` (Europe/Oslo) in `cleaned_data`."""

    title = forms.CharField(label=_("Tittel"), max_length=200)
    kind = forms.ChoiceField(label=_("Type hendelse"), choices=Kind.choices, initial=Kind.OTHER)
    body = forms.ModelChoiceField(
        label=_("Organ"),
        queryset=Body.objects.none(),
        required=False,
        empty_label=_("Ingen (hele helsefellesskapet)"),
    )
    date = forms.DateField(label=_("Dato"), widget=DateInput())
    all_day = forms.BooleanField(label=_("Hele dagen"), required=False)
    start_time = forms.TimeField(label=_("Starter kl."), required=False, widget=TimeInput())
    end_time = forms.TimeField(label=_("Slutter kl."), required=False, widget=TimeInput())
    end_date = forms.DateField(
        label=_("Siste dag"),
        required=False,
        widget=DateInput(),
        help_text=_("Bare for hendelser som går over flere dager."),
    )
    location = forms.CharField(label=_("Sted"), max_length=200, required=False)
    description = forms.CharField(label=_("Beskrivelse"), required=False, widget=forms.Textarea)
    is_public = forms.BooleanField(
        label=_("Offentlig"),
        required=False,
        initial=True,
        help_text=_("Vises på de offentlige sidene og i den offentlige kalenderen."),
    )

    def __init__(self, *args, community: Community, event: WheelEvent | None = None, **kwargs):
        if event is not None and event.pk and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(event)
        if event is not None and event.pk:
            kwargs.update(edits=[event], read=lambda: self.initial_from(event))
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["body"]).queryset = Body.objects.filter(
            community=community
        )

    @staticmethod
    def initial_from(event: WheelEvent) -> dict:
        start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
        return {
            "title": event.title,
            "kind": event.kind,
            "body": event.body_id,
            "date": start.date(),
            "all_day": event.all_day,
            "start_time": None if event.all_day else start.time(),
            "end_time": None if event.all_day else end.time(),
            "end_date": end.date() if end.date() != start.date() else None,
            "location": event.location,
            "description": event.description,
            "is_public": event.is_public,
        }

    def clean(self):
        data = super().clean()
        day, end_day = data.get("date"), data.get("end_date")
        if day is None:
            return data
        end_day = end_day or day
        if data.get("all_day"):
            data["starts_at"] = local_datetime(day, datetime.time.min)
            data["ends_at"] = local_datetime(end_day, datetime.time.min)
            if end_day < day:
                self.add_error("end_date", ERROR_END_BEFORE_START)
            return data
        start_time, end_time = data.get("start_time"), data.get("end_time")
        if start_time is None or end_time is None:
            for name in ("start_time", "end_time"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, ERROR_TIMES_REQUIRED)
            return data
        data["starts_at"] = local_datetime(day, start_time)
        data["ends_at"] = local_datetime(end_day, end_time)
        if data["ends_at"] <= data["starts_at"]:
            self.add_error("end_time", ERROR_END_BEFORE_START)
        return data

    def values(self) -> dict:
        """What the service takes."""
        data = self.cleaned_data
        names = ["kind", "title", "body", "starts_at", "ends_at", "all_day"]
        names += ["location", "description", "is_public"]
        return {name: data[name] for name in names}


class GenerateForm(DesignsystemetMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("År"), coerce=int)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["year"]).choices = [(y, str(y)) for y in years]


class FilterForm(DesignsystemetMixin, forms.Form):
    """The filters of the list view, read from the query string (?ar=&type=&organ=)."""

    ar = forms.TypedChoiceField(label=_("År"), coerce=int)
    type = forms.ChoiceField(
        label=_("Type hendelse"), required=False, choices=[("", _("Alle")), *Kind.choices]
    )
    organ = forms.ChoiceField(label=_("Organ"), required=False)

    def __init__(self, *args: Any, years: list[int], bodies: Iterable[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["ar"]).choices = [(y, str(y)) for y in years]
        cast(forms.ChoiceField, self.fields["organ"]).choices = [("", _("Alle"))] + [
            (body.slug, str(body)) for body in bodies
        ]
