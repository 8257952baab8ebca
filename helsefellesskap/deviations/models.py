"""Collaboration deviations (samhandlingsavvik): one shared case for the reporting and the
receiving party. No patient-identifying data is ever stored: every text passes `guard.check`
before a row is written (see services). Deviations, their events, themes and categories also
refuse identity numbers, phone numbers and e-mail addresses in their own validation
(`GuardedTextsMixin`), so a `full_clean()` anywhere (the admin, an import, the shell) stops them."""

from collections.abc import Collection
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from helsefellesskap.core.concurrency import Versioned
from helsefellesskap.core.models import CommunityOwned
from helsefellesskap.core.policies import PolicyQuerySet
from helsefellesskap.organisation.models import Community, Party, Person, Unit

from . import guard

DEFAULT_DEADLINE_DAYS = 15
# An address-register id: up to nine digits, so it can never hold an 11-digit identity number.
HER_ID = RegexValidator(r"^\d{1,9}$", _("HER-id er et tall med opptil ni sifre."))
ERROR_PARTY_OTHER_COMMUNITY = _("Parten hører til et annet helsefellesskap.")


class GuardedTextsMixin(models.Model):
    """Validation that refuses what the privacy guard refuses (identity numbers, phone numbers,
    e-mail addresses) in the free texts named by `guarded_fields`, read one by one and together.
    Likely names only warn, and whether they were confirmed is the service's question.

    It runs in `clean_fields`, so `full_clean()` anywhere (the admin, an import, the shell) stops
    such a text, and a form may leave a field out (`exclude`) when a service guards it with the
    names confirmation and then validates the row in full."""

    guarded_fields: ClassVar[tuple[str, ...]] = ()
    # Field name -> label, for fields whose verbose name is not what the user sees.
    guarded_field_labels: ClassVar[dict[str, Any]] = {}

    class Meta:
        abstract = True

    def guarded_texts(self) -> dict[str, str]:
        return {name: getattr(self, name) or "" for name in self.guarded_fields}

    def guarded_labels(self) -> dict[str, str]:
        labels = {}
        for name in self.guarded_fields:
            verbose_name = getattr(self._meta.get_field(name), "verbose_name", name)
            labels[name] = capfirst(str(self.guarded_field_labels.get(name, verbose_name)))
        return labels

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        errors: dict[str, Any] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        skip = {*(exclude or ()), *errors}
        texts = {name: text for name, text in self.guarded_texts().items() if name not in skip}
        refused = guard.check(texts, self.guarded_labels()).messages_by_field()
        for field, messages in refused.items():
            errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)


class GuardedTexts(GuardedTextsMixin, CommunityOwned):
    """A community row whose free texts may reach people beyond the secretariat."""

    class Meta:
        abstract = True


class DeviationSettings(Versioned, models.Model):
    """Per-community settings of the deviation routine (one row per community)."""

    community = models.OneToOneField(
        Community,
        on_delete=models.CASCADE,
        related_name="deviation_settings",
        verbose_name=_("fellesskap"),
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("svarfrist (virkedager)"), default=DEFAULT_DEADLINE_DAYS
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("påminnelse (virkedager før fristen)"), default=3
    )

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("innstillinger for avvik")
        verbose_name_plural = _("innstillinger for avvik")

    def __str__(self) -> str:
        return str(self.community)


class Category(Versioned, GuardedTexts):
    """What a deviation concerns, usually a guideline of the agreement. Shown on the report form
    and in statistics beyond the secretariat: no identifiers in its texts."""

    guarded_fields = ("name", "description", "agreement_clause")

    name = models.CharField(_("kategori"), max_length=120)
    description = models.CharField(_("forklaring"), max_length=300, blank=True)
    agreement_clause = models.CharField(
        _("avtalepunkt eller retningslinje"), max_length=200, blank=True
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("egen svarfrist (virkedager)"), null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    is_active = models.BooleanField(_("i bruk"), default=True)

    class Meta:
        verbose_name = _("avvikskategori")
        verbose_name_plural = _("avvikskategorier")
        ordering = ["community", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="category_unique_name",
                violation_error_message=_("Det finnes allerede en kategori med dette navnet."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Handler(CommunityOwned):
    """A person who receives and answers deviations on behalf of a party (or one of its units).
    A GP liaison (praksiskonsulent) triages GP reports before they go to the unit."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="deviation_handlers")
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="deviation_handlers"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="handler_roles")
    is_gp_liaison = models.BooleanField(_("praksiskonsulent"), default=False)

    class Meta:
        verbose_name = _("avviksbehandler")
        verbose_name_plural = _("avviksbehandlere")
        constraints = [
            models.UniqueConstraint(
                fields=["party", "unit", "person"],
                condition=models.Q(unit__isnull=False),
                name="handler_unique_unit",
                violation_error_message=_("Personen er allerede behandler for enheten."),
            ),
            models.UniqueConstraint(
                fields=["party", "person"],
                condition=models.Q(unit__isnull=True),
                name="handler_unique_party",
                violation_error_message=_("Personen er allerede behandler for parten."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.unit or self.party}"


class Theme(Versioned, GuardedTexts):
    """Reports of the same failure, grouped by the secretariat: the learning loop. Themes go to
    ASU in the annual report: no identifiers in their texts."""

    guarded_fields = ("title", "description", "follow_up")

    class Status(models.TextChoices):
        OPEN = "open", _("Åpen")
        FOLLOWED_UP = "followed_up", _("Følges opp")
        CLOSED = "closed", _("Avsluttet")

    title = models.CharField(_("tema"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    measure_lineage = models.UUIDField(_("tiltak i handlingsplanen"), null=True, blank=True)
    follow_up = models.TextField(_("oppfølging"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tema")
        verbose_name_plural = _("temaer")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Deviation(Versioned, GuardedTextsMixin, CommunityOwned):
    """A reported deviation: the shared case. Its texts pass the privacy guard in the services,
    where the reporter may confirm that a likely name is not a person (see `deviation_report`),
    and again in its own validation."""

    guarded_fields = (
        "description",
        "immediate_action",
        "improvement_proposal",
        "answer",
        "measures_taken",
    )

    other_community_messages = {
        "reporting_party": ERROR_PARTY_OTHER_COMMUNITY,
        "concerned_party": ERROR_PARTY_OTHER_COMMUNITY,
        "handling_party": ERROR_PARTY_OTHER_COMMUNITY,
    }

    class Kind(models.TextChoices):
        PATIENT = "patient", _("Pasientrelatert")
        SYSTEM = "system", _("Systemnivå (brudd på avtale eller retningslinje)")

    class Consequence(models.TextChoices):
        NONE = "none", _("Ingen")
        MINOR = "minor", _("Liten")
        MODERATE = "moderate", _("Moderat")
        SERIOUS = "serious", _("Alvorlig")

    class MessageType(models.TextChoices):
        NONE = "", _("Ingen elektronisk melding")
        PLO = "plo", _("PLO-melding")
        DISCHARGE_SUMMARY = "discharge_summary", _("Epikrise")
        REFERRAL = "referral", _("Henvisning")
        ADMISSION_REPORT = "admission_report", _("Innleggelsesrapport")
        DIALOGUE = "dialogue", _("Dialogmelding")
        LAB = "lab", _("Laboratoriesvar")
        OTHER = "other", _("Annen melding")

    class State(models.TextChoices):
        TRIAGE = "triage", _("Til vurdering hos praksiskonsulent")
        REPORTED = "reported", _("Meldt")
        RECEIVED = "received", _("Mottatt")
        IN_PROGRESS = "in_progress", _("Under behandling")
        FORWARDED = "forwarded", _("Videresendt")
        WAITING = "waiting", _("Venter på melder")
        ANSWERED = "answered", _("Besvart")
        REOPENED = "reopened", _("Gjenåpnet")
        DISAGREEMENT = "disagreement", _("Uenighet – til sekretariatet")
        CLOSED = "closed", _("Lukket")

    OPEN_STATES = (
        State.TRIAGE,
        State.REPORTED,
        State.RECEIVED,
        State.IN_PROGRESS,
        State.FORWARDED,
        State.REOPENED,
    )

    number = models.CharField(_("nummer"), max_length=20)
    state = models.CharField(
        _("status"), max_length=16, choices=State.choices, default=State.REPORTED
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Empty for a user representative who speaks for no party.
    reporting_party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deviations_reported",
        verbose_name=_("meldende part"),
    )
    reporting_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meldende enhet"),
    )
    by_user_representative = models.BooleanField(_("meldt av brukerrepresentant"), default=False)
    by_gp = models.BooleanField(_("meldt av fastlege"), default=False)
    concerned_party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="deviations_concerning",
        verbose_name=_("gjelder part"),
    )
    concerned_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gjelder enhet"),
    )
    # Where the case is now; changes when it is forwarded.
    handling_party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="deviations_handling"
    )
    handling_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="deviations", verbose_name=_("kategori")
    )
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices)
    occurred_on = models.DateField(_("dato for hendelsen"))
    description = models.TextField(_("hva skjedde"))
    consequence_physical = models.CharField(
        _("konsekvens for pasienten, fysisk"),
        max_length=10,
        choices=Consequence.choices,
        default=Consequence.NONE,
    )
    consequence_psychological = models.CharField(
        _("konsekvens for pasienten, psykisk"),
        max_length=10,
        choices=Consequence.choices,
        default=Consequence.NONE,
    )
    immediate_action = models.TextField(_("hva ble gjort straks"), blank=True)
    improvement_proposal = models.TextField(_("forslag til forbedring"), blank=True)
    message_type = models.CharField(
        _("elektronisk melding"), max_length=20, choices=MessageType.choices, blank=True
    )
    message_sent_at = models.DateTimeField(_("meldingen ble sendt"), null=True, blank=True)
    sender_her = models.CharField(
        _("avsenders HER-id"), max_length=12, blank=True, validators=[HER_ID]
    )
    receiver_her = models.CharField(
        _("mottakers HER-id"), max_length=12, blank=True, validators=[HER_ID]
    )
    names_confirmed = models.BooleanField(default=False)

    reported_at = models.DateTimeField(_("meldt"), db_index=True)
    deadline = models.DateField(_("svarfrist"))
    paused_since = models.DateField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("svar"), blank=True)
    measures_taken = models.TextField(_("tiltak som er satt i verk"), blank=True)
    answered_at = models.DateTimeField(_("besvart"), null=True, blank=True)
    closed_at = models.DateTimeField(_("lukket"), null=True, blank=True)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deviations",
        verbose_name=_("tema"),
    )

    class Meta:
        verbose_name = _("samhandlingsavvik")
        verbose_name_plural = _("samhandlingsavvik")
        ordering = ["-reported_at"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="deviation_unique_number")
        ]
        indexes = [
            models.Index(fields=["community", "state", "deadline"]),
            models.Index(fields=["community", "reported_at"]),
            models.Index(fields=["handling_party", "state"]),
        ]

    def __str__(self) -> str:
        return _("Avvik %(number)s") % {"number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("deviations:detail", args=[self.community.slug, self.number])

    @property
    def is_overdue(self) -> bool:
        return self.state in self.OPEN_STATES and self.deadline < timezone.localdate()

    @property
    def handled_elsewhere(self) -> bool:
        """Whether the case has been forwarded away from the party or unit it concerns."""
        return (
            self.handling_party_id != self.concerned_party_id
            or self.handling_unit_id != self.concerned_unit_id
        )

    @property
    def message_details(self) -> list[str]:
        """The electronic message the case concerns, as the case page lists it."""
        details = [str(self.get_message_type_display())]
        if self.message_sent_at:
            sent = dateformat.format(timezone.localtime(self.message_sent_at), "j.n.Y H:i")
            details.append(f"{_('sendt')} {sent}")
        if self.sender_her:
            details.append(f"{_('avsender HER')} {self.sender_her}")
        if self.receiver_her:
            details.append(f"{_('mottaker HER')} {self.receiver_her}")
        return details

    @property
    def direction(self) -> str:
        reporting_kind = self.reporting_party.kind if self.reporting_party is not None else ""
        return direction_of(reporting_kind, self.concerned_party.kind, self.by_gp)

    @property
    def reported_by_label(self) -> str:
        """Who reported, as both parties see it: the unit or party, or «Brukerrepresentant»."""
        if self.reporting_unit_id:
            return str(self.reporting_unit)
        if self.reporting_party_id:
            return str(self.reporting_party)
        return str(_("Brukerrepresentant"))


def direction_of(reporting_kind: str, concerned_kind: str, by_gp: bool) -> str:
    hospital, municipality = Party.Kind.HOSPITAL_TRUST, Party.Kind.MUNICIPALITY
    if reporting_kind == hospital and concerned_kind == municipality:
        return "hospital_to_municipality"
    if by_gp and concerned_kind == hospital:
        return "gp_to_hospital"
    if reporting_kind == municipality and concerned_kind == hospital:
        return "municipality_to_hospital"
    return "other"


DIRECTIONS = {
    "hospital_to_municipality": _("Helseforetak → kommune"),
    "municipality_to_hospital": _("Kommune → helseforetak"),
    "gp_to_hospital": _("Fastlege → helseforetak"),
    "other": _("Annet"),
}


class Event(GuardedTextsMixin, models.Model):
    """The case's history: every transition, comment and forward, shown to both parties. Its
    text (comments, answers) passes the privacy guard in the services and in its validation."""

    guarded_fields = ("text",)
    guarded_field_labels = {"text": _("tekst")}

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    party = models.ForeignKey(Party, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def state_label(self) -> str:
        return str(Deviation.State(self.to_state).label) if self.to_state else ""
