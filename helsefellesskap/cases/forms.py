from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helsefellesskap.actionplan.selectors import current_measure_choices
from helsefellesskap.core.concurrency import ConcurrentEditMixin
from helsefellesskap.core.forms import (
    DateInput,
    DateTimeInput,
    DesignsystemetMixin,
    OptionalChoiceField,
    formfield,
)
from helsefellesskap.organisation.models import Body, Community, Membership, Party, Person

from .models import Case, CasePaper, FollowUp, Meeting, Ratification, Treatment
from .services import ERROR_MEETING_TIMES


def _choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's field `name`, a choice of rows, for narrowing its queryset."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class BodiesField(forms.ModelMultipleChoiceField):
    """Bodies by their full name, as checkboxes."""

    def label_from_instance(self, obj: Body) -> str:
        return obj.name


class TreatmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Treatment) -> str:
        return f"{obj.case} ({obj.body})"


class CaseForm(ConcurrentEditMixin, DesignsystemetMixin, forms.ModelForm):
    class Meta:
        model = Case
        fields = [
            "title",
            "public_title",
            "type",
            "decision_kind",
            "description",
            "raised_by_body",
            "raised_by_party",
            "raised_by_text",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        _choice_field(self, "raised_by_body").queryset = Body.objects.filter(community=community)
        _choice_field(self, "raised_by_party").queryset = Party.objects.filter(community=community)


class RouteForm(DesignsystemetMixin, forms.Form):
    bodies = BodiesField(
        label=_("Behandles av (i rekkefølge)"),
        queryset=Body.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Velg ett organ, eller flere som behandler saken etter hverandre: fagrådet "
            "først, så ASU med innstilling, så PSU med vedtak."
        ),
    )
    note = forms.CharField(
        label=_("AUs merknad"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        _choice_field(self, "bodies").queryset = Body.objects.filter(community=community).exclude(
            kind=Body.Kind.SECRETARIAT
        )

    def ordered_bodies(self):
        """Councils and working groups first, then ASU, then PSU: the way a case climbs."""
        rank = {
            Body.Kind.WORKING_GROUP: 0,
            Body.Kind.NETWORK: 0,
            Body.Kind.COUNCIL: 1,
            Body.Kind.WORKING_COMMITTEE: 2,
            Body.Kind.ADMINISTRATIVE: 3,
            Body.Kind.POLITICAL: 4,
        }
        return sorted(self.cleaned_data["bodies"], key=lambda b: (rank.get(b.kind, 1), b.order))


class TreatmentForm(ConcurrentEditMixin, DesignsystemetMixin, forms.ModelForm):
    class Meta:
        model = Treatment
        fields = [
            "recommendation",
            "outcome",
            "decision",
            "decided_on",
            "unanimous",
            "votes_for",
            "votes_against",
            "dissent",
            "protocol_remarks",
            "is_exempt",
            "exemption_basis",
        ]
        widgets = {
            "recommendation": forms.Textarea(attrs={"rows": 3}),
            "decision": forms.Textarea(attrs={"rows": 3}),
            "dissent": forms.Textarea(attrs={"rows": 2}),
            "protocol_remarks": forms.Textarea(attrs={"rows": 2}),
            "decided_on": DateInput(),
            "unanimous": forms.NullBooleanSelect,
        }
        help_texts = {
            "protocol_remarks": _("Også en parts standpunkt i et konsensusvedtak."),
            "exemption_basis": _("For eksempel «offentleglova § 13»."),
        }


class PaperForm(DesignsystemetMixin, forms.ModelForm):
    class Meta:
        model = CasePaper
        fields = ["title", "file", "url", "is_public", "exemption_basis"]
        formfield_callback = formfield


class FollowUpForm(DesignsystemetMixin, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["description", "owner_body", "owner_person", "due_on", "measure_lineage"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "due_on": DateInput()}

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        _choice_field(self, "owner_body").queryset = Body.objects.filter(community=community)
        _choice_field(self, "owner_person").queryset = Person.objects.filter(community=community)
        self.fields["measure_lineage"] = OptionalChoiceField(
            current_measure_choices(community), label=_("Knyttet til tiltak i handlingsplanen")
        )


class RatificationForm(ConcurrentEditMixin, DesignsystemetMixin, forms.ModelForm):
    class Meta:
        model = Ratification
        fields = ["outcome", "decided_on", "decided_by", "reference"]
        widgets = {"decided_on": DateInput()}


class MeetingForm(ConcurrentEditMixin, DesignsystemetMixin, forms.ModelForm):
    bodies = BodiesField(
        label=_("Organ"),
        queryset=Body.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Velg flere for et felles møte, for eksempel PSU og ASU."),
    )

    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "ends_at", "mode", "location", "video_url"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}
        formfield_callback = formfield

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        _choice_field(self, "bodies").queryset = Body.objects.filter(community=community).exclude(
            kind=Body.Kind.SECRETARIAT
        )
        if self.instance.pk:
            self.initial["bodies"] = list(self.instance.bodies.all())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", ERROR_MEETING_TIMES)
        return cleaned


class AgendaAddForm(DesignsystemetMixin, forms.Form):
    treatment = TreatmentChoiceField(label=_("Sak"), queryset=Treatment.objects.none())

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        later = Treatment.objects.filter(
            case=OuterRef("case"), body=OuterRef("body"), order__gt=OuterRef("order")
        )
        pending = Q(outcome=Treatment.Outcome.PENDING, agenda_item__isnull=True) | (
            Q(outcome=Treatment.Outcome.POSTPONED) & ~Exists(later)
        )
        _choice_field(self, "treatment").queryset = (
            Treatment.objects.filter(pending, body__in=meeting.bodies.all())
            .select_related("case", "body")
            .order_by("case__year", "case__sequence")
        )


class ItemForm(ConcurrentEditMixin, DesignsystemetMixin, forms.Form):
    discussion = forms.CharField(
        label=_("Drøfting"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    decision = forms.CharField(
        label=_("Vedtak"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.ChoiceField(
        label=_("Utfall"), required=False, choices=Treatment.Outcome.choices
    )
    unanimous = forms.NullBooleanField(label=_("Enstemmig"), required=False)
    votes_for = forms.IntegerField(label=_("Stemmer for"), required=False, min_value=0)
    votes_against = forms.IntegerField(label=_("Stemmer mot"), required=False, min_value=0)
    dissent = forms.CharField(label=_("Dissens"), required=False)
    protocol_remarks = forms.CharField(
        label=_("Protokolltilførsel"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Også en parts standpunkt i et konsensusvedtak."),
    )

    def __init__(self, *args, has_case: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_case:
            for name in [
                "outcome",
                "unanimous",
                "votes_for",
                "votes_against",
                "dissent",
                "protocol_remarks",
            ]:
                del self.fields[name]


class SubstituteForm(DesignsystemetMixin, forms.Form):
    person = forms.ModelChoiceField(label=_("Vara som kalles inn"), queryset=Person.objects.none())

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        substitutes = (
            Membership.objects.current(timezone.localdate(meeting.starts_at))
            .filter(body__in=meeting.bodies.all(), role=Membership.Role.SUBSTITUTE)
            .values_list("person", flat=True)
        )
        _choice_field(self, "person").queryset = Person.objects.filter(pk__in=substitutes)


class ApproveForm(DesignsystemetMixin, forms.Form):
    how = forms.ChoiceField(label=_("Godkjent"), choices=Meeting.Approval.choices)
    on = forms.DateField(label=_("Dato"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
