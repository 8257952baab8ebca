"""Demo data for the action plan: both real plans from the source documents (the data files next
to this module), and a year of synthetic status reports so the views have something to show.
Idempotent: a plan that is there is left alone, and reports are only made for a plan with none."""

import datetime
import json
import random
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from helsefellesskap.actionplan import services
from helsefellesskap.actionplan.models import ActionPlan, Measure, StatusReport
from helsefellesskap.organisation.models import Body, Community

DATA_DIR = Path(__file__).resolve().parent / "data"
PLANS = [
    ("nordre-trondelag", "plan_hnt_2022_2025.json"),
    ("st-olavs", "plan_stolav_2022_2024.json"),
]
Status = StatusReport.Status

# What a council writes when it reports; no patient data, no names.
TEXTS = {
    Status.NOT_STARTED: [
        "Ikke prioritert ennå; tas opp i fagrådets arbeidsplan for neste halvår.",
        "Venter på avklaring i ASU om mandat og ressurser.",
    ],
    Status.STARTED: [
        "Arbeidsgruppe er nedsatt, første møte avholdt.",
        "Kartlegging er startet i samarbeid med kommunene.",
    ],
    Status.IN_PROGRESS: [
        "Utkast er på høring i fagrådet; legges fram for ASU i neste møte.",
        "Pilot pågår i to kommuner og ved sykehuset. Erfaringene samles til høsten.",
        "Arbeidet går etter planen; felles rutine er under utarbeiding.",
    ],
    Status.COMPLETED: [
        "Rutine er vedtatt i ASU og publisert på samhandlingssidene.",
        "Tiltaket er gjennomført og evaluert. Videre drift er lagt til linjen.",
    ],
    Status.POSTPONED: [
        "Utsatt til neste år på grunn av kapasitet i sekretariatet.",
        "Utsatt i påvente av innføringen av ny journalløsning.",
    ],
    Status.CANCELLED: ["Avsluttet: tiltaket er dekket av et nasjonalt forløp."],
}
# Where a measure ends up after a year of work, weighted to look like a real plan.
PATHS = [
    ([Status.NOT_STARTED], 2),
    ([Status.STARTED], 2),
    ([Status.STARTED, Status.IN_PROGRESS], 5),
    ([Status.STARTED, Status.IN_PROGRESS, Status.COMPLETED], 4),
    ([Status.IN_PROGRESS, Status.COMPLETED], 2),
    ([Status.STARTED, Status.POSTPONED], 2),
    ([Status.CANCELLED], 1),
]
# A measure whose last year has passed is most often done by now.
PATHS_PAST = [
    ([Status.STARTED, Status.IN_PROGRESS, Status.COMPLETED], 8),
    ([Status.IN_PROGRESS, Status.COMPLETED], 5),
    ([Status.STARTED, Status.IN_PROGRESS], 3),
    ([Status.STARTED, Status.POSTPONED], 2),
    ([Status.NOT_STARTED], 1),
    ([Status.CANCELLED], 1),
]


def load_demo_plans(today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    created = 0
    with transaction.atomic():
        for slug, filename in PLANS:
            community = Community.objects.filter(slug=slug).first()
            if community is None:
                continue
            data = json.loads((DATA_DIR / filename).read_text(encoding="utf-8"))
            plan_slug = f"handlingsplan-{data['period_start']}-{data['period_end']}"
            plan = ActionPlan.objects.filter(community=community, slug=plan_slug).first()
            if plan is None:
                version = services.plan_import(actor=None, community=community, data=data)
                plan = version.plan
                plan.status_is_public = True
                plan.save(update_fields=["status_is_public"])
                created += 1
            if not plan.status_reports.exists():
                created += _status_reports(plan, today)
    return {
        "plans": ActionPlan.objects.count(),
        "measures": Measure.objects.filter(version__is_current=True).count(),
        "reports": StatusReport.objects.count(),
        "created": created,
    }


def _status_reports(plan: ActionPlan, today: datetime.date) -> int:
    rng = random.Random(f"{plan.community.slug}-{plan.slug}")  # the same demo every time
    secretariat = Body.objects.filter(community=plan.community, kind=Body.Kind.SECRETARIAT).first()
    version = plan.versions.get(is_current=True)
    reports = []
    measures = version.measures.prefetch_related("responsible_bodies", "years").order_by("order")
    for measure in measures:
        years = [y.year for y in measure.years.all()]
        past = bool(years) and max(years) < today.year
        paths, weights = zip(*(PATHS_PAST if past else PATHS), strict=True)
        path = rng.choices(paths, weights=weights)[0]
        bodies: list[Body | None] = list(measure.responsible_bodies.all()) or [secretariat]
        day = today - datetime.timedelta(days=rng.randint(300, 380))
        for status in path:
            day += datetime.timedelta(days=rng.randint(40, 120))
            if day > today:
                break
            reports.append(
                StatusReport(
                    plan=plan,
                    lineage=measure.lineage,
                    measure=measure,
                    status=status,
                    text=rng.choice(TEXTS[status]),
                    reported_on=day,
                    body=rng.choice(bodies),
                )
            )
    StatusReport.objects.bulk_create(reports)
    return len(reports)
