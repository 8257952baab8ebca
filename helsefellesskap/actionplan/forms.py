from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helsefellesskap.core.concurrency import ConcurrentEditMixin
from helsefellesskap.core.forms import DateInput, DesignsystemetMixin
from helsefellesskap.organisation.models import Body

from .models import ERROR_CODE_TAKEN, FocusArea, Goal, Measure, PriorityGroup, StatusReport
from .selectors import STATUS_LABELS, Filters
from .services import GOAL_FIELDS, MEASURE_FIELDS, MEASURE_PLAIN_FIELDS

ERROR_YEARS = _(
    "Skriv årene som tall, skilt med komma, og eventuelt en merknad i parentes: "
    "«2023, 2024 (oppstart høst)»."
)


class FilterForm(DesignsystemetMixin, forms.Form):
    """The filters above the plan tree, read from the query string."""

    q = forms.CharField(label=_("Søk"), required=False)
    focus_area = forms.ChoiceField(label=_("Innsatsområde"), required=False)
    body = forms.ModelChoiceField(
        label=_("Ansvarlig organ"),
        queryset=Body.objects.none(),
        required=False,
        empty_label=_("Alle"),
    )
    priority_group = forms.ChoiceField(
        label=_("Pasientgruppe"),
        required=False,
        choices=[("", _("Alle")), *PriorityGroup.choices],
    )
    year = forms.TypedChoiceField(label=_("År"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Alle")), *STATUS_LABELS.items()]
    )
    overdue = forms.BooleanField(label=_("Bare forsinkede"), required=False)

    def __init__(self, *args, version, show_status: bool, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["focus_area"]).choices = [("", _("Alle"))] + [
            (a.code, f"{a.code} {a.title}") for a in FocusArea.objects.filter(version=version)
        ]
        cast(forms.ModelChoiceField, self.fields["body"]).queryset = Body.objects.filter(
            measures__version=version
        ).distinct()
        cast(forms.ChoiceField, self.fields["year"]).choices = [("", _("Alle"))] + [
            (y, str(y)) for y in version.plan.years
        ]
        if not show_status:
            del self.fields["status"]
            del self.fields["overdue"]

    def filters(self) -> Filters:
        if not self.is_valid():
            return Filters()
        data = self.cleaned_data
        return Filters(
            focus_area=data.get("focus_area") or "",
            body=data["body"].pk if data.get("body") else None,
            priority_group=data.get("priority_group") or "",
            year=data.get("year"),
            status=data.get("status") or "",
            overdue=bool(data.get("overdue")),
            query=data.get("q") or "",
        )


class StatusReportForm(DesignsystemetMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=StatusReport.Status.choices)
    text = forms.CharField(
        label=_("Kort om status"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hva er gjort, og hva er neste steg? Ingen pasientopplysninger."),
    )
    reported_on = forms.DateField(label=_("Dato"), widget=DateInput())
    body = forms.ModelChoiceField(
        label=_("På vegne av"), queryset=Body.objects.none(), required=False
    )

    def __init__(self, *args, bodies, body_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reported_on"].initial = timezone.localdate()
        cast(forms.ModelChoiceField, self.fields["body"]).queryset = bodies
        self.fields["body"].required = body_required
        if bodies.count() == 1:
            self.fields["body"].initial = bodies.first()


def parse_years(text: str) -> dict[int, str]:
    """«2022, 2023 (oppstart høst)» → {2022: "", 2023: "oppstart høst"}."""
    years: dict[int, str] = {}
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        number, _sep, note = part.partition("(")
        number = number.strip()
        if not (number.isdigit() and 1990 <= int(number) <= 2100):
            raise forms.ValidationError(ERROR_YEARS)
        years[int(number)] = note.rstrip(")").strip()
    return years


def format_years(measure: Measure) -> str:
    return measure.years_display


class CodeInVersionMixin:
    """The code is checked on its own field, where the user typed it."""

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = type(self.instance).objects.filter(version=self.instance.version, code=code)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(ERROR_CODE_TAKEN)
        return code


class MeasureForm(ConcurrentEditMixin, CodeInVersionMixin, DesignsystemetMixin, forms.ModelForm):
    responsible = forms.ModelMultipleChoiceField(
        label=_("Ansvarlige organer"),
        queryset=Body.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    years = forms.CharField(label=_("År"), required=False, help_text=ERROR_YEARS)
    priority_groups = forms.MultipleChoiceField(
        label=_("Prioriterte pasientgrupper"),
        choices=PriorityGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    references = forms.CharField(
        label=_("Henvisninger"),
        required=False,
        help_text=_("Numre på andre tiltak eller mål i planen, skilt med komma."),
    )

    class Meta:
        model = Measure
        fields = MEASURE_PLAIN_FIELDS
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.instance.version = version
        self.fields["goal"].queryset = Goal.objects.filter(version=version).order_by("order")
        self.fields["goal"].label_from_instance = lambda g: f"{g.code} {g.title[:90]}"
        self.fields["responsible"].queryset = Body.objects.filter(community=version.plan.community)
        if self.instance.pk:
            self.initial.update(
                responsible=list(self.instance.responsible_bodies.all()),
                years=format_years(self.instance),
                priority_groups=self.instance.priority_groups,
                references=", ".join(self.instance.references),
            )

    def clean_years(self):
        return parse_years(self.cleaned_data["years"])

    def clean_references(self):
        refs = [r.strip() for r in self.cleaned_data["references"].split(",") if r.strip()]
        known = (
            set(self.version.measures.values_list("code", flat=True))
            | set(self.version.goals.values_list("code", flat=True))
            | {self.data.get(self.add_prefix("code"), "").strip()}
        )
        unknown = [r for r in refs if r not in known]
        if unknown:
            raise forms.ValidationError(
                _("Finnes ikke i planen: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return refs

    def service_values(self) -> dict:
        """The keyword arguments of `services.measure_save`."""
        data = self.cleaned_data
        return {
            **{name: data[name] for name in MEASURE_FIELDS},
            "priority_groups": list(data["priority_groups"]),
            "responsible": list(data["responsible"]),
            "years": data["years"],
        }


class DecisionForm(DesignsystemetMixin, forms.Form):
    """Record ASU's recommendation or PSU's adoption of a version."""

    body = forms.ModelChoiceField(label=_("Organ"), queryset=Body.objects.none())
    on = forms.DateField(label=_("Dato"), widget=DateInput())
    note = forms.CharField(label=_("Merknad (f.eks. saksnummer)"), required=False)

    def __init__(self, *args, community, kind, **kwargs):
        super().__init__(*args, **kwargs)
        bodies = Body.objects.filter(community=community, kind=kind)
        self.fields["body"].queryset = bodies
        self.fields["body"].initial = bodies.first()
        self.fields["on"].initial = timezone.localdate()


class ImportForm(DesignsystemetMixin, forms.Form):
    file = forms.FileField(
        label=_("Fil"), help_text=_("Regneark (.xlsx) etter malen, eller JSON i importformatet.")
    )


class GoalForm(ConcurrentEditMixin, CodeInVersionMixin, DesignsystemetMixin, forms.ModelForm):
    class Meta:
        model = Goal
        fields = GOAL_FIELDS
        widgets = {"title": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.version = version
        self.fields["focus_area"].queryset = FocusArea.objects.filter(version=version)
