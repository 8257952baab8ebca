from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helsefellesskap.core.concurrency import ConcurrentEditMixin
from helsefellesskap.core.forms import DateInput, DesignsystemetMixin, formfield

from .models import (
    ERROR_TERM_ORDER,
    Body,
    Community,
    Membership,
    MunicipalRegion,
    Party,
    Person,
)


def choice_field(fields: dict[str, forms.Field], name: str) -> forms.ModelChoiceField[Any]:
    """The form field of a foreign key (or a declared choice of rows): a ModelChoiceField."""
    return cast("forms.ModelChoiceField[Any]", fields[name])


class CommunityScopedMixin:
    """Limits every choice of party, region, person and body to one community."""

    fields: dict[str, forms.Field]  # the form's own (forms.BaseForm)

    def scope_to(self, community: Community) -> dict[str, QuerySet[Any]]:
        """Scope the form's choices; returns the querysets by field name."""
        scoped: dict[str, QuerySet[Any]] = {
            "party": Party.objects.filter(community=community),
            "region": MunicipalRegion.objects.filter(community=community),
            "person": Person.objects.filter(community=community),
            "body": Body.objects.filter(community=community),
        }
        for name, queryset in scoped.items():
            if name in self.fields:
                choice_field(self.fields, name).queryset = queryset
        return scoped


class MembershipForm(
    ConcurrentEditMixin, DesignsystemetMixin, CommunityScopedMixin, forms.ModelForm
):
    class Meta:
        model = Membership
        fields = [
            "person",
            "role",
            "representation",
            "party",
            "region",
            "start_date",
            "end_date",
            "note",
        ]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}
        help_texts = {
            "party": _("Kommunen, helseforetaket eller organisasjonen medlemmet representerer."),
            "region": _("For kommunale representanter som representerer en hel region."),
            "end_date": _("La stå tom hvis perioden ikke har noen fastsatt slutt."),
        }

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = body.community
        self.instance.body = body
        scoped = self.scope_to(body.community)
        choice_field(self.fields, "party").queryset = scoped["party"].order_by("kind", "name")
        if not self.instance.pk:
            self.fields["start_date"].initial = timezone.localdate()


class MembershipEndForm(DesignsystemetMixin, forms.Form):
    end_date = forms.DateField(label=_("Siste dag i vervet"), widget=DateInput())
    note = forms.CharField(label=_("Merknad"), required=False, max_length=300)

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.fields["end_date"].initial = timezone.localdate()

    def clean_end_date(self):
        end_date = self.cleaned_data["end_date"]
        if end_date < self.membership.start_date:
            raise forms.ValidationError(ERROR_TERM_ORDER)
        return end_date


class PersonForm(ConcurrentEditMixin, DesignsystemetMixin, CommunityScopedMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "given_name",
            "family_name",
            "email",
            "phone",
            "title",
            "workplace",
            "party",
            "is_public_contact",
        ]

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        self.scope_to(community)


class InvitationForm(DesignsystemetMixin, CommunityScopedMixin, forms.Form):
    """Invite someone by e-mail to a seat in a body; creates the person if they are new."""

    given_name = forms.CharField(label=_("Fornavn"), max_length=100)
    family_name = forms.CharField(label=_("Etternavn"), max_length=100)
    email = forms.EmailField(label=_("E-post"))
    body = forms.ModelChoiceField(label=_("Organ"), queryset=Body.objects.none())
    role = forms.ChoiceField(
        label=_("Rolle"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )
    representation = forms.ChoiceField(
        label=_("Representerer"), choices=Membership.Representation.choices
    )
    party = forms.ModelChoiceField(label=_("Part"), queryset=Party.objects.none(), required=False)
    region = forms.ModelChoiceField(
        label=_("Kommuneregion"), queryset=MunicipalRegion.objects.none(), required=False
    )
    start_date = forms.DateField(label=_("Fra"), widget=DateInput())

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.scope_to(community)
        self.fields["start_date"].initial = timezone.localdate()

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class PartyForm(ConcurrentEditMixin, DesignsystemetMixin, CommunityScopedMixin, forms.ModelForm):
    class Meta:
        model = Party
        fields = ["name", "kind", "municipality_number", "region", "population", "website", "note"]
        formfield_callback = formfield

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        self.scope_to(community)


class RegionForm(ConcurrentEditMixin, DesignsystemetMixin, forms.ModelForm):
    class Meta:
        model = MunicipalRegion
        fields = ["name", "order"]

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community


class BodyForm(ConcurrentEditMixin, DesignsystemetMixin, CommunityScopedMixin, forms.ModelForm):
    class Meta:
        model = Body
        fields = [
            "name",
            "short_name",
            "slug",
            "kind",
            "parent",
            "mandate",
            "period_start",
            "period_end",
            "is_public",
            "order",
        ]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}
        help_texts = {"slug": _("Brukes i nettadressen, for eksempel «fagrad-1».")}

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        parents = Body.objects.filter(community=community)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        choice_field(self.fields, "parent").queryset = parents
