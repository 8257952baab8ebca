"""The annual wheel (*årshjul*): a community's recurring events through the year, the rules that
propose the meetings of each body, and the private tokens of the personal calendar feeds.

Times are aware datetimes; the platform's time zone is Europe/Oslo. An all-day event keeps the
local midnight of its first and of its last day in `starts_at` and `ends_at`."""

import datetime
import secrets
import uuid
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helsefellesskap.core.concurrency import Versioned
from helsefellesskap.core.models import CommunityOwned
from helsefellesskap.core.periods import year_bounds
from helsefellesskap.core.policies import PolicyQuerySet
from helsefellesskap.organisation.models import Body

ERROR_BODY_OTHER_COMMUNITY = _("Organet hører til et annet helsefellesskap.")
ERROR_BODY_REQUIRED = _("Et møte i et organ må ha et organ.")
ERROR_MEETING_ALL_DAY = _("Et møte i et organ må ha klokkeslett, ikke gjelde hele dagen.")
ERROR_END_BEFORE_START = _("Hendelsen kan ikke slutte før den begynner.")
ERROR_RULE_DATES = _("Siste dato kan ikke være før første dato.")
ERROR_RULE_OTHER_COMMUNITY = _("Regelen hører til et annet helsefellesskap.")


class Kind(models.TextChoices):
    BODY_MEETING = "body_meeting", _("Møte i organ")
    THEME_DAY = "theme_day", _("Temadag")
    DIALOGUE_MEETING = "dialogue_meeting", _("Dialogmøte med brukerorganisasjonene")
    PLAN_REVISION = "plan_revision", _("Revisjon av handlingsplanen")
    INDICATOR_REPORT_SPRING = "indicator_report_spring", _("Styringsinformasjon til ASU, vår")
    INDICATOR_REPORT_AUTUMN = "indicator_report_autumn", _("Styringsinformasjon til ASU, høst")
    DEVIATION_REPORT = "deviation_report", _("Årsrapport for samhandlingsavvik")
    OTHER = "other", _("Annen hendelse")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("mandag")
    TUESDAY = 1, _("tirsdag")
    WEDNESDAY = 2, _("onsdag")
    THURSDAY = 3, _("torsdag")
    FRIDAY = 4, _("fredag")


WEEKDAY_NAMES = (
    _("mandag"),
    _("tirsdag"),
    _("onsdag"),
    _("torsdag"),
    _("fredag"),
    _("lørdag"),
    _("søndag"),
)


def _check_body(instance: "RecurrenceRule | WheelEvent", errors: dict) -> None:
    if "body" not in errors and instance.kind == Kind.BODY_MEETING and not instance.body_id:
        errors["body"] = ERROR_BODY_REQUIRED


class RecurrenceRule(Versioned, CommunityOwned):
    """«ASU about every six weeks»: proposes dates every `interval_weeks` from `first_date`, on
    `weekday` of the week when one is given, kept off public holidays, weekends, Christmas and the
    weeks of July. The secretariat confirms each proposal."""

    body = models.ForeignKey(
        Body,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="wheel_rules",
        verbose_name=_("organ"),
    )
    kind = models.CharField(
        _("type hendelse"), max_length=32, choices=Kind.choices, default=Kind.BODY_MEETING
    )
    title = models.CharField(_("tittel"), max_length=200, help_text=_("For eksempel «Møte i ASU»."))
    interval_weeks = models.PositiveSmallIntegerField(
        _("hver ... uke"),
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text=_("Antall uker mellom hver gang, for eksempel 6."),
    )
    first_date = models.DateField(_("første dato"), help_text=_("Datoen rekken regnes fra."))
    end_date = models.DateField(
        _("siste dato"),
        null=True,
        blank=True,
        help_text=_("La stå tom hvis regelen gjelder til den endres."),
    )
    weekday = models.PositiveSmallIntegerField(
        _("ukedag"),
        choices=Weekday.choices,
        null=True,
        blank=True,
        help_text=_("La stå tom for samme ukedag som første dato."),
    )
    start_time = models.TimeField(_("starter kl."), default=datetime.time(10, 0))
    duration_minutes = models.PositiveSmallIntegerField(
        _("varighet i minutter"),
        default=120,
        validators=[MinValueValidator(15), MaxValueValidator(24 * 60)],
    )
    location = models.CharField(_("sted"), max_length=200, blank=True)
    is_public = models.BooleanField(
        _("offentlig"),
        default=True,
        help_text=_("Hendelsene vises på de offentlige sidene og i den offentlige kalenderen."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("regel i årshjulet")
        verbose_name_plural = _("regler i årshjulet")
        ordering = ["community", "body__order", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def description_text(self) -> str:
        """«Hver 6. uke, torsdag kl. 09.00» – for lists."""
        day = WEEKDAY_NAMES[self.weekday if self.weekday is not None else self.first_date.weekday()]
        if self.interval_weeks == 1:
            every = str(_("Hver uke"))
        else:
            every = _("Hver %(n)s. uke") % {"n": self.interval_weeks}
        return _("%(every)s, %(day)s kl. %(time)s") % {
            "every": every,
            "day": day,
            "time": f"{self.start_time:%H.%M}",
        }

    other_community_messages = {"body": ERROR_BODY_OTHER_COMMUNITY}

    def clean(self) -> None:
        errors = self.other_community_errors()
        _check_body(self, errors)
        if self.first_date and self.end_date and self.end_date < self.first_date:
            errors["end_date"] = ERROR_RULE_DATES
        if errors:
            raise ValidationError(errors)


class WheelEventQuerySet(PolicyQuerySet["WheelEvent"]):
    def in_year(self, year: int) -> "WheelEventQuerySet":
        start, end = year_bounds(year)
        return self.filter(starts_at__gte=start, starts_at__lt=end)


WheelEventManager = models.Manager.from_queryset(WheelEventQuerySet)


class WheelEvent(Versioned, CommunityOwned):
    """One event in the wheel: a body's meeting, the theme day, a report due to ASU. A proposal
    made by a rule stays unconfirmed until the secretariat confirms it; confirming a body's
    meeting creates the meeting itself (cases.Meeting) and links it."""

    kind = models.CharField(_("type hendelse"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("tittel"), max_length=200)
    body = models.ForeignKey(
        Body,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="wheel_events",
        verbose_name=_("organ"),
    )
    starts_at = models.DateTimeField(_("starter"))
    ends_at = models.DateTimeField(_("slutter"))
    all_day = models.BooleanField(_("hele dagen"), default=False)
    location = models.CharField(_("sted"), max_length=200, blank=True)
    description = models.TextField(_("beskrivelse"), blank=True)
    is_confirmed = models.BooleanField(_("bekreftet"), default=True)
    is_public = models.BooleanField(
        _("offentlig"),
        default=True,
        help_text=_("Vises på de offentlige sidene og i den offentlige kalenderen."),
    )
    rule = models.ForeignKey(
        RecurrenceRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("regel"),
    )
    meeting = models.OneToOneField(
        "cases.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wheel_event",
        verbose_name=_("møte"),
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[WheelEventManager] = WheelEventManager()

    class Meta:
        verbose_name = _("hendelse i årshjulet")
        verbose_name_plural = _("hendelser i årshjulet")
        ordering = ["starts_at", "title"]
        indexes = [models.Index(fields=["community", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} {timezone.localtime(self.starts_at):%d.%m.%Y}"

    @property
    def local_date(self) -> datetime.date:
        return timezone.localtime(self.starts_at).date()

    @property
    def is_deletable(self) -> bool:
        """A meeting's event is not deleted: the meeting is cancelled on its page instead."""
        return self.meeting_id is None

    other_community_messages = {
        "body": ERROR_BODY_OTHER_COMMUNITY,
        "rule": ERROR_RULE_OTHER_COMMUNITY,
    }

    def clean(self) -> None:
        errors = self.other_community_errors()
        _check_body(self, errors)
        if self.kind == Kind.BODY_MEETING and self.all_day:
            errors["all_day"] = ERROR_MEETING_ALL_DAY
        too_short = self.ends_at == self.starts_at and not self.all_day
        if self.starts_at and self.ends_at and (self.ends_at < self.starts_at or too_short):
            errors["ends_at"] = ERROR_END_BEFORE_START
        if errors:
            raise ValidationError(errors)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class FeedToken(models.Model):
    """The private part of a person's calendar address. Whoever has the address sees the
    person's meetings, so it can be replaced at any time."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feed_token",
        verbose_name=_("bruker"),
    )
    token = models.CharField(_("nøkkel"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("laget"), default=timezone.now)

    class Meta:
        verbose_name = _("kalendernøkkel")
        verbose_name_plural = _("kalendernøkler")

    def __str__(self) -> str:
        return str(self.user)
