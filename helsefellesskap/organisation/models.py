"""Communities and how they are organised: parties, municipal regions, bodies, people, memberships.

Every row belongs to one community; a person who sits in two communities is two Person rows linked
to the same login."""

import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helsefellesskap.core.concurrency import Versioned
from helsefellesskap.core.models import CommunityOwned
from helsefellesskap.core.policies import PolicyQuerySet

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

RESERVED_SLUGS = {
    "admin",
    "konto",
    "static",
    "media",
    "api",
    "invitasjon",
    "om",
    "sok",
    "kalender",
    "helse",
}
RESERVED_BODY_SLUGS = {"nytt"}

ERROR_RESERVED_SLUG = _("Denne kortadressen er reservert. Velg en annen.")
ERROR_MUNICIPALITY_NUMBER = _("Kommunenummeret må bestå av fire sifre, for eksempel 5006.")
ERROR_NUMBER_ONLY_FOR_MUNICIPALITY = _("Bare kommuner har kommunenummer og kommuneregion.")
ERROR_REGION_OTHER_COMMUNITY = _("Regionen hører til et annet helsefellesskap.")
ERROR_PARENT_SELF = _(
    "Et organ kan ikke være underordnet seg selv, verken direkte eller gjennom andre."
)
ERROR_PARENT_OTHER_COMMUNITY = _("Overordnet organ må høre til samme helsefellesskap.")
ERROR_PERIOD_ORDER = _("Perioden kan ikke slutte før den begynner.")
ERROR_TERM_ORDER = _("Sluttdatoen kan ikke være før startdatoen.")
ERROR_SECOND_CHAIR = _("%(body)s har allerede en leder i denne perioden: %(name)s.")
ERROR_SECOND_DEPUTY = _("%(body)s har allerede en nestleder i denne perioden: %(name)s.")
ERROR_DUPLICATE_MEMBERSHIP = _("%(name)s er allerede med i %(body)s i denne perioden.")
ERROR_PERSON_OTHER_COMMUNITY = _("Personen hører til et annet helsefellesskap.")
ERROR_PARTY_OTHER_COMMUNITY = _("Parten hører til et annet helsefellesskap.")
ERROR_HOSPITAL_PARTY = _("En representant for helseforetaket må representere et helseforetak.")
ERROR_MUNICIPAL_PARTY = _(
    "En kommunal representant må representere en kommune eller en kommuneregion."
)
ERROR_MUNICIPAL_PARTY_KIND = _("Parten er ikke en kommune.")


class Community(models.Model):
    name = models.CharField(_("navn"), max_length=200, unique=True)
    short_name = models.CharField(_("kortnavn"), max_length=60)
    slug = models.SlugField(_("kortadresse"), max_length=60, unique=True)
    description = models.TextField(_("om helsefellesskapet"), blank=True)
    contact_email = models.EmailField(_("e-post til sekretariatet"), blank=True)
    website = models.URLField(_("nettside"), blank=True)
    is_published = models.BooleanField(
        _("publisert"),
        default=True,
        help_text=_("Vises på de offentlige samhandlingssidene."),
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("helsefellesskap")
        verbose_name_plural = _("helsefellesskap")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": ERROR_RESERVED_SLUG})

    def get_absolute_url(self) -> str:
        return reverse("organisation:community", args=[self.slug])


class MunicipalRegion(Versioned, CommunityOwned):
    """A group of municipalities that share seats (Ytre Namdal, Værnesregionen, …)."""

    name = models.CharField(_("navn"), max_length=120)
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)

    class Meta:
        verbose_name = _("kommuneregion")
        verbose_name_plural = _("kommuneregioner")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="region_unique_name",
                violation_error_message=_("Det finnes allerede en region med dette navnet."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Party(Versioned, CommunityOwned):
    """A party to the collaboration: the hospital trust, a municipality, or another organisation."""

    class Kind(models.TextChoices):
        HOSPITAL_TRUST = "hospital_trust", _("Helseforetak")
        MUNICIPALITY = "municipality", _("Kommune")
        COUNTY_GOVERNOR = "county_governor", _("Statsforvalteren")
        COUNTY = "county", _("Fylkeskommune")
        KS = "ks", _("KS")
        USER_ORGANISATION = "user_organisation", _("Brukerorganisasjon")
        GP_REPRESENTATION = "gp_representation", _("Fastlegerepresentasjon")
        EMPLOYEE_ORGANISATION = "employee_organisation", _("Arbeidstakerorganisasjon")
        OTHER = "other", _("Annen part")

    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    name = models.CharField(_("navn"), max_length=200)
    municipality_number = models.CharField(
        _("kommunenummer"),
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^\d{4}$", ERROR_MUNICIPALITY_NUMBER)],
    )
    region = models.ForeignKey(
        MunicipalRegion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="municipalities",
        verbose_name=_("kommuneregion"),
    )
    population = models.PositiveIntegerField(_("innbyggere"), null=True, blank=True)
    note = models.TextField(_("merknad"), blank=True)
    website = models.URLField(_("nettside"), blank=True)

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parter")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="party_unique_name",
                violation_error_message=_("Det finnes allerede en part med dette navnet."),
            ),
            models.UniqueConstraint(
                fields=["community", "municipality_number"],
                condition=~Q(municipality_number=""),
                name="party_unique_municipality_number",
                violation_error_message=_(
                    "Det finnes allerede en kommune med dette kommunenummeret."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_municipality(self) -> bool:
        return self.kind == self.Kind.MUNICIPALITY

    other_community_messages: ClassVar[dict[str, Any]] = {"region": ERROR_REGION_OTHER_COMMUNITY}

    def clean(self):
        errors = self.other_community_errors()
        if self.is_municipality:
            if not self.municipality_number:
                errors["municipality_number"] = ERROR_MUNICIPALITY_NUMBER
        elif self.municipality_number or self.region_id:
            errors["kind"] = ERROR_NUMBER_ONLY_FOR_MUNICIPALITY
        if errors:
            raise ValidationError(errors)


class Unit(CommunityOwned):
    """A unit of a party: a hospital department, a municipal service, a GP office."""

    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="units", verbose_name=_("part")
    )
    name = models.CharField(_("navn"), max_length=200)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter")
        ordering = ["party__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "name"],
                name="unit_unique_name",
                violation_error_message=_("Parten har allerede en enhet med dette navnet."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.party})"

    other_community_messages: ClassVar[dict[str, Any]] = {"party": ERROR_PARTY_OTHER_COMMUNITY}


class Body(Versioned, CommunityOwned):
    """An organ of the community: PSU, ASU, AU, a council, a working group, a network, the
    secretariat."""

    class Kind(models.TextChoices):
        POLITICAL = "political", _("Politisk samarbeidsutvalg (PSU)")
        ADMINISTRATIVE = "administrative", _("Administrativt samarbeidsutvalg (ASU)")
        WORKING_COMMITTEE = "working_committee", _("Arbeidsutvalg (AU)")
        COUNCIL = "council", _("Fagråd")
        WORKING_GROUP = "working_group", _("Arbeidsgruppe")
        NETWORK = "network", _("Fagnettverk")
        SECRETARIAT = "secretariat", _("Sekretariat")
        ANALYSIS_GROUP = "analysis_group", _("Analysegruppe")
        OTHER = "other", _("Annet organ")

    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    name = models.CharField(_("navn"), max_length=200)
    short_name = models.CharField(_("kortnavn"), max_length=60, blank=True)
    slug = models.SlugField(_("kortadresse"), max_length=80)
    mandate = models.TextField(_("mandat"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("overordnet organ"),
    )
    period_start = models.DateField(_("periode fra"), null=True, blank=True)
    period_end = models.DateField(_("periode til"), null=True, blank=True)
    is_public = models.BooleanField(
        _("offentlig"),
        default=True,
        help_text=_("Organet og medlemmene vises på de offentlige sidene."),
    )
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)

    class Meta:
        verbose_name = _("organ")
        verbose_name_plural = _("organer")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "slug"],
                name="body_unique_slug",
                violation_error_message=_("Det finnes allerede et organ med denne kortadressen."),
            ),
            models.UniqueConstraint(
                fields=["community", "name"],
                name="body_unique_name",
                violation_error_message=_("Det finnes allerede et organ med dette navnet."),
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("organisation:body", args=[self.community.slug, self.slug])

    def _ancestor_ids(self) -> set[int]:
        """The parent, its parent and so on (a body may not end up under itself)."""
        seen, parent = set(), self.parent
        while parent is not None and parent.pk not in seen:
            seen.add(parent.pk)
            parent = parent.parent
        return seen

    other_community_messages: ClassVar[dict[str, Any]] = {"parent": ERROR_PARENT_OTHER_COMMUNITY}

    def clean(self):
        errors = self.other_community_errors()
        if self.slug in RESERVED_BODY_SLUGS:
            errors["slug"] = ERROR_RESERVED_SLUG
        if self.parent_id and self.pk and self.pk in self._ancestor_ids():
            errors["parent"] = ERROR_PARENT_SELF
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = ERROR_PERIOD_ORDER
        if errors:
            raise ValidationError(errors)


class Person(Versioned, CommunityOwned):
    """A person in a community's register, with or without a login."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("brukerkonto"),
    )
    given_name = models.CharField(_("fornavn"), max_length=100)
    family_name = models.CharField(_("etternavn"), max_length=100)
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    title = models.CharField(_("stilling"), max_length=200, blank=True)
    workplace = models.CharField(_("arbeidssted"), max_length=200, blank=True)
    party = models.ForeignKey(
        Party,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("tilhører part"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("enhet"),
    )
    is_public_contact = models.BooleanField(
        _("offentlig kontaktperson"),
        default=False,
        help_text=_("E-post og telefon vises på de offentlige sidene."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("personer")
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=Q(user__isnull=False),
                name="person_unique_user",
                violation_error_message=_(
                    "Brukerkontoen er allerede knyttet til en person i fellesskapet."
                ),
            ),
            models.UniqueConstraint(
                fields=["community", "email"],
                condition=~Q(email=""),
                name="person_unique_email",
                violation_error_message=_(
                    "Det finnes allerede en person med denne e-postadressen."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    other_community_messages: ClassVar[dict[str, Any]] = {
        "party": ERROR_PARTY_OTHER_COMMUNITY,
        "unit": ERROR_PARTY_OTHER_COMMUNITY,
    }

    def clean(self):
        self.email = self.email.strip().lower()
        super().clean()


class MembershipQuerySet(PolicyQuerySet["Membership"]):
    def current(self, on: datetime.date | None = None) -> Self:
        on = on or timezone.localdate()
        return self.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on))

    def ended(self, on: datetime.date | None = None) -> Self:
        on = on or timezone.localdate()
        return self.filter(end_date__lt=on)

    def overlapping(self, start: datetime.date, end: datetime.date | None) -> Self:
        """Memberships whose term shares at least one day with [start, end]."""
        qs = self.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        return qs.filter(start_date__lte=end) if end else qs


class Membership(Versioned, CommunityOwned):
    """A person's seat in a body: role, whom they represent, and term. Ended seats stay as
    history."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Leder")
        DEPUTY = "deputy", _("Nestleder")
        MEMBER = "member", _("Medlem")
        SUBSTITUTE = "substitute", _("Vara")
        OBSERVER = "observer", _("Observatør")
        SECRETARY = "secretary", _("Sekretær")

    class Representation(models.TextChoices):
        HOSPITAL = "hospital", _("Helseforetaket")
        MUNICIPALITIES = "municipalities", _("Kommunene")
        GP = "gp", _("Fastlegene")
        USER = "user", _("Brukerrepresentant")
        EMPLOYEE = "employee", _("Ansattrepresentant")
        OTHER = "other", _("Annen part")

    # Roles that hold a seat in the parity count; substitutes, observers and secretaries do not.
    SEAT_ROLES = (Role.CHAIR, Role.DEPUTY, Role.MEMBER)
    UNIQUE_ROLES: ClassVar[dict[str, "_StrPromise"]] = {
        Role.CHAIR: ERROR_SECOND_CHAIR,
        Role.DEPUTY: ERROR_SECOND_DEPUTY,
    }

    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organ")
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    role = models.CharField(_("rolle"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    representation = models.CharField(
        _("representerer"), max_length=16, choices=Representation.choices
    )
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("part"),
    )
    region = models.ForeignKey(
        MunicipalRegion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("kommuneregion"),
    )
    start_date = models.DateField(_("fra"))
    end_date = models.DateField(_("til"), null=True, blank=True)
    note = models.CharField(_("merknad"), max_length=300, blank=True)

    # A class variable, as the inherited manager is (the type checker infers its type).
    objects: ClassVar = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        ordering = ["body", "role", "person__family_name"]
        indexes = [models.Index(fields=["community", "end_date"])]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()}, {self.body}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)

    @property
    def is_user_or_gp_seat(self) -> bool:
        """The seats the lists mark, since the agreement asks for them in every body."""
        return self.representation in (self.Representation.USER, self.Representation.GP)

    @property
    def represents(self) -> str:
        """Whom the member speaks for, as shown in lists: the party or region, else the kind."""
        if self.region_id:
            return str(self.region)
        if self.party_id:
            return str(self.party)
        return self.get_representation_display()

    other_community_messages: ClassVar[dict[str, Any]] = {
        "person": ERROR_PERSON_OTHER_COMMUNITY,
        "party": ERROR_PARTY_OTHER_COMMUNITY,
        "region": ERROR_REGION_OTHER_COMMUNITY,
    }

    def clean(self):
        errors = self.other_community_errors()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = ERROR_TERM_ORDER
        rep = self.Representation
        if self.representation == rep.HOSPITAL and (
            not self.party_id or self.party.kind != Party.Kind.HOSPITAL_TRUST
        ):
            errors["party"] = ERROR_HOSPITAL_PARTY
        if self.representation == rep.MUNICIPALITIES:
            if not (self.party_id or self.region_id):
                errors["party"] = ERROR_MUNICIPAL_PARTY
            elif self.party_id and self.party.kind != Party.Kind.MUNICIPALITY:
                errors["party"] = ERROR_MUNICIPAL_PARTY_KIND
        if not errors and self.body_id and self.start_date:
            errors.update(self._overlap_errors())
        if errors:
            raise ValidationError(errors)

    def _overlap_errors(self) -> dict:
        others = (
            Membership.objects.filter(body_id=self.body_id)
            .exclude(pk=self.pk)
            .overlapping(self.start_date, self.end_date)
            .select_related("person", "body")
        )
        if self.role in self.UNIQUE_ROLES:
            holder = others.filter(role=self.role).first()
            if holder:
                message = self.UNIQUE_ROLES[self.role] % {
                    "body": holder.body,
                    "name": holder.person.full_name,
                }
                return {"role": message}
        same_person = others.filter(person_id=self.person_id).first()
        if same_person:
            message = ERROR_DUPLICATE_MEMBERSHIP % {
                "name": same_person.person.full_name,
                "body": same_person.body,
            }
            return {"person": message}
        return {}


class Invitation(CommunityOwned):
    """An e-mail invitation to create a login and take a seat in a body."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("person")
    )
    email = models.EmailField(_("e-post"))
    membership = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("medlemskap"),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invitert av"),
    )
    created_at = models.DateTimeField(_("sendt"), auto_now_add=True)
    expires_at = models.DateTimeField(_("utløper"))
    accepted_at = models.DateTimeField(_("akseptert"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitasjon")
        verbose_name_plural = _("invitasjoner")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()
