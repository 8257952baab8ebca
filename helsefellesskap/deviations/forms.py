from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helsefellesskap.actionplan.selectors import current_measure_choices
from helsefellesskap.core.concurrency import ConcurrentEditMixin
from helsefellesskap.core.forms import (
    DateInput,
    DateTimeInput,
    DesignsystemetMixin,
    OptionalChoiceField,
)
from helsefellesskap.organisation.models import Community, Party, Person, Unit

from .models import Category, Deviation, DeviationSettings, Handler, Theme
from .selectors import OPEN, OVERDUE

ERROR_FUTURE = _("Datoen kan ikke være fram i tid.")
ERROR_HER = _("HER-id er et tall med opptil ni sifre.")
CONFIRM_LABEL = _(
    "Jeg har sjekket teksten: den inneholder ikke navn på pasienter, pårørende eller andre."
)


def _choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's field `name`, a choice of rows, for narrowing its queryset."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class ReportForm(DesignsystemetMixin, forms.ModelForm):
    """The report, in the order a health worker thinks of it; short labels, plain words."""

    confirm_names = forms.BooleanField(label=CONFIRM_LABEL, required=False)

    class Meta:
        model = Deviation
        fields = [
            "concerned_party",
            "concerned_unit",
            "category",
            "kind",
            "occurred_on",
            "description",
            "consequence_physical",
            "consequence_psychological",
            "immediate_action",
            "improvement_proposal",
            "message_type",
            "message_sent_at",
            "sender_her",
            "receiver_her",
        ]
        labels = {
            "concerned_party": _("Hvem gjelder avviket?"),
            "concerned_unit": _("Avdeling eller tjeneste, hvis du vet det"),
            "category": _("Hva gjelder det?"),
            "kind": _("Type"),
            "occurred_on": _("Når skjedde det?"),
            "description": _("Hva skjedde?"),
            "consequence_physical": _("Konsekvens for pasienten – fysisk"),
            "consequence_psychological": _("Konsekvens for pasienten – psykisk"),
            "immediate_action": _("Hva ble gjort straks?"),
            "improvement_proposal": _("Forslag til forbedring"),
            "message_type": _("Gjelder det en elektronisk melding?"),
            "message_sent_at": _("Når ble meldingen sendt?"),
            "sender_her": _("Avsenders HER-id"),
            "receiver_her": _("Mottakers HER-id"),
        }
        help_texts = {
            "description": _(
                "Beskriv hendelsen uten navn, fødselsnummer, telefonnummer eller e-post. "
                "Skriv «pasienten» og bruk dato og HER-id for å vise hvilken sak det gjelder."
            ),
            "sender_her": _("HER-id fra Adresseregisteret viser hvilken melding det gjelder."),
        }
        widgets = {
            "occurred_on": DateInput(),
            "message_sent_at": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
            "immediate_action": forms.Textarea(attrs={"rows": 2}),
            "improvement_proposal": forms.Textarea(attrs={"rows": 2}),
            "kind": forms.RadioSelect,
            "consequence_physical": forms.RadioSelect,
            "consequence_psychological": forms.RadioSelect,
        }

    def __init__(
        self,
        *args,
        community: Community,
        own_party_id: int | None = None,
        show_confirm: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        parties = Party.objects.filter(community=community).order_by("kind", "name")
        if own_party_id:
            parties = parties.exclude(pk=own_party_id)
        _choice_field(self, "concerned_party").queryset = parties
        units = Unit.objects.filter(community=community, is_active=True).select_related("party")
        _choice_field(self, "concerned_unit").queryset = (
            units.exclude(party_id=own_party_id) if own_party_id else units
        )
        _choice_field(self, "category").queryset = Category.objects.filter(
            community=community, is_active=True
        )
        self.fields["occurred_on"].initial = timezone.localdate()
        cast(
            forms.ChoiceField, self.fields["kind"]
        ).choices = Deviation.Kind.choices  # no empty radio button
        self.fields["kind"].initial = Deviation.Kind.PATIENT
        self.fields["message_type"].required = False
        if not show_confirm:
            del self.fields["confirm_names"]

    def _get_validation_exclusions(self):
        # The report's texts are left to `services.deviation_report`: its guard lists every
        # finding above the form and asks about likely names, and then the row's own validation
        # runs the same guard again. Refusing them here would skip that summary.
        return super()._get_validation_exclusions() | set(Deviation.guarded_fields)

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(ERROR_FUTURE)
        return day

    def _her(self, name):
        value = self.cleaned_data[name].strip()
        if value and not (value.isdigit() and len(value) <= 9):
            raise forms.ValidationError(ERROR_HER)
        return value

    def clean_sender_her(self):
        return self._her("sender_her")

    def clean_receiver_her(self):
        return self._her("receiver_her")

    def clean(self):
        cleaned = super().clean()
        unit, party = cleaned.get("concerned_unit"), cleaned.get("concerned_party")
        if unit and party and unit.party_id != party.pk:
            self.add_error("concerned_unit", _("Enheten hører ikke til parten du valgte."))
        return cleaned


class ActionForm(DesignsystemetMixin, forms.Form):
    text = forms.CharField(
        label=_("Tekst"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    measures_taken = forms.CharField(
        label=_("Tiltak som er satt i verk"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    to_party = forms.ModelChoiceField(
        label=_("Videresend til part"), required=False, queryset=Party.objects.none()
    )
    to_unit = forms.ModelChoiceField(
        label=_("eller til enhet"), required=False, queryset=Unit.objects.none()
    )
    confirm_names = forms.BooleanField(label=CONFIRM_LABEL, required=False)
    # The state the user saw: a workflow action on a case that has moved on since is outdated.
    seen_state = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        _choice_field(self, "to_party").queryset = Party.objects.filter(community=community)
        _choice_field(self, "to_unit").queryset = Unit.objects.filter(
            community=community
        ).select_related("party")


class ThemeForm(ConcurrentEditMixin, DesignsystemetMixin, forms.ModelForm):
    confirm_names = forms.BooleanField(label=CONFIRM_LABEL, required=False)

    class Meta:
        model = Theme
        fields = ["title", "description", "status", "measure_lineage", "follow_up"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure_lineage"] = OptionalChoiceField(
            current_measure_choices(community), label=_("Knyttet til tiltak i handlingsplanen")
        )
        if self.instance.measure_lineage:
            self.initial["measure_lineage"] = str(self.instance.measure_lineage)


class ListFilterForm(DesignsystemetMixin, forms.Form):
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Alle")),
            (OPEN, _("Åpne")),
            (OVERDUE, _("Over fristen")),
            *Deviation.State.choices,
        ],
    )
    category = forms.ModelChoiceField(
        label=_("Kategori"), required=False, queryset=Category.objects.none(), empty_label=_("Alle")
    )
    party = forms.ModelChoiceField(
        label=_("Part"), required=False, queryset=Party.objects.none(), empty_label=_("Alle")
    )

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        _choice_field(self, "category").queryset = Category.objects.filter(community=community)
        _choice_field(self, "party").queryset = Party.objects.filter(community=community)


class SettingsForm(ConcurrentEditMixin, DesignsystemetMixin, forms.ModelForm):
    class Meta:
        model = DeviationSettings
        fields = ["deadline_days", "reminder_days"]


class CategoryForm(ConcurrentEditMixin, DesignsystemetMixin, forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "description", "agreement_clause", "deadline_days", "order", "is_active"]

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community


class HandlerForm(DesignsystemetMixin, forms.ModelForm):
    class Meta:
        model = Handler
        fields = ["person", "party", "unit", "is_gp_liaison"]
        labels = {
            "person": _("Person"),
            "party": _("Behandler avvik for part"),
            "unit": _("Bare for enheten (valgfritt)"),
        }

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        _choice_field(self, "person").queryset = Person.objects.filter(community=community)
        _choice_field(self, "party").queryset = Party.objects.filter(community=community)
        _choice_field(self, "unit").queryset = Unit.objects.filter(
            community=community
        ).select_related("party")

    def clean(self):
        cleaned = super().clean()
        unit, party = cleaned.get("unit"), cleaned.get("party")
        if unit and party and unit.party_id != party.pk:
            self.add_error("unit", _("Enheten hører ikke til parten du valgte."))
        return cleaned
