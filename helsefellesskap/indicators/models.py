"""Steering information: indicator definitions, the figures behind them, and what the analysis
group says about them.

Figures are stored as a numerator and a denominator per indicator, municipality, period and
breakdown (age band, sex, priority group), never as a rate: every level above (region, community,
a longer period, all ages) is sum(numerator) / sum(denominator) × factor. Standardised rates are
made from the age and sex strata at read time (see `stats`). No row-level patient data is ever
stored: event files are read by DuckDB into these aggregates and then deleted (`compute`)."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from helsefellesskap.actionplan.models import PriorityGroup
from helsefellesskap.core.concurrency import Versioned
from helsefellesskap.core.models import CommunityOwned
from helsefellesskap.core.policies import PolicyQuerySet
from helsefellesskap.organisation.models import Community, Party

# The five age groups the national statistics standardise by; every age split of an indicator
# (0–69 / 70+, 0–79 / 80+) is a union of them.
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-17", 0, 17),
    ("18-49", 18, 49),
    ("50-69", 50, 69),
    ("70-79", 70, 79),
    ("80+", 80, None),
)
AGE_BAND_CODES = tuple(code for code, _low, _high in AGE_BANDS)


class Sex(models.TextChoices):
    FEMALE = "f", _("Kvinner")
    MALE = "m", _("Menn")


class Frequency(models.TextChoices):
    MONTH = "month", _("Måned")
    TERTIAL = "tertial", _("Tertial")
    HALF_YEAR = "half", _("Halvår")
    YEAR = "year", _("År")


class Source(models.TextChoices):
    NPR = "npr", _("Norsk pasientregister (NPR)")
    KPR = "kpr", _("Kommunalt pasient- og brukerregister (KPR)")
    SSB = "ssb", _("Statistisk sentralbyrå (SSB)")
    OWN = "own", _("Egne data")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("Høyere er bedre")
    LOWER_IS_BETTER = "lower", _("Lavere er bedre")
    NEUTRAL = "neutral", _("Verken høyere eller lavere er bedre")


class IndicatorQuerySet(PolicyQuerySet["Indicator"]):
    def national(self) -> IndicatorQuerySet:
        return self.filter(community__isnull=True)


class Indicator(Versioned, models.Model):
    """A definition. Without a community it belongs to the national library that every community
    reads and may copy; with one, it is that community's own (copied or made from scratch)."""

    class Computation(models.TextChoices):
        """The figures the product computes itself from event data (see `compute`)."""

        NONE = "", _("Importeres som tabell")
        READMISSION_30D = "readmission_30d", _("Reinnleggelser innen 30 dager")
        DISCHARGE_READY_PATIENTS = "discharge_ready_patients", _("Utskrivningsklare pasienter")
        DISCHARGE_READY_DAYS = "discharge_ready_days", _("Liggedøgn for utskrivningsklare")
        ACUTE_ADMISSIONS = "acute_admissions", _("Øyeblikkelig hjelp-innleggelser")
        MUNICIPAL_ACUTE_BEDS = "municipal_acute_beds", _("Opphold i kommunale akuttdøgnplasser")
        HEAVY_USERS = "heavy_users", _("Storbrukere av sykehus")

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fellesskap"),
        help_text=_("Tomt: en nasjonal definisjon som alle fellesskap kan lese og kopiere."),
    )
    code = models.SlugField(_("kode"), max_length=60)
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, max_length=5000)
    numerator_text = models.TextField(_("teller"), max_length=2000)
    denominator_text = models.TextField(_("nevner"), max_length=2000)
    factor = models.PositiveIntegerField(
        _("faktor"),
        default=100,
        choices=[(1, "1"), (100, "100"), (1000, "1 000"), (100_000, "100 000")],
        help_text=_("Andelen eller raten vises som teller / nevner × faktor."),
    )
    unit = models.CharField(_("enhet"), max_length=60, help_text=_("For eksempel «prosent»."))
    direction = models.CharField(
        _("retning"), max_length=8, choices=Direction.choices, default=Direction.LOWER_IS_BETTER
    )
    priority_groups = models.JSONField(_("prioriterte grupper"), default=list, blank=True)
    age_splits = models.JSONField(
        _("aldersgrupper som vises"),
        default=list,
        blank=True,
        help_text=_('For eksempel ["0-69", "70+"]; tomt: alle aldre samlet.'),
    )
    by_sex = models.BooleanField(_("fordelt på kjønn"), default=False)
    standardised = models.BooleanField(
        _("standardisert for alder og kjønn"),
        default=False,
        help_text=_("Mot befolkningen i hele fellesskapet, så kommunene kan sammenlignes."),
    )
    is_proportion = models.BooleanField(
        _("andel"),
        default=True,
        help_text=_("En andel (telleren er en del av nevneren), ellers en rate per innbyggere."),
    )
    source = models.CharField(_("kilde"), max_length=8, choices=Source.choices)
    frequency = models.CharField(
        _("hyppighet"), max_length=8, choices=Frequency.choices, default=Frequency.HALF_YEAR
    )
    suppress_below = models.PositiveSmallIntegerField(
        _("prikkes under"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_("Tall fra 1 til én under denne verdien skjules utenfor analysegruppen."),
    )
    computation = models.CharField(
        _("beregning"), max_length=32, choices=Computation.choices, blank=True, default=""
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("kopiert fra"),
    )
    is_published = models.BooleanField(
        _("publisert"), default=False, help_text=_("Vises for alle, alltid med prikking.")
    )
    share_small_numbers = models.BooleanField(
        _("små tall deles internt"),
        default=False,
        help_text=_("Medlemmer av fellesskapets organer ser også tall under prikkegrensen."),
    )
    measure_lineages = models.JSONField(
        _("tiltak i handlingsplanen"),
        default=list,
        blank=True,
        help_text=_("Tiltakene (og målene) som skal flytte dette tallet."),
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("indikatorer")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "code"], name="indicator_code_per_community"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(community__isnull=True),
                name="national_indicator_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_national(self) -> bool:
        return self.community_id is None


class DataLoad(CommunityOwned):
    """One file loaded into the figures: an aggregate table, or an event file computed with
    DuckDB. Runs as a background task; the page polls `progress`."""

    class Kind(models.TextChoices):
        AGGREGATE = "aggregate", _("Tabell med tellere og nevnere")
        EVENTS = "events", _("Sykehusopphold (pseudonymisert)")
        POPULATION = "population", _("Befolkning")
        DEMO = "demo", _("Syntetiske data (demo)")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Venter")
        RUNNING = "running", _("Pågår")
        PREVIEW = "preview", _("Klar til godkjenning")
        DONE = "done", _("Ferdig")
        FAILED = "failed", _("Feilet")

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.WAITING
    )
    file_name = models.CharField(_("filnavn"), max_length=250, blank=True)
    # Where the uploaded file waits for its task, inside the protected folder; emptied as soon as
    # the file has been read (event files hold row-level data and are never kept).
    stored_path = models.CharField(max_length=500, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    progress = models.PositiveSmallIntegerField(_("fremdrift (prosent)"), default=0)
    progress_text = models.CharField(max_length=200, blank=True)
    rows_read = models.PositiveIntegerField(_("rader lest"), default=0)
    summary = models.JSONField(_("oppsummering"), default=dict, blank=True)
    errors = models.JSONField(_("feil"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("lastet av"),
    )
    created_at = models.DateTimeField(_("lastet"), auto_now_add=True)
    finished_at = models.DateTimeField(_("ferdig"), null=True, blank=True)

    class Meta:
        verbose_name = _("datainnlasting")
        verbose_name_plural = _("datainnlastinger")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}".strip()


class Observation(CommunityOwned):
    """A numerator and a denominator for one indicator, municipality, period and breakdown. An
    empty breakdown means "all"; the age bands are those of AGE_BANDS."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    municipality = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    period = models.CharField(
        _("periode"), max_length=10, help_text=_("2025, 2025-H1, 2025-T2 eller 2025-03.")
    )
    period_start = models.DateField(_("periodestart"))
    period_kind = models.CharField(_("periodetype"), max_length=8, choices=Frequency.choices)
    age_band = models.CharField(_("aldersgruppe"), max_length=8, blank=True)
    sex = models.CharField(_("kjønn"), max_length=1, blank=True, choices=Sex.choices)
    priority_group = models.CharField(
        _("prioritert gruppe"), max_length=32, blank=True, choices=PriorityGroup.choices
    )
    numerator = models.PositiveIntegerField(_("teller"))
    denominator = models.PositiveIntegerField(_("nevner"))
    load = models.ForeignKey(
        DataLoad, on_delete=models.SET_NULL, null=True, blank=True, related_name="observations"
    )

    other_community_messages: ClassVar = {
        "municipality": _("Kommunen hører til et annet helsefellesskap.")
    }

    class Meta:
        verbose_name = _("måling")
        verbose_name_plural = _("målinger")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "community",
                    "indicator",
                    "municipality",
                    "period",
                    "age_band",
                    "sex",
                    "priority_group",
                ],
                name="one_observation_per_cell",
            )
        ]
        indexes = [models.Index(fields=["indicator", "period_start"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.municipality} {self.period}"


class Population(CommunityOwned):
    """Inhabitants per municipality, year, sex and age band: the denominators of the rates per
    1,000 and the standard population of the age- and sex-standardised ones."""

    municipality = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    sex = models.CharField(_("kjønn"), max_length=1, choices=Sex.choices)
    age_band = models.CharField(_("aldersgruppe"), max_length=8)
    count = models.PositiveIntegerField(_("innbyggere"))

    class Meta:
        verbose_name = _("befolkningstall")
        verbose_name_plural = _("befolkningstall")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "municipality", "year", "sex", "age_band"],
                name="one_population_per_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year} {self.sex} {self.age_band}"


def half_year_start(year: int, half: int) -> datetime.date:
    return datetime.date(year, 1 if half == 1 else 7, 1)


class Commentary(Versioned, CommunityOwned):
    """What the analysis group says about an indicator for one half-year, for the ASU report."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="commentary")
    year = models.PositiveSmallIntegerField(_("år"))
    half = models.PositiveSmallIntegerField(_("halvår"), choices=[(1, _("Vår")), (2, _("Høst"))])
    text = models.TextField(_("kommentar"), max_length=5000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("endret"), auto_now=True)

    class Meta:
        verbose_name = _("kommentar")
        verbose_name_plural = _("kommentarer")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "indicator", "year", "half"], name="one_comment_per_half"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}-H{self.half}"


class AsuReport(Versioned, CommunityOwned):
    """The twice-yearly report to ASU: chosen indicators with charts, tables and commentary for a
    half-year. Published reports are public (with suppression)."""

    year = models.PositiveSmallIntegerField(_("år"))
    half = models.PositiveSmallIntegerField(_("halvår"), choices=[(1, _("Vår")), (2, _("Høst"))])
    title = models.CharField(_("tittel"), max_length=200)
    introduction = models.TextField(_("innledning"), blank=True, max_length=10000)
    indicators = models.ManyToManyField(Indicator, related_name="reports", blank=True)
    is_published = models.BooleanField(_("publisert"), default=False)
    published_at = models.DateTimeField(_("publisert"), null=True, blank=True)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("rapport til ASU")
        verbose_name_plural = _("rapporter til ASU")
        ordering = ["-year", "-half"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "year", "half"], name="one_asu_report_per_half"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period(self) -> str:
        return f"{self.year}-H{self.half}"
