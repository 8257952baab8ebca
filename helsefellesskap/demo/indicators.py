"""Demo data for steering information, loaded through the product's own load path.

For both communities (whose analysis groups are in the organisation demo: St. Olavs' internal
«Analysegruppe», and one for Helse Nord-Trøndelag of people who sit in its other bodies): the
population of 2023–2025 from `synthetic.population_rows`, three years of synthetic stays
(`synthetic.generate_stays`, written to a temporary file and loaded as an event file, so the
DuckDB computation, the copies of the national definitions and the writing of the figures are the
product's), the epicrisis indicator from a small table in `data/`, the analysis group's
commentary for the latest half-year and one published report to ASU.

The years are fixed, like the table in `data/`: the figures are the same whenever the demo is
loaded. Idempotent: a load whose file (or, for the synthetic stays, whose parameters) was loaded
before is not loaded again, and every other row is found by its natural key and saved only when
it is new or differs; a second run reports 0 new and 0 changed rows. No real patient anywhere."""

import datetime
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q

from helsefellesskap.indicators import services, synthetic
from helsefellesskap.indicators.models import (
    AsuReport,
    Commentary,
    DataLoad,
    Indicator,
    Observation,
    Population,
)
from helsefellesskap.organisation.models import Body, Community, Membership, Party

from .organisation import DATA_DIR, _Loader

YEARS = (2023, 2024, 2025)
LATEST = (2025, 2)  # the half-year the commentary and the report are about
AGGREGATE_CODE = "epikrise-innen-1-dag"

COMMUNITIES: dict[str, dict[str, Any]] = {
    "nordre-trondelag": {
        "table": DATA_DIR / "indikator_epikriser_hnt.csv",
        "seed": 11,
    },
    "st-olavs": {"table": DATA_DIR / "indikator_epikriser_stolav.csv", "seed": 12},
}

COMMENTARY = {
    "reinnleggelser-30-dager": (
        "Andelen reinnleggelser innen 30 dager er klart høyere for 70 år og eldre enn for 0–69 "
        "år. Forskjellene mellom kommunene er for det meste innenfor konfidensintervallene; "
        "analysegruppen foreslår at ASU ser nærmere på oppfølgingen av de eldste etter "
        "utskrivning."
    ),
    "utskrivningsklare-liggedogn": (
        "Liggedøgnene for utskrivningsklare pasienter varierer mye mellom kommunene, også når "
        "tallene er standardisert for alder og kjønn. Analysegruppen foreslår at fagrådet for "
        "pasientsamarbeid ser på rutinene for tidlig melding i kommunene med de høyeste tallene."
    ),
    AGGREGATE_CODE: (
        "Stadig flere epikriser sendes innen én dag etter utskrivning, i nesten alle kommunene. "
        "Analysegruppen følger tallet videre, fordi det henger sammen med reinnleggelsene."
    ),
}
PUBLISHED = ("reinnleggelser-30-dager", "utskrivningsklare-liggedogn", "akuttinnleggelser",
             AGGREGATE_CODE)  # fmt: skip


def load_demo_indicators() -> dict[str, int]:
    """Create or bring up to date the steering information of both demo communities."""
    loader = _Loader()
    counts: Counter[str] = Counter()
    for community in Community.objects.filter(slug__in=COMMUNITIES).order_by("pk"):
        spec = COMMUNITIES[community.slug]
        with transaction.atomic():
            before = _totals(community)
            _load_population(community, counts)
            _load_stays(community, spec["seed"], counts)
            _load_table(community, spec["table"], counts)
            _publish(loader, community)
            _commentary(loader, community)
            _report(loader, community)
            counts["created"] += _totals(community) - before
    rows = {"community__slug__in": list(COMMUNITIES)}
    return {
        "indicators": Indicator.objects.filter(**rows).count(),
        "observations": Observation.objects.filter(**rows).count(),
        "population": Population.objects.filter(**rows).count(),
        "created": counts["created"] + counts["new"] + sum(loader.created.values()),
        "updated": counts["changed"] + sum(loader.updated.values()),
    }


def _totals(community: Community) -> int:
    """Loads and definitions of the community: what the load path creates besides figures."""
    return (
        DataLoad.objects.filter(community=community).count()
        + Indicator.objects.filter(community=community).count()
    )


def _already_loaded(community: Community, **match: Any) -> bool:
    return DataLoad.objects.filter(
        community=community, status=DataLoad.Status.DONE, **match
    ).exists()


def _run(community: Community, kind: str, name: str, content: bytes, counts: Counter[str]):
    """Load a file as an analyst would, through preview and apply (or the event path), here
    and now rather than by the worker."""
    load = services.load_create(
        actor=None,
        community=community,
        kind=kind,
        file_name=name,
        chunks=[content],
        enqueue=False,
    )
    result = services.load_run(load)
    if result is not None and result.status == DataLoad.Status.PREVIEW:
        services.load_confirm(actor=None, load=result, enqueue=False)
        result = services.load_run(result)
    if result is None or result.status != DataLoad.Status.DONE:
        errors = result.errors if result is not None else []
        raise RuntimeError(f"Demo load of {name} for {community.slug} failed: {errors}")
    counts["new"] += result.summary["new"]
    counts["changed"] += result.summary["changed"]


def _municipalities(community: Community) -> list[tuple[str, int]]:
    """(number, inhabitants) of the community's municipalities, as the generator wants them."""
    rows = (
        Party.objects.filter(community=community, kind=Party.Kind.MUNICIPALITY)
        .exclude(municipality_number="")
        .order_by("municipality_number")
        .values_list("municipality_number", "population")
    )
    return [(number, population or 0) for number, population in rows]


def _load_population(community: Community, counts: Counter[str]) -> None:
    rows = synthetic.population_rows(_municipalities(community), YEARS)
    lines = ["kommune;år;kjønn;aldersgruppe;antall"]
    lines += [f"{r.municipality};{r.year};{r.sex};{r.age_band};{r.count}" for r in rows]
    content = ("\n".join(lines) + "\n").encode()
    if _already_loaded(community, content_hash=services.load_content_hash(content)):
        return
    _run(community, DataLoad.Kind.POPULATION, "befolkning-demo.csv", content, counts)


def _load_stays(community: Community, seed: int, counts: Counter[str]) -> None:
    """Synthetic stays; the parameters name the file, so the same ones are not loaded twice."""
    name = f"syntetiske-opphold-{YEARS[0]}-{YEARS[-1]}-frø-{seed}.parquet"
    if _already_loaded(community, kind=DataLoad.Kind.DEMO, file_name=name):
        return
    municipalities = [
        (number, population or 0) for number, population in _municipalities(community)
    ]
    with tempfile.TemporaryDirectory(prefix="demo-opphold-") as folder:
        path = Path(folder) / name
        synthetic.generate_stays(path, municipalities=municipalities, years=YEARS, seed=seed)
        content = path.read_bytes()
    _run(community, DataLoad.Kind.DEMO, name, content, counts)


def _load_table(community: Community, table: Path, counts: Counter[str]) -> None:
    """The epicrisis figures, on the community's copy of the national definition."""
    if not Indicator.objects.filter(community=community, code=AGGREGATE_CODE).exists():
        national = Indicator.objects.get(community__isnull=True, code=AGGREGATE_CODE)
        services.indicator_copy(actor=None, community=community, national=national)
    content = table.read_bytes()
    if _already_loaded(community, content_hash=services.load_content_hash(content)):
        return
    _run(community, DataLoad.Kind.AGGREGATE, table.name, content, counts)


def _publish(loader: _Loader, community: Community) -> None:
    for indicator in Indicator.objects.filter(community=community, code__in=PUBLISHED):
        loader.upsert(Indicator, {"pk": indicator.pk}, {"is_published": True})


def _author(community: Community) -> Any:
    """The analysis group's first member with a login, else the secretariat's."""
    seats = (
        Membership.objects.current()
        .filter(community=community, person__user__isnull=False)
        .select_related("person__user")
    )
    for kind in (Body.Kind.ANALYSIS_GROUP, Body.Kind.SECRETARIAT):
        seat = seats.filter(body__kind=kind).order_by("pk").first()
        if seat is not None:
            return seat.person.user
    return None


def _commentary(loader: _Loader, community: Community) -> None:
    year, half = LATEST
    author = _author(community)
    for code, text in COMMENTARY.items():
        indicator = Indicator.objects.get(community=community, code=code)
        loader.upsert(
            Commentary,
            {"community": community, "indicator": indicator, "year": year, "half": half},
            {"text": text, "author": author},
        )


def _report(loader: _Loader, community: Community) -> None:
    year, half = LATEST
    report = loader.upsert(
        AsuReport,
        {"community": community, "year": year, "half": half},
        {
            "title": f"Styringsinformasjon til ASU, {half}. halvår {year}",
            "introduction": (
                "Analysegruppen legger fram utvalgte indikatorer for fellesskapet med kommentarer. "
                "Tall under 5 er prikket, og en kommunes tall vises med 95 % konfidensintervall, "
                "så en liten kommune ikke pekes ut av tilfeldigheter."
            ),
            "is_published": True,
            "published_at": datetime.datetime(year + 1, 3, 15, 9, 0, tzinfo=datetime.UTC),
        },
    )
    wanted = set(
        Indicator.objects.filter(
            Q(code__in=COMMENTARY) | Q(code__in=PUBLISHED), community=community
        ).values_list("pk", flat=True)
    )
    if set(report.indicators.values_list("pk", flat=True)) != wanted:
        report.indicators.set(wanted)
        loader.updated["AsuReport.indicators"] += 1
