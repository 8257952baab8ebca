"""Demo data for the annual wheel of both demo communities: rules for the meetings of ASU, PSU,
AU and the councils over this year and the next, their proposals (those up to two months ahead
confirmed, which creates the meetings through the cases service), and the yearly events: the
deviation report in February, the indicator reports to ASU in April and October, the dialogue
meeting with the user organisations in spring, the plan revision (ASU in September, PSU in
November) and the theme day in October.

Idempotent: a community that already has rules is left alone. Load it after the organisation
demo and after the cases demo: a rule proposes no date where the body already has a meeting,
and for a body that already has past meetings the past is left to them (no extra past meetings
are made)."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from helsefellesskap.annualwheel import schedule, services
from helsefellesskap.annualwheel.models import Kind, RecurrenceRule, WheelEvent
from helsefellesskap.cases.models import Meeting
from helsefellesskap.organisation.models import Body, Community

COMMUNITIES = {
    "nordre-trondelag": "Sykehuset Levanger, møterom Innherred",
    "st-olavs": "St. Olavs hospital, Kunnskapssenteret",
}
# slug or kind -> (title, interval in weeks, weekday, start, minutes, place: None = community's)
RULES = {
    "asu": ("Møte i ASU", 6, 3, datetime.time(9, 0), 240, None),
    "psu": ("Møte i PSU", 12, 4, datetime.time(10, 0), 180, None),
    "au": ("Møte i AU", 2, 0, datetime.time(13, 0), 60, "Teams"),
    Body.Kind.COUNCIL: ("Møte i {name}", 8, 2, datetime.time(12, 0), 120, "Teams"),
}
CONFIRM_AHEAD = datetime.timedelta(days=61)  # about two months


def _free_day(day: datetime.date) -> datetime.date:
    """`day`, or the next free working day after it."""
    while not schedule.is_free(day):
        day += datetime.timedelta(days=1)
    return day


def _yearly_events(year: int, bodies: dict[str, Body], place: str) -> list[dict]:
    asu, psu = bodies.get("asu"), bodies.get("psu")
    events: list[dict[str, Any]] = [
        {
            "kind": Kind.DEVIATION_REPORT,
            "title": "Årsrapport for samhandlingsavvik til ASU",
            "body": asu,
            "day": datetime.date(year, 2, 10),
            "description": "Volum, kategorier, svartider og læringspunkter fra fjoråret.",
        },
        {
            "kind": Kind.INDICATOR_REPORT_SPRING,
            "title": "Styringsinformasjon til ASU (vår)",
            "body": asu,
            "day": datetime.date(year, 4, 20),
            "description": "Analysegruppen legger fram indikatorene for forrige halvår.",
        },
        {
            "kind": Kind.DIALOGUE_MEETING,
            "title": "Dialogmøte med brukerorganisasjonene",
            "body": None,
            "day": datetime.date(year, 5, 5),
            "times": (datetime.time(10, 0), datetime.time(14, 0)),
            "location": place,
            "description": "Årlig møte med brukerorganisasjonene om samhandlingen.",
        },
        {
            "kind": Kind.PLAN_REVISION,
            "title": "Revisjon av handlingsplanen: ASU gir innstilling",
            "body": asu,
            "day": datetime.date(year, 9, 15),
            "description": "Forslag til revidert handlingsplan for neste år.",
        },
        {
            "kind": Kind.THEME_DAY,
            "title": "Temadag for helsefellesskapet",
            "body": None,
            "day": datetime.date(year, 10, 14),
            "times": (datetime.time(9, 0), datetime.time(15, 30)),
            "location": place,
            "description": "Felles fagdag for kommunene, helseforetaket, fastlegene og brukerne.",
        },
        {
            "kind": Kind.INDICATOR_REPORT_AUTUMN,
            "title": "Styringsinformasjon til ASU (høst)",
            "body": asu,
            "day": datetime.date(year, 10, 20),
            "description": "Analysegruppen legger fram indikatorene for første halvår.",
        },
        {
            "kind": Kind.PLAN_REVISION,
            "title": "Revidert handlingsplan til vedtak i PSU",
            "body": psu,
            "day": datetime.date(year, 11, 20),
            "description": "PSU vedtar den reviderte handlingsplanen etter innstilling fra ASU.",
        },
    ]
    return events


def _event_values(spec: dict) -> dict:
    day = _free_day(spec["day"])
    if "times" in spec:
        start, end = spec["times"]
        starts_at, ends_at, all_day = (
            services.local_datetime(day, start),
            services.local_datetime(day, end),
            False,
        )
    else:
        starts_at = ends_at = services.local_datetime(day, datetime.time.min)
        all_day = True
    return {
        "kind": spec["kind"],
        "title": spec["title"],
        "body": spec["body"],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "all_day": all_day,
        "location": spec.get("location", ""),
        "description": spec.get("description", ""),
        "is_public": True,
    }


def _rules_for(community: Community, bodies: dict[str, Body], year: int) -> list[dict]:
    place = COMMUNITIES[community.slug]
    specs: list[tuple[Body, str, int, int, datetime.time, int, str | None, int]] = []
    for slug in ("asu", "psu", "au"):
        if slug in bodies:
            title, weeks, weekday, start, minutes, where = RULES[slug]
            specs.append((bodies[slug], title, weeks, weekday, start, minutes, where or place, 0))
    councils = [body for body in bodies.values() if body.kind == Body.Kind.COUNCIL]
    for index, council in enumerate(councils):
        title, weeks, weekday, start, minutes, where = RULES[Body.Kind.COUNCIL]
        title = title.format(name=council.short_name or council.name)
        specs.append((council, title, weeks, weekday, start, minutes, where, index))
    first = datetime.date(year, 1, 5)
    first -= datetime.timedelta(days=first.weekday())  # the Monday of the first full week
    return [
        {
            "body": body,
            "kind": Kind.BODY_MEETING,
            "title": title,
            "interval_weeks": weeks,
            "first_date": first + datetime.timedelta(weeks=1 + offset % 4, days=weekday),
            "end_date": None,
            "weekday": weekday,
            "start_time": start,
            "duration_minutes": minutes,
            "location": where,
            "is_public": body.is_public,
        }
        for body, title, weeks, weekday, start, minutes, where, offset in specs
    ]


def load_demo_wheel(today: datetime.date | None = None) -> dict:
    """Load the wheel of both demo communities. Returns counts; `created` is what this run
    added."""
    today = today or timezone.localdate()
    years = [today.year, today.year + 1]
    counts = {"communities": 0, "rules": 0, "proposals": 0, "meetings": 0, "events": 0}
    for slug, place in COMMUNITIES.items():
        community = Community.objects.filter(slug=slug).first()
        if community is None or RecurrenceRule.objects.filter(community=community).exists():
            continue
        bodies = {body.slug: body for body in Body.objects.filter(community=community)}
        met_before = set(
            Meeting.objects.filter(community=community, starts_at__date__lt=today).values_list(
                "bodies", flat=True
            )
        )
        with transaction.atomic():
            counts["communities"] += 1
            proposals = []
            for values in _rules_for(community, bodies, today.year):
                rule = services.rule_save(
                    actor=None, rule=RecurrenceRule(community=community), **values
                )
                counts["rules"] += 1
                for year in years:
                    proposals += services.rule_generate(actor=None, rule=rule, year=year)
            counts["proposals"] += len(proposals)
            horizon = today + CONFIRM_AHEAD
            for event in proposals:
                day = timezone.localdate(event.starts_at)
                if day < today and event.body_id in met_before:
                    # The cases demo already holds this body's past; keep it as it is.
                    services.event_delete(actor=None, event=event)
                    counts["proposals"] -= 1
                elif day <= horizon:
                    event = services.event_confirm(actor=None, event=event)
                    counts["meetings"] += 1 if event.meeting_id else 0
            for year in years:
                for spec in _yearly_events(year, bodies, place):
                    services.event_save(
                        actor=None, event=WheelEvent(community=community), **_event_values(spec)
                    )
                    counts["events"] += 1
    counts["created"] = sum(counts[k] for k in ("rules", "proposals", "meetings", "events"))
    return counts
