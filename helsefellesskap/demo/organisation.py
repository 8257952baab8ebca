"""Demo data for the organisation module: both communities of the source documents, their parties,
bodies and synthetic people, and one demo login per role.

The data live next to this module (`data/municipalities.csv`, `data/demo_organisation.json`).
Loading is idempotent: every row is found by its natural key and only saved when it is new or
differs, so a second run changes nothing. Rows are written with the ORM after `full_clean()`, not
through the services, because demo data has no actor and needs no audit trail."""

import csv
import datetime
import hashlib
import json
from collections import Counter
from io import TextIOBase
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import models, transaction

from helsefellesskap.organisation.models import (
    Body,
    Community,
    Invitation,
    Membership,
    MunicipalRegion,
    Party,
    Person,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
MUNICIPALITIES_CSV = DATA_DIR / "municipalities.csv"
DEMO_JSON = DATA_DIR / "demo_organisation.json"

DEMO_PASSWORD = "demo-passord-2026"

M = TypeVar("M", bound=models.Model)


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def read_municipalities() -> dict[str, list[dict[str, str]]]:
    """The rows of the municipality CSV, grouped by its `community` column."""
    by_community: dict[str, list[dict[str, str]]] = {}
    with MUNICIPALITIES_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by_community.setdefault(row["community"], []).append(row)
    return by_community


def read_demo_data() -> dict[str, Any]:
    return json.loads(DEMO_JSON.read_text(encoding="utf-8"))


def _differs(obj: models.Model, name: str, value) -> bool:
    field = obj._meta.get_field(name)
    # A foreign key: compare keys, without fetching the related row.
    if isinstance(field, models.Field) and field.many_to_one:
        return getattr(obj, field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


class _Loader:
    def __init__(self, stdout: TextIOBase | None = None) -> None:
        self.stdout = stdout
        self.created: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()

    def upsert(self, model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> M:
        """Find the row by `lookup` (its natural key) or build it; set `values`; validate and save
        only if it is new or something changed."""
        found = model._default_manager.filter(**lookup).first()
        created = found is None
        obj = model(**lookup) if found is None else found
        changed = [name for name, value in values.items() if _differs(obj, name, value)]
        for name in changed:
            setattr(obj, name, values[name])
        if created:
            obj.full_clean()
            obj.save()
            self.created[model.__name__] += 1
        elif changed:
            obj.full_clean()
            obj.save(update_fields=changed)
            self.updated[model.__name__] += 1
        return obj

    def pending_invitation(self, community: Community) -> None:
        """One invitation not yet accepted, so the register shows one. Its link is unknown: only
        the hash of a made-up token is stored, as for every invitation."""
        person = (
            Person.objects.filter(community=community, user__isnull=True, email__gt="")
            .order_by("family_name", "given_name")
            .first()
        )
        secretary = (
            Membership.objects.current()
            .filter(
                community=community, body__kind=Body.Kind.SECRETARIAT, person__user__isnull=False
            )
            .select_related("person__user")
            .first()
        )
        if person is None or secretary is None:
            return
        token_hash = hashlib.sha256(f"demo-invitasjon-{community.slug}".encode()).hexdigest()
        expires = datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)
        self.upsert(
            Invitation,
            {"token_hash": token_hash},
            {
                "community": community,
                "person": person,
                "email": person.email,
                "expires_at": expires,
                "invited_by": secretary.person.user,
            },
        )

    def community(self, spec: dict, municipality_rows: list[dict], default_start) -> Community:
        community = self.upsert(
            Community,
            {"slug": spec["slug"]},
            {
                "name": spec["name"],
                "short_name": spec["short_name"],
                "description": spec.get("description", ""),
                "contact_email": spec.get("contact_email", ""),
                "website": spec.get("website", ""),
            },
        )
        regions = {
            name: self.upsert(
                MunicipalRegion, {"community": community, "name": name}, {"order": order}
            )
            for order, name in enumerate(spec["regions"], start=1)
        }
        parties = {}
        for party_spec in spec["parties"]:
            parties[party_spec["name"]] = self.upsert(
                Party,
                {"community": community, "name": party_spec["name"]},
                {"kind": party_spec["kind"], "note": party_spec.get("note", "")},
            )
        for row in municipality_rows:
            parties[row["name"]] = self.upsert(
                Party,
                {"community": community, "name": row["name"]},
                {
                    "kind": Party.Kind.MUNICIPALITY,
                    "municipality_number": row["municipality_number"],
                    "region": regions[row["region"]] if row["region"] else None,
                    "population": int(row["population_2024_01_01"]),
                    "note": row["note"],
                },
            )
        bodies: dict[str, Body] = {}
        for body_spec in spec["bodies"]:  # parents are listed before their children
            parent = body_spec.get("parent")
            bodies[body_spec["slug"]] = self.upsert(
                Body,
                {"community": community, "slug": body_spec["slug"]},
                {
                    "kind": body_spec["kind"],
                    "name": body_spec["name"],
                    "short_name": body_spec.get("short_name", ""),
                    "mandate": body_spec.get("mandate", ""),
                    "parent": bodies[parent] if parent else None,
                    "period_start": _date(body_spec.get("period_start")),
                    "period_end": _date(body_spec.get("period_end")),
                    "is_public": body_spec.get("is_public", True),
                    "order": body_spec.get("order", 0),
                },
            )
        for person_spec in spec["people"]:
            own_party = parties[person_spec["party"]] if person_spec.get("party") else None
            person = self.upsert(
                Person,
                {"community": community, "email": person_spec["email"]},
                {
                    "given_name": person_spec["given_name"],
                    "family_name": person_spec["family_name"],
                    "title": person_spec.get("title", ""),
                    "workplace": person_spec.get("workplace", ""),
                    "phone": person_spec.get("phone", ""),
                    "party": own_party,
                    "is_public_contact": person_spec.get("is_public_contact", False),
                },
            )
            for seat in person_spec["seats"]:
                self.membership(
                    community, person, own_party, seat, bodies, parties, regions, default_start
                )
        if self.stdout:
            self.stdout.write(
                f"{community.short_name}: {len(regions)} kommuneregioner, {len(parties)} parter, "
                f"{len(bodies)} organer, {len(spec['people'])} personer\n"
            )
        return community

    def membership(
        self, community, person, own_party, seat, bodies, parties, regions, default_start
    ) -> Membership:
        """A seat's party is the person's own party, unless the seat names a region (a municipal
        seat held for a region) or its own party."""
        region = regions[seat["region"]] if seat.get("region") else None
        if "party" in seat:
            party = parties[seat["party"]] if seat["party"] else None
        else:
            party = None if region else own_party
        return self.upsert(
            Membership,
            {
                "body": bodies[seat["body"]],
                "person": person,
                "role": seat["role"],
                "start_date": _date(seat.get("start_date")) or default_start,
            },
            {
                "community": community,
                "representation": seat["representation"],
                "party": party,
                "region": region,
                "end_date": _date(seat.get("end_date")),
                "note": seat.get("note", ""),
            },
        )

    def login(self, spec: dict, community_slugs: list[str]) -> tuple[str, str]:
        """The demo login for `spec`, linked to every demo Person with the same e-mail. A demo
        login whose password was changed gets the demo password back."""
        User = get_user_model()
        email = spec["email"]
        people = list(Person.objects.filter(community__slug__in=community_slugs, email=email))
        full_name = people[0].full_name if people else ""
        superuser = spec.get("superuser", False)
        user = User.objects.filter(email=email).first()
        if user is None:
            create = User.objects.create_superuser if superuser else User.objects.create_user
            user = create(email, DEMO_PASSWORD, full_name=full_name)
            self.created[User.__name__] += 1
        else:
            changed = []
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                changed.append("password")
            wanted = {
                "full_name": full_name,
                "is_active": True,
                "is_staff": superuser,
                "is_superuser": superuser,
            }
            for name, value in wanted.items():
                if getattr(user, name) != value:
                    setattr(user, name, value)
                    changed.append(name)
            if changed:
                user.full_clean(exclude=["password"])
                user.save(update_fields=changed)
                self.updated[User.__name__] += 1
        for person in people:
            if person.user_id != user.pk:
                person.user = user
                person.full_clean()
                person.save(update_fields=["user"])
                self.updated[Person.__name__] += 1
        return spec["description"], email


def load_demo(stdout: TextIOBase | None = None) -> dict:
    """Create or bring up to date the demo organisation and the demo logins.

    Returns counts of what exists and what this run created or changed, the demo logins as
    (description in Norwegian, e-mail) pairs, and the shared demo password. `stdout`, if given,
    gets one line per community."""
    data = read_demo_data()
    municipalities = read_municipalities()
    default_start = _date(data["default_start_date"])
    slugs = [spec["slug"] for spec in data["communities"]]
    loader = _Loader(stdout)
    with transaction.atomic():
        for spec in data["communities"]:
            loader.community(spec, municipalities.get(spec["key"], []), default_start)
        logins = [loader.login(spec, slugs) for spec in data["logins"]]
        for community in Community.objects.filter(slug__in=slugs):
            loader.pending_invitation(community)
    in_demo = {"community__slug__in": slugs}
    return {
        "communities": Community.objects.filter(slug__in=slugs).count(),
        "regions": MunicipalRegion.objects.filter(**in_demo).count(),
        "parties": Party.objects.filter(**in_demo).count(),
        "bodies": Body.objects.filter(**in_demo).count(),
        "people": Person.objects.filter(**in_demo).count(),
        "memberships": Membership.objects.filter(**in_demo).count(),
        "created": sum(loader.created.values()),
        "updated": sum(loader.updated.values()),
        "logins": logins,
        "password": DEMO_PASSWORD,
    }
