"""Demo data for the deviation routine: units of the parties, handlers, health workers with
logins, and about 400 synthetic deviations over the last 14 months in plausible proportions.
No text names or identifies anyone. Idempotent: a community that has deviations is left alone."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from helsefellesskap.actionplan.models import Measure
from helsefellesskap.demo.organisation import DEMO_PASSWORD
from helsefellesskap.deviations import services
from helsefellesskap.deviations.models import Category, Deviation, Event, Handler, Theme
from helsefellesskap.organisation.models import Community, Party, Person, Unit

HOSPITAL_UNITS = [
    "Akuttmottaket",
    "Medisinsk klinikk",
    "Kirurgisk klinikk",
    "Ortopedisk avdeling",
    "Klinikk for psykisk helsevern",
    "Geriatrisk avdeling",
]
MUNICIPAL_UNITS = ["Hjemmetjenesten", "Sykehjemmet", "Legevakta", "Helsehuset (KAD-senger)"]

# Per community: (slug, hospital name, main municipality, share of all demo deviations)
COMMUNITIES = {
    "nordre-trondelag": ("Helse Nord-Trøndelag HF", "Steinkjer", "hnt", 170),
    "st-olavs": ("St. Olavs hospital HF", "Trondheim", "stolav", 230),
}

PEOPLE = [  # (e-mail pattern, given, family, title, where, role, description for the login list)
    (
        "sykepleier.{key}@example.no",
        "Hilde",
        "Sandvik",
        "Sykepleier",
        "municipal_unit",
        "reporter",
        "Sykepleier i hjemmetjenesten, {municipality} (melder avvik)",
    ),
    (
        "avvik.{key}@example.no",
        "Øystein",
        "Bratli",
        "Kvalitetsrådgiver",
        "hospital",
        "handler",
        "Avviksbehandler, {hospital}",
    ),
    (
        "avvik.{municipality_slug}@example.no",
        "Randi",
        "Holmen",
        "Enhetsleder",
        "municipality",
        "handler",
        "Avviksbehandler, {municipality} kommune",
    ),
    (
        "praksiskonsulent.{key}@example.no",
        "Gunnar",
        "Aune",
        "Praksiskonsulent",
        "hospital",
        "liaison",
        "Praksiskonsulent (fastlegeavvik), {hospital}",
    ),
    (
        "lege.avdeling.{key}@example.no",
        "Marte",
        "Fossum",
        "Overlege",
        "hospital_unit",
        "reporter",
        None,
    ),
]

TEXTS = {
    "Innleggelse": [
        "Pasienten ble sendt til akuttmottaket uten innleggelsesrapport fra kommunen.",
        "Henvisning manglet opplysninger om faste legemidler og funksjonsnivå.",
    ],
    "Utskrivning": [
        "Pasienten ble skrevet ut sent fredag kveld uten at hjemmetjenesten var varslet.",
        "Utskrivning skjedde før avtalt tidspunkt; hjelpemidler var ikke på plass i hjemmet.",
    ],
    "Utskrivningsklare pasienter": [
        "Melding om utskrivningsklar pasient kom først dagen etter at pasienten var klar.",
        "Kommunen tok ikke imot utskrivningsklar pasient innen avtalt frist.",
    ],
    "Epikrise og annen dokumentasjon": [
        "Epikrise var ikke sendt ved utskrivning. Oppdatert legemiddelliste manglet første døgn.",
        "Sykepleiesammenfatning kom tre dager etter utskrivning.",
    ],
    "Legemidler": [
        "Legemiddellisten i epikrisen stemte ikke med det pasienten fikk med seg hjem.",
        "Pasienten kom til sykehjemmet uten legemidler til helgen.",
    ],
    "Elektroniske meldinger": [
        "PLO-melding om innleggelse ble ikke besvart. Meldingen ble sendt til feil HER-id.",
        "Dialogmelding fra fastlegen ble ikke besvart innen avtalt tid.",
    ],
    "Tilgjengelighet og kommunikasjon": [
        "Sengeposten var ikke mulig å nå på telefon på kveldstid.",
        "Legevakta fikk ikke tak i vakthavende lege for avklaring.",
    ],
    "Hjelpemidler og utstyr": [
        "Pasienten ble utskrevet med behov for oksygen uten at utstyr var bestilt.",
    ],
    "Brudd på avtale eller retningslinje": [
        "Retningslinjen for varsling ved utskrivning ble ikke fulgt.",
    ],
    "Annet": ["Uklar ansvarsfordeling ved overføring mellom avdeling og kommune."],
}
ANSWERS = [
    "Saken er gjennomgått med avdelingen. Rutinen for utskrivning er presisert.",
    "Beklager. Meldingen ble sendt manuelt etter at feilen ble oppdaget. Rutine er oppdatert.",
    "Vi har tatt opp saken i personalmøtet og lagt inn sjekkpunkt i utskrivningslisten.",
    "Saken skyldtes feil adresse i adresseregisteret, som nå er rettet.",
]
CATEGORY_WEIGHTS = {
    "Epikrise og annen dokumentasjon": 20,
    "Elektroniske meldinger": 15,
    "Utskrivning": 15,
    "Legemidler": 12,
    "Utskrivningsklare pasienter": 8,
    "Innleggelse": 8,
    "Tilgjengelighet og kommunikasjon": 8,
    "Hjelpemidler og utstyr": 5,
    "Brudd på avtale eller retningslinje": 5,
    "Annet": 4,
}
THEMES: dict[str, list[tuple[str, str, str | None]]] = {
    "nordre-trondelag": [
        ("Epikrise mangler ved utskrivning på fredager", "followed_up", "13 c)"),
        ("PLO-meldinger til feil HER-id", "open", None),
    ],
    "st-olavs": [
        ("Sen melding om utskrivningsklare pasienter", "followed_up", "2.1.1"),
        ("Legemiddellister som ikke stemmer ved overføring", "open", "0.6.1"),
    ],
}


def load_demo_deviations(today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    logins, created = [], 0
    with transaction.atomic():
        for slug, (hospital_name, main, key, volume) in COMMUNITIES.items():
            community = Community.objects.filter(slug=slug).first()
            if community is None:
                continue
            services.categories_ensure_defaults(community)
            hospital = Party.objects.get(community=community, name=hospital_name)
            municipality = Party.objects.get(community=community, name=main)
            logins += _people(community, hospital, municipality, key)
            if not Deviation.objects.filter(community=community).exists():
                created += _deviations(community, hospital, volume, today)
    return {"deviations": Deviation.objects.count(), "created": created, "logins": logins}


def _units(community, party, names):
    return [
        Unit.objects.get_or_create(community=community, party=party, name=name)[0] for name in names
    ]


def _people(community, hospital, municipality, key) -> list[tuple[str, str]]:
    hospital_units = _units(community, hospital, HOSPITAL_UNITS)
    municipal_units = _units(community, municipality, MUNICIPAL_UNITS)
    User = get_user_model()
    logins = []
    for pattern, given, family, title, where, role, description in PEOPLE:
        email = pattern.format(key=key, municipality_slug=municipality.name.lower())
        party = hospital if where.startswith("hospital") else municipality
        unit = {"municipal_unit": municipal_units[0], "hospital_unit": hospital_units[1]}.get(where)
        person, _created = Person.objects.get_or_create(
            community=community,
            email=email,
            defaults={
                "given_name": given,
                "family_name": family,
                "title": title,
                "workplace": str(unit or party),
                "party": party,
                "unit": unit,
            },
        )
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, DEMO_PASSWORD, full_name=person.full_name
        )
        if person.user_id != user.pk:
            person.user = user
            person.save(update_fields=["user"])
        if role in ("handler", "liaison"):
            Handler.objects.get_or_create(
                community=community,
                party=party,
                unit=None,
                person=person,
                defaults={"is_gp_liaison": role == "liaison"},
            )
        if description:
            logins.append(
                (description.format(municipality=municipality.name, hospital=hospital.name), email)
            )
    return logins


def _deviations(community, hospital, volume, today) -> int:
    rng = random.Random(f"avvik-{community.slug}")  # the same demo every time
    categories = {c.name: c for c in Category.objects.filter(community=community)}
    names, weights = zip(*CATEGORY_WEIGHTS.items(), strict=True)
    municipalities = list(Party.objects.filter(community=community, kind=Party.Kind.MUNICIPALITY))
    sizes = [m.population or 1000 for m in municipalities]
    gp_party = Party.objects.filter(community=community, kind=Party.Kind.GP_REPRESENTATION).first()
    hospital_units = list(hospital.units.all())
    reporters = list(
        Person.objects.filter(
            community=community, user__isnull=False, party__isnull=False
        ).select_related("user")
    )
    themes = _themes(community)
    rows = []
    for _ in range(volume):
        reported = today - datetime.timedelta(days=rng.randint(0, 425))
        municipality = rng.choices(municipalities, weights=sizes)[0]
        direction = rng.choices(["m2h", "h2m", "gp", "other"], weights=[55, 30, 10, 5])[0]
        if direction == "gp" and gp_party is None:
            direction = "m2h"
        if direction == "h2m":
            reporting, concerned, unit = hospital, municipality, None
        elif direction == "gp":
            reporting, concerned, unit = gp_party, hospital, rng.choice(hospital_units)
        elif direction == "other":
            reporting, concerned, unit = municipality, rng.choice(municipalities), None
            if concerned == reporting:
                reporting, concerned = hospital, municipality
        else:
            reporting, concerned, unit = municipality, hospital, rng.choice(hospital_units)
        category = categories[rng.choices(names, weights=weights)[0]]
        deadline = services.deadline_for(community, category, reported)
        state, answered = _outcome(rng, reported, deadline, today)
        reporter = next((p.user for p in reporters if p.party_id == reporting.pk), None)
        rows.append(
            Deviation(
                community=community,
                number="",
                state=state,
                reporter=reporter,
                reporting_party=reporting,
                by_gp=direction == "gp",
                concerned_party=concerned,
                concerned_unit=unit,
                handling_party=concerned,
                handling_unit=unit,
                category=category,
                kind=rng.choices(["patient", "system"], weights=[85, 15])[0],
                occurred_on=reported - datetime.timedelta(days=rng.randint(0, 4)),
                description=rng.choice(TEXTS[category.name]),
                consequence_physical=rng.choices(
                    ["none", "minor", "moderate", "serious"], weights=[55, 30, 12, 3]
                )[0],
                consequence_psychological=rng.choices(
                    ["none", "minor", "moderate"], weights=[60, 32, 8]
                )[0],
                message_type=rng.choice(["", "plo", "discharge_summary", "dialogue"]),
                reported_at=_at(reported, rng),
                deadline=deadline,
                answer=rng.choice(ANSWERS) if answered else "",
                answered_at=_at(answered, rng) if answered else None,
                closed_at=_at(answered + datetime.timedelta(days=3), rng)
                if state == Deviation.State.CLOSED
                else None,
                theme=_theme_for(rng, themes, category.name),
            )
        )
    rows.sort(key=lambda d: d.reported_at)
    counters: dict[int, int] = {}
    for deviation in rows:
        year = deviation.reported_at.year
        counters[year] = counters.get(year, 0) + 1
        deviation.number = f"{year}-{counters[year]:04d}"
    Deviation.objects.bulk_create(rows)
    saved = Deviation.objects.filter(community=community)
    Event.objects.bulk_create(
        [
            Event(deviation=d, action="report", to_state="reported", party=d.reporting_party)
            for d in saved
        ]
        + [
            Event(
                deviation=d,
                action="answer",
                from_state="in_progress",
                to_state="answered",
                party=d.handling_party,
                text=d.answer,
            )
            for d in saved
            if d.answered_at
        ]
    )
    return len(rows)


def _at(day: datetime.date, rng) -> datetime.datetime:
    moment = datetime.datetime.combine(day, datetime.time(rng.randint(7, 20), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _outcome(rng, reported, deadline, today):
    """Older cases are mostly answered and closed, some late; recent ones are still open."""
    age = (today - reported).days
    if age > 40 or rng.random() < 0.35:
        answered = min(
            reported + datetime.timedelta(days=rng.choice([3, 5, 8, 12, 16, 19, 24, 30])), today
        )
        if answered > deadline and rng.random() < 0.5:
            answered = deadline
        state = (
            "closed"
            if age > 30 and rng.random() < 0.85
            else rng.choice(["answered", "answered", "reopened", "disagreement"])
        )
        return state, answered
    state = rng.choices(
        ["reported", "received", "in_progress", "waiting", "forwarded"], weights=[30, 25, 30, 10, 5]
    )[0]
    return state, None


def _themes(community) -> dict[str, Theme]:
    themes = {}
    for title, status, code in THEMES.get(community.slug, []):
        lineage = (
            Measure.objects.filter(
                version__plan__community=community, version__is_current=True, code=code
            )
            .values_list("lineage", flat=True)
            .first()
            if code
            else None
        )
        theme, _ = Theme.objects.get_or_create(
            community=community,
            title=title,
            defaults={
                "status": status,
                "measure_lineage": lineage,
                "description": "Flere kommuner har meldt samme svikt.",
                "follow_up": "Tatt opp i fagrådet; forslag til felles rutine legges fram for ASU."
                if status == Theme.Status.FOLLOWED_UP
                else "",
            },
        )
        themes[title] = theme
    return themes


def _theme_for(rng, themes, category_name):
    for title, theme in themes.items():
        if (
            "Epikrise" in title
            and category_name.startswith("Epikrise")
            or "PLO" in title
            and category_name == "Elektroniske meldinger"
            or "utskrivningsklare" in title
            and category_name.startswith("Utskrivningsklare")
            or "Legemiddel" in title
            and category_name == "Legemidler"
        ):
            return theme if rng.random() < 0.5 else None
    return None
