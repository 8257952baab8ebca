"""Cases, their treatment by bodies in turn, meetings with agendas, decisions, minutes,
ratification by the parties and follow-up. Every row belongs to one community."""

import uuid

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helsefellesskap.core.concurrency import Versioned
from helsefellesskap.core.models import CommunityOwned
from helsefellesskap.core.policies import PolicyQuerySet
from helsefellesskap.organisation.models import Body, Community, Membership, Party, Person


class DecisionKind(models.TextChoices):
    """What kind of decision a case asks for: section 5.2 of the collaboration agreement says who
    may take each (see authority.py)."""

    NONE = "", _("Ingen vedtakstype")
    AGREEMENT = "agreement", _("Samarbeidsavtalen og retningslinjene")
    ACTION_PLAN = "action_plan", _("Handlingsplanen")
    GUIDELINE_REVISION = "guideline_revision", _("Reviderte retningslinjer og prosedyrer")
    AGREEMENT_MINOR = "agreement_minor", _("Mindre endringer i samarbeidsavtalen")
    FUNDS = "funds", _("Disponering av midler")
    OTHER = "other", _("Annet vedtak")


class Case(Versioned, CommunityOwned):
    class Type(models.TextChoices):
        DECISION = "decision", _("Vedtakssak")
        DISCUSSION = "discussion", _("Drøftingssak")
        INFORMATION = "information", _("Orienteringssak")
        MINUTES = "minutes", _("Godkjenning av protokoll")
        OTHER = "other", _("Annen sak")

    class Status(models.TextChoices):
        NEW = "new", _("Ny – venter på AU")
        ROUTED = "routed", _("Fordelt")
        DECIDED = "decided", _("Ferdigbehandlet")
        RATIFICATION = "ratification", _("Til vedtak hos partene")
        CLOSED = "closed", _("Avsluttet")
        WITHDRAWN = "withdrawn", _("Trukket")

    year = models.PositiveSmallIntegerField(_("år"))
    sequence = models.PositiveIntegerField(_("løpenummer"))
    title = models.CharField(_("tittel"), max_length=300)
    public_title = models.CharField(
        _("offentlig tittel"),
        max_length=300,
        blank=True,
        help_text=_("Brukes på de offentlige sidene når tittelen er taushetsbelagt."),
    )
    description = models.TextField(_("beskrivelse"), blank=True)
    type = models.CharField(
        _("sakstype"), max_length=16, choices=Type.choices, default=Type.DECISION
    )
    decision_kind = models.CharField(
        _("vedtakstype"), max_length=20, choices=DecisionKind.choices, blank=True
    )
    raised_by_body = models.ForeignKey(
        Body,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meldt av organ"),
    )
    raised_by_party = models.ForeignKey(
        Party,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meldt av part"),
    )
    raised_by_text = models.CharField(
        _("meldt av (person eller annet)"), max_length=200, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sak")
        verbose_name_plural = _("saker")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "year", "sequence"],
                name="case_unique_number",
                violation_error_message=_("Saksnummeret er allerede brukt."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """As the documents write it: «Sak 04/22»."""
        return _("Sak %(sequence)02d/%(year)02d") % {
            "sequence": self.sequence,
            "year": self.year % 100,
        }

    @property
    def slug(self) -> str:
        return f"{self.year}-{self.sequence}"

    def get_absolute_url(self) -> str:
        return reverse("cases:case", args=[self.community.slug, self.slug])

    def display_title(self, private: bool) -> str:
        return self.title if private or not self.public_title else self.public_title


class Treatment(Versioned, models.Model):
    """One body's treatment of a case. AU routes a case to one body or to several in turn (a
    council, then ASU with a recommendation, then PSU with the decision)."""

    class Outcome(models.TextChoices):
        PENDING = "", _("Ikke behandlet")
        RECOMMENDED = "recommended", _("Innstilling vedtatt")
        DECIDED = "decided", _("Vedtatt")
        NOTED = "noted", _("Tatt til orientering")
        DISCUSSED = "discussed", _("Drøftet")
        POSTPONED = "postponed", _("Utsatt")
        REJECTED = "rejected", _("Ikke vedtatt")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="treatments")
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="treatments", verbose_name=_("organ")
    )
    order = models.PositiveSmallIntegerField(default=1)
    routed_at = models.DateTimeField(auto_now_add=True)
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    routing_note = models.TextField(_("AUs merknad"), blank=True)
    recommendation = models.TextField(_("innstilling"), blank=True)
    decision = models.TextField(_("vedtak"), blank=True)
    outcome = models.CharField(_("utfall"), max_length=12, choices=Outcome.choices, blank=True)
    decided_on = models.DateField(_("dato"), null=True, blank=True)
    unanimous = models.BooleanField(_("enstemmig"), null=True, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("stemmer for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("stemmer mot"), null=True, blank=True)
    dissent = models.TextField(_("dissens"), blank=True)
    protocol_remarks = models.TextField(_("protokolltilførsel"), blank=True)
    is_exempt = models.BooleanField(_("unntatt offentlighet"), default=False)
    exemption_basis = models.CharField(_("skjermingshjemmel"), max_length=120, blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("behandling")
        verbose_name_plural = _("behandlinger")
        ordering = ["case", "order", "id"]

    @property
    def community(self) -> Community:
        """For the audit trail: the community the row belongs to."""
        return self.case.community

    def __str__(self) -> str:
        return f"{self.case.number} – {self.body}"

    @property
    def is_done(self) -> bool:
        return bool(self.outcome)


PAPER_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "png", "jpg", "jpeg"]
PAPER_MAX_BYTES = 25 * 1024 * 1024


class CasePaper(models.Model):
    """A case paper: a file (served only through a view that checks access) or a link."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(_("tittel"), max_length=250)
    file = models.FileField(
        _("fil"),
        upload_to="sakspapirer/%Y/",
        blank=True,
        validators=[FileExtensionValidator(PAPER_EXTENSIONS)],
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument eller bilde, høyst 25 MB."),
    )
    url = models.URLField(_("lenke"), blank=True)
    is_public = models.BooleanField(_("offentlig"), default=True)
    exemption_basis = models.CharField(
        _("skjermingshjemmel"),
        max_length=120,
        blank=True,
        help_text=_("For eksempel «offentleglova § 13» når dokumentet er unntatt."),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("sakspapir")
        verbose_name_plural = _("sakspapirer")
        ordering = ["case", "uploaded_at"]

    @property
    def community(self) -> Community:
        """For the audit trail: the community the row belongs to."""
        return self.case.community

    def __str__(self) -> str:
        return self.title


class Ratification(Versioned, models.Model):
    """A party's own decision where every council and the hospital board must decide."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Ikke behandlet")
        APPROVED = "approved", _("Vedtatt")
        REJECTED = "rejected", _("Ikke vedtatt")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ratifications")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="ratifications")
    decided_by = models.CharField(
        _("vedtatt av"),
        max_length=120,
        blank=True,
        help_text=_("Kommunestyret, styret for helseforetaket …"),
    )
    decided_on = models.DateField(_("dato"), null=True, blank=True)
    outcome = models.CharField(
        _("utfall"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    reference = models.CharField(_("saksnummer hos parten"), max_length=60, blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("vedtak hos part")
        verbose_name_plural = _("vedtak hos partene")
        ordering = ["case", "party__kind", "party__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "party"],
                name="ratification_unique",
                violation_error_message=_("Parten har allerede en rad for vedtaket."),
            )
        ]

    @property
    def community(self) -> Community:
        """For the audit trail: the community the row belongs to."""
        return self.case.community

    def __str__(self) -> str:
        return f"{self.case.number} – {self.party}"


class FollowUp(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    description = models.TextField(_("oppfølging"))
    owner_body = models.ForeignKey(
        Body,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("ansvarlig organ"),
    )
    owner_person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("ansvarlig person"),
    )
    due_on = models.DateField(_("frist"), null=True, blank=True)
    done_on = models.DateField(_("utført"), null=True, blank=True)
    measure_lineage = models.UUIDField(_("tiltak i handlingsplanen"), null=True, blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("oppfølging")
        verbose_name_plural = _("oppfølginger")
        ordering = ["done_on", "due_on", "id"]

    @property
    def community(self) -> Community:
        """For the audit trail: the community the row belongs to."""
        return self.case.community

    def __str__(self) -> str:
        return self.description[:80]


class Meeting(Versioned, CommunityOwned):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("Fysisk møte")
        DIGITAL = "digital", _("Digitalt møte")
        HYBRID = "hybrid", _("Fysisk og digitalt")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planlagt")
        INVITED = "invited", _("Innkalling sendt")
        HELD = "held", _("Avholdt")
        APPROVED = "approved", _("Protokoll godkjent")
        CANCELLED = "cancelled", _("Avlyst")

    class Approval(models.TextChoices):
        NEXT_MEETING = "next_meeting", _("Godkjent i neste møte")
        ELECTRONIC = "electronic", _("Elektronisk godkjent av leder")

    bodies = models.ManyToManyField(Body, related_name="meetings", verbose_name=_("organer"))
    title = models.CharField(_("tittel"), max_length=200)
    starts_at = models.DateTimeField(_("starter"))
    ends_at = models.DateTimeField(_("slutter"))
    mode = models.CharField(
        _("møteform"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON
    )
    location = models.CharField(_("sted"), max_length=200, blank=True)
    video_url = models.URLField(_("videolenke"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_on = models.DateField(_("protokoll godkjent"), null=True, blank=True)
    minutes_approval = models.CharField(
        _("godkjenning"), max_length=14, choices=Approval.choices, blank=True
    )
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("møte")
        verbose_name_plural = _("møter")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["community", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} {timezone.localtime(self.starts_at):%d.%m.%Y}"

    def get_absolute_url(self) -> str:
        return reverse("cases:meeting", args=[self.community.slug, self.pk])

    @property
    def is_public(self) -> bool:
        """Whether none of the meeting's bodies is internal, read from its (prefetched) bodies:
        the test of `cases.policies.open_meetings()` for a row in memory. Who may see a meeting
        is `MeetingPolicy`'s question; this stays for the annual wheel's calendar entries."""
        return all(body.is_public for body in self.bodies.all())


class AgendaItem(Versioned, models.Model):
    class Kind(models.TextChoices):
        NOTICE = "notice", _("Godkjenning av innkalling og saksliste")
        MINUTES = "minutes", _("Godkjenning av protokoll fra forrige møte")
        CASE = "case", _("Sak")
        FOLLOW_UP = "follow_up", _("Orientering om oppfølging av vedtak")
        ANY_OTHER = "any_other", _("Eventuelt")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CASE)
    treatment = models.OneToOneField(
        Treatment, on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_item"
    )
    title = models.CharField(_("tittel"), max_length=300, blank=True)
    discussion = models.TextField(_("drøfting"), blank=True)
    decision = models.TextField(_("vedtak"), blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("sak på sakslisten")
        verbose_name_plural = _("saksliste")
        ordering = ["meeting", "order", "id"]

    @property
    def community(self) -> Community:
        """For the audit trail: the community the row belongs to."""
        return self.meeting.community

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.treatment is not None:
            return str(self.treatment.case)
        return self.title or str(self.get_kind_display())


class Attendance(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("Innkalt")
        PRESENT = "present", _("Til stede")
        ABSENT = "absent", _("Meldt forfall")
        SUBSTITUTE = "substitute", _("Møtte som vara")
        NOT_PRESENT = "not_present", _("Ikke til stede")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("oppmøte"), max_length=12, choices=Status.choices, default=Status.INVITED
    )
    substitute_for = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vara for"),
    )
    represents = models.CharField(_("representerer"), max_length=200, blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("oppmøte")
        verbose_name_plural = _("oppmøte")
        ordering = ["meeting", "person__family_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="attendance_unique",
                violation_error_message=_("Personen står allerede på oppmøtelisten."),
            )
        ]

    @property
    def community(self) -> Community:
        """For the audit trail: the community the row belongs to."""
        return self.meeting.community

    def __str__(self) -> str:
        return f"{self.person} – {self.get_status_display()}"


class Vote(models.Model):
    """One voter's vote on a treatment, with whom they represent (for decisions by vote)."""

    class Choice(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Mot")
        BLANK = "blank", _("Avstår")

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    represents = models.CharField(_("representerer"), max_length=200, blank=True)
    choice = models.CharField(_("stemme"), max_length=8, choices=Choice.choices)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("stemme")
        verbose_name_plural = _("stemmer")
        ordering = ["treatment", "choice", "id"]

    @property
    def community(self) -> Community:
        """For the audit trail: the community the row belongs to."""
        return self.treatment.case.community

    def __str__(self) -> str:
        return f"{self.person}: {self.get_choice_display()}"
