"""Action plans: a plan has versions; a version holds the tree focus area → goal → measure.

A revision copies the current version. The copy of a measure keeps the original's `lineage`, so
status reports, diffs and history follow a measure from version to version even when its code
changes."""

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from helsefellesskap.core.concurrency import Versioned
from helsefellesskap.core.models import CommunityOwned
from helsefellesskap.core.policies import PolicyQuerySet
from helsefellesskap.organisation.models import Body, Community

ERROR_PERIOD = _("Planperioden kan ikke slutte før den begynner.")
ERROR_ADOPT_NEEDS_RECOMMENDATION = _(
    "Planen må være innstilt av ASU før PSU kan vedta den (samarbeidsavtalen punkt 5.2)."
)
ERROR_WRONG_ADOPTING_BODY = _("Handlingsplanen vedtas av PSU.")
ERROR_WRONG_RECOMMENDING_BODY = _("Handlingsplanen innstilles av ASU.")
ERROR_CODE_TAKEN = _("Nummeret er allerede brukt i denne versjonen av planen.")


class PriorityGroup(models.TextChoices):
    CHILDREN_YOUTH = "children_youth", _("Barn og unge")
    MENTAL_HEALTH_SUBSTANCE = "mental_health_substance", _("Alvorlig psykisk sykdom og rus")
    CHRONIC_CONDITIONS = "chronic_conditions", _("Flere kroniske lidelser")
    FRAIL_ELDERLY = "frail_elderly", _("Skrøpelige eldre")


class ActionPlan(CommunityOwned):
    title = models.CharField(_("tittel"), max_length=250)
    slug = models.SlugField(_("kortadresse"), max_length=80)
    motto = models.CharField(_("visjon"), max_length=250, blank=True)
    period_start = models.PositiveSmallIntegerField(_("fra år"))
    period_end = models.PositiveSmallIntegerField(_("til år"))
    source = models.CharField(_("kilde"), max_length=300, blank=True)
    status_is_public = models.BooleanField(
        _("status er offentlig"),
        default=False,
        help_text=_("Tiltakenes status vises på de offentlige sidene."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("handlingsplan")
        verbose_name_plural = _("handlingsplaner")
        ordering = ["-period_start", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "slug"],
                name="plan_unique_slug",
                violation_error_message=_("Det finnes allerede en plan med denne kortadressen."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.period_start}–{self.period_end}"

    def get_absolute_url(self) -> str:
        return reverse("actionplan:plan", args=[self.community.slug, self.slug])

    def clean(self) -> None:
        errors = self.other_community_errors()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = ERROR_PERIOD
        if errors:
            raise ValidationError(errors)

    @property
    def years(self) -> list[int]:
        return list(range(self.period_start, self.period_end + 1))


class PlanVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        RECOMMENDED = "recommended", _("Innstilt av ASU")
        ADOPTED = "adopted", _("Vedtatt av PSU")
        RETIRED = "retired", _("Erstattet")

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="versions", verbose_name=_("plan")
    )
    number = models.PositiveSmallIntegerField(_("versjon"))
    label = models.CharField(_("navn"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    is_current = models.BooleanField(_("gjeldende"), default=False)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("bygger på"),
    )
    recommended_on = models.DateField(_("innstilt dato"), null=True, blank=True)
    recommended_by = models.ForeignKey(
        Body,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("innstilt av"),
    )
    adopted_on = models.DateField(_("vedtatt dato"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        Body,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vedtatt av"),
    )
    note = models.TextField(_("merknad"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("planversjon")
        verbose_name_plural = _("planversjoner")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="version_unique_number"),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(is_current=True),
                name="version_one_current",
                violation_error_message=_("Planen kan bare ha én gjeldende versjon."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} (v{self.number}, {self.get_status_display().lower()})"

    @property
    def community(self) -> Community:
        return self.plan.community

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RECOMMENDED)

    @property
    def awaits_recommendation(self) -> bool:
        """A draft: ASU's recommendation is the next step."""
        return self.status == self.Status.DRAFT

    @property
    def awaits_adoption(self) -> bool:
        """Recommended by ASU: PSU's adoption is the next step."""
        return self.status == self.Status.RECOMMENDED

    @property
    def status_color(self) -> str:
        if self.status == self.Status.ADOPTED:
            return "success"
        if self.status == self.Status.RETIRED:
            return "neutral"
        return "warning"


class FocusArea(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="focus_areas")
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)
    code = models.CharField(_("nummer"), max_length=20)
    title = models.CharField(_("innsatsområde"), max_length=300)
    description = models.TextField(_("beskrivelse"), blank=True)
    order = models.PositiveIntegerField(_("rekkefølge"), default=0)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("innsatsområde")
        verbose_name_plural = _("innsatsområder")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="focus_area_unique_code",
                violation_error_message=ERROR_CODE_TAKEN,
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Goal(Versioned, models.Model):
    version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="goals", verbose_name=_("versjon")
    )
    focus_area = models.ForeignKey(
        FocusArea, on_delete=models.CASCADE, related_name="goals", verbose_name=_("innsatsområde")
    )
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)
    code = models.CharField(_("nummer"), max_length=20)
    title = models.TextField(_("mål"))
    order = models.PositiveIntegerField(_("rekkefølge"), default=0)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="goal_unique_code",
                violation_error_message=ERROR_CODE_TAKEN,
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def community(self) -> Community:
        return self.version.plan.community


class Measure(Versioned, models.Model):
    version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="measures", verbose_name=_("versjon")
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="measures", verbose_name=_("mål")
    )
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)
    code = models.CharField(_("nummer"), max_length=20)
    text = models.TextField(_("tiltak"))
    order = models.PositiveIntegerField(_("rekkefølge"), default=0)
    responsible_bodies = models.ManyToManyField(
        Body, blank=True, related_name="measures", verbose_name=_("ansvarlige organer")
    )
    responsible_text = models.CharField(_("ansvarlig (fritekst)"), max_length=300, blank=True)
    priority_groups = models.JSONField(_("prioriterte pasientgrupper"), default=list, blank=True)
    references = models.JSONField(_("henvisninger"), default=list, blank=True)
    note = models.TextField(_("merknad"), blank=True)
    documents = models.JSONField(_("dokumenter"), default=list, blank=True)

    objects = PolicyQuerySet.as_manager()

    # Set by `selectors.annotate_status` for the pages and files; not stored.
    report: "StatusReport | None"
    status: str
    status_label: Any
    status_color: str
    year_list: list[int]
    last_year: int | None
    is_overdue: bool

    class Meta:
        verbose_name = _("tiltak")
        verbose_name_plural = _("tiltak")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="measure_unique_code",
                violation_error_message=ERROR_CODE_TAKEN,
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:80]}"

    def get_absolute_url(self) -> str:
        plan = self.version.plan
        return reverse("actionplan:measure", args=[plan.community.slug, plan.slug, self.lineage])

    @property
    def community(self) -> Community:
        return self.version.plan.community

    @property
    def responsible_display(self) -> str:
        """«ASU, Fagråd; Kommunene»: the responsible bodies, then the free text."""
        names = ", ".join(str(body) for body in self.responsible_bodies.all())
        return "; ".join(part for part in (names, self.responsible_text) if part)

    @property
    def years_display(self) -> str:
        """«2023, 2024 (oppstart høst)»: the years with their notes."""
        return ", ".join(
            f"{y.year} ({y.note})" if y.note else str(y.year) for y in self.years.all()
        )

    def get_priority_groups_display(self) -> list[str]:
        labels = dict(PriorityGroup.choices)
        return [str(labels[group]) for group in self.priority_groups if group in labels]


class MeasureYear(models.Model):
    """A year the measure runs in, with the source's note for it (oppstart høst, igangsatt…)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("år"))
    note = models.CharField(_("merknad"), max_length=120, blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("tiltaksår")
        verbose_name_plural = _("tiltaksår")
        ordering = ["measure", "year"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "year"], name="measure_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.note}".strip()


class StatusReport(models.Model):
    """A dated status of a measure, reported by a responsible body or the secretariat. The
    measure's current status is its latest report (on any version of the same lineage)."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Ikke startet")
        STARTED = "started", _("Startet")
        IN_PROGRESS = "in_progress", _("Pågår")
        COMPLETED = "completed", _("Fullført")
        POSTPONED = "postponed", _("Utsatt")
        CANCELLED = "cancelled", _("Avlyst")

    CLOSED = (Status.COMPLETED, Status.CANCELLED)
    COLORS: dict[str, str] = {
        Status.NOT_STARTED: "neutral",
        Status.STARTED: "info",
        Status.IN_PROGRESS: "info",
        Status.COMPLETED: "success",
        Status.POSTPONED: "warning",
        Status.CANCELLED: "neutral",
    }

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="status_reports")
    lineage = models.UUIDField(db_index=True)
    measure = models.ForeignKey(
        Measure, on_delete=models.SET_NULL, null=True, related_name="status_reports"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    text = models.TextField(_("kommentar"), blank=True)
    reported_on = models.DateField(_("dato"))
    body = models.ForeignKey(
        Body,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rapportert av organ"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rapportert av"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("statusrapport")
        verbose_name_plural = _("statusrapporter")
        ordering = ["-reported_on", "-created_at", "-id"]
        indexes = [models.Index(fields=["plan", "lineage", "reported_on"])]

    def __str__(self) -> str:
        return f"{self.reported_on} {self.get_status_display()}"

    @property
    def community(self) -> Community:
        return self.plan.community

    @property
    def color(self) -> str:
        return self.COLORS[self.status]
