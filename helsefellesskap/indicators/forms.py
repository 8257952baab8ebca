"""Forms of steering information. Each helper's forms sit in their own section."""

from pathlib import Path
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helsefellesskap.actionplan.models import PriorityGroup
from helsefellesskap.core.concurrency import ConcurrentEditMixin
from helsefellesskap.core.forms import DesignsystemetMixin
from helsefellesskap.organisation.models import Community

from .models import DataLoad, Indicator

# --- Loads (the load helper's section) -----------------------------------------------------------

TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".json")
EVENT_SUFFIXES = (".parquet", ".csv")
MAX_TABLE_MB = 20  # a table is read into memory; a national one is a few megabytes


class _IndicatorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        label = f"{obj.code}: {obj.name}"
        return f"{label} ({_('nasjonal')})" if obj.community_id is None else label


class LoadForm(DesignsystemetMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Hva slags fil?"),
        widget=forms.RadioSelect,
        choices=[
            (DataLoad.Kind.AGGREGATE, _("Tabell med tellere og nevnere")),
            (DataLoad.Kind.POPULATION, _("Befolkning per kommune, år, kjønn og alder")),
            (DataLoad.Kind.EVENTS, _("Sykehusopphold (pseudonymisert)")),
        ],
        initial=DataLoad.Kind.AGGREGATE,
        help_text=_(
            "Tabeller sjekkes rad for rad, og du ser hva som blir nytt og endret før noe lagres. "
            "Sykehusopphold regnes om til indikatortall med en gang, og filen slettes etterpå."
        ),
    )
    file = forms.FileField(
        label=_("Fil"),
        help_text=_(
            "Tabeller: CSV (semikolon, komma eller tabulator; UTF-8 eller Windows-1252), "
            "regneark (.xlsx, første ark) eller JSON-stat 2.0, høyst 20 MB. "
            "Sykehusopphold: Parquet eller CSV. Kolonnene står under skjemaet."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(sorted({*TABLE_SUFFIXES, *EVENT_SUFFIXES}))}
        ),
    )
    indicator = _IndicatorChoice(
        label=_("Indikator (bare for tabeller fra statistikkbankene)"),
        queryset=Indicator.objects.none(),
        required=False,
        empty_label=_("Står i filen"),
        help_text=_(
            "En tabell lastet ned fra SSB eller FHI har ingen kolonne med indikatorkode: velg "
            "her hvilken indikator den gjelder."
        ),
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicator"]
        assert isinstance(field, forms.ModelChoiceField)
        # A national definition the community has copied is loaded onto the copy: offer that.
        own = Indicator.objects.filter(community=community)
        field.queryset = (
            Indicator.objects.filter(Q(community__isnull=True) | Q(community=community))
            .exclude(Q(community__isnull=True) & Q(code__in=own.values("code")))
            .order_by("code")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, kind = data.get("file"), data.get("kind")
        if upload is None or kind is None:
            return data
        suffix = Path(upload.name or "").suffix.lower()
        if kind == DataLoad.Kind.EVENTS:
            if suffix not in EVENT_SUFFIXES:
                self.add_error("file", _("Sykehusopphold lastes opp som Parquet eller CSV."))
            if data.get("indicator"):
                self.add_error(
                    "indicator", _("Sykehusopphold gir alle indikatorene som beregnes: velg ingen.")
                )
            return data
        if suffix not in TABLE_SUFFIXES:
            self.add_error("file", _("Tabeller lastes opp som CSV, regneark (.xlsx) eller JSON."))
        elif (upload.size or 0) > MAX_TABLE_MB * 1024 * 1024:
            self.add_error(
                "file", _("Filen er større enn %(mb)s MB. Del den opp.") % {"mb": MAX_TABLE_MB}
            )
        if kind == DataLoad.Kind.POPULATION and data.get("indicator"):
            self.add_error("indicator", _("Befolkningstall hører ikke til en indikator."))
        return data


# --- Definitions (indicator_*) and the dashboard's filters ---------------------------------------

# The age splits offered: the five bands and the unions the national figures use.
AGE_SPLIT_CHOICES = [
    ("0-17", _("0–17 år")),
    ("18-49", _("18–49 år")),
    ("50-69", _("50–69 år")),
    ("70-79", _("70–79 år")),
    ("80+", _("80 år og eldre")),
    ("0-69", _("0–69 år")),
    ("70+", _("70 år og eldre")),
    ("0-79", _("0–79 år")),
    ("18+", _("18 år og eldre")),
    ("50+", _("50 år og eldre")),
]
NOT_IN_PLAN = _("%(value)s (ikke i gjeldende handlingsplan)")


class IndicatorForm(ConcurrentEditMixin, DesignsystemetMixin, forms.ModelForm):
    priority_groups = forms.MultipleChoiceField(
        label=_("Prioriterte pasientgrupper"),
        choices=PriorityGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    age_splits = forms.MultipleChoiceField(
        label=_("Aldersgrupper som vises"),
        choices=AGE_SPLIT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Ingen valgt: bare alle aldre samlet. Velg grupper som til sammen dekker alle "
            "aldre, for eksempel 0–69 og 70+."
        ),
    )
    measure_lineages = forms.MultipleChoiceField(
        label=_("Mål og tiltak i handlingsplanen"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Hvilke mål og tiltak skal flytte dette tallet? Tiltakene viser indikatorens siste "
            "verdi."
        ),
    )

    class Meta:
        model = Indicator
        fields = [
            "name",
            "code",
            "description",
            "numerator_text",
            "denominator_text",
            "is_proportion",
            "factor",
            "unit",
            "direction",
            "standardised",
            "age_splits",
            "by_sex",
            "priority_groups",
            "source",
            "frequency",
            "computation",
            "suppress_below",
            "share_small_numbers",
            "is_published",
            "measure_lineages",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "numerator_text": forms.Textarea(attrs={"rows": 2}),
            "denominator_text": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "code": _(
                "Små bokstaver, tall og bindestrek. Brukes i adressen og i filer som lastes inn."
            ),
        }

    def __init__(
        self, *args: Any, community: Community, link_choices: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instance.community = community
        field: Any = self.fields["measure_lineages"]
        known = {value for value, _label in link_choices}
        older = [
            (value, NOT_IN_PLAN % {"value": value})
            for value in self.instance.measure_lineages or []
            if value not in known
        ]
        field.choices = [*link_choices, *older]
        splits: Any = self.fields["age_splits"]
        offered = {value for value, _label in AGE_SPLIT_CHOICES}
        splits.choices = AGE_SPLIT_CHOICES + [
            (s, s) for s in self.instance.age_splits or [] if s not in offered
        ]


class FilterForm(DesignsystemetMixin, forms.Form):
    """The indicator page's filters, sent with GET. The page has chosen already (unknown choices
    fall back to all, and to the latest period); the form shows what it chose."""

    # Every filter has a value («all» included), so none is marked optional; the browser is not
    # asked to require anything either.
    use_required_attribute = False

    periode = forms.ChoiceField(label=_("Periode"))
    region = forms.ChoiceField(label=_("Region"))
    alder = forms.ChoiceField(label=_("Aldersgruppe"))
    kjonn = forms.ChoiceField(label=_("Kjønn"))
    gruppe = forms.ChoiceField(label=_("Prioritert pasientgruppe"))

    def __init__(
        self,
        *,
        periods: list[str],
        regions: list[tuple[str, str]],
        ages: list[tuple[str, str]],
        sexes: list[tuple[str, str]] | None,
        groups: list[tuple[str, str]],
        chosen: dict[str, str],
    ) -> None:
        super().__init__(initial=chosen)
        choices = {
            "periode": [(p, p) for p in reversed(periods)],
            "region": [("", _("Alle regioner")), *regions],
            "alder": ages,
            "kjonn": sexes or [],
            "gruppe": [("", _("Alle pasienter")), *groups],
        }
        for name, options in choices.items():
            field: Any = self.fields[name]
            field.choices = options
        if not periods:
            del self.fields["periode"]
        if not regions:
            del self.fields["region"]
        if len(ages) < 2:
            del self.fields["alder"]
        if not sexes:
            del self.fields["kjonn"]
        if not groups:
            del self.fields["gruppe"]
