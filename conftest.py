"""Shared test set-up: the personas every view test uses, and the browser harness."""

import os
from dataclasses import dataclass

import pytest

from helsefellesskap.organisation.models import Body, Membership
from helsefellesskap.organisation.tests.factories import (
    BodyFactory,
    CommunityFactory,
    MembershipFactory,
    PartyFactory,
    PersonFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop in the test thread; Django must still allow the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "passord-for-test-1"


@dataclass
class World:
    """Two communities and a person for each role the permission tests need."""

    community: object
    other_community: object
    hospital: object
    municipality: object
    council: object
    internal_group: object
    secretariat_body: object
    other_body: object
    secretariat: object  # a User: the community's secretariat
    chair: object  # chair of the council
    member: object  # ordinary member of the council
    outsider: object  # member of the other community only
    admin: object  # platform administrator


def _seat(user, body, role, representation, party=None, **extra):
    person = PersonFactory(
        community=body.community, user=user, email=user.email, given_name=user.full_name.split()[0]
    )
    return MembershipFactory(
        body=body, person=person, role=role, representation=representation, party=party, **extra
    )


@pytest.fixture
def world(db) -> World:
    community = CommunityFactory(
        name="Helsefellesskapet Testdalen", short_name="HF Testdalen", slug="testdalen"
    )
    other = CommunityFactory(
        name="Helsefellesskapet Annetsted", short_name="HF Annetsted", slug="annetsted"
    )
    hospital = PartyFactory(community=community, hospital=True, name="Testdalen HF")
    municipality = PartyFactory(
        community=community, name="Testby kommune", municipality_number="5001"
    )
    council = BodyFactory(community=community, name="Fagråd for pasientsamarbeid", slug="fagrad-1")
    internal = BodyFactory(
        community=community,
        kind=Body.Kind.WORKING_GROUP,
        name="Intern arbeidsgruppe",
        slug="intern",
        is_public=False,
    )
    secretariat_body = BodyFactory(
        community=community, kind=Body.Kind.SECRETARIAT, name="Sekretariatet", slug="sekretariatet"
    )
    other_body = BodyFactory(
        community=other,
        kind=Body.Kind.WORKING_GROUP,
        name="Annen intern gruppe",
        slug="intern",
        is_public=False,
    )
    users = {
        name: UserFactory(email=f"{name}@example.no", full_name=f"{label} Testesen")
        for name, label in [
            ("sekretariat", "Siri"),
            ("leder", "Lars"),
            ("medlem", "Mona"),
            ("utenforstaende", "Ulf"),
            ("admin", "Anne"),
        ]
    }
    users["admin"].is_superuser = users["admin"].is_staff = True
    users["admin"].save()
    rep = Membership.Representation
    _seat(
        users["sekretariat"],
        secretariat_body,
        Membership.Role.SECRETARY,
        rep.MUNICIPALITIES,
        party=municipality,
    )
    _seat(users["leder"], council, Membership.Role.CHAIR, rep.HOSPITAL, party=hospital)
    _seat(users["medlem"], council, Membership.Role.MEMBER, rep.MUNICIPALITIES, party=municipality)
    _seat(users["utenforstaende"], other_body, Membership.Role.MEMBER, rep.USER)
    return World(
        community=community,
        other_community=other,
        hospital=hospital,
        municipality=municipality,
        council=council,
        internal_group=internal,
        secretariat_body=secretariat_body,
        other_body=other_body,
        secretariat=users["sekretariat"],
        chair=users["leder"],
        member=users["medlem"],
        outsider=users["utenforstaende"],
        admin=users["admin"],
    )


# --- Browser harness -----------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "nb-NO", "timezone_id": "Europe/Oslo"}


@pytest.fixture
def axe():
    """`axe(page)` runs axe-core on the page and fails the test on any WCAG 2.1 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    checker = Axe()

    def check(page, context: str = ""):
        results = checker.run(
            page,
            options={
                "runOnly": {
                    "type": "tag",
                    "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
                }
            },
        )
        violations = results.response["violations"]
        assert not violations, f"axe on {context or page.url}:\n" + results.generate_report()
        return results

    return check


@pytest.fixture
def login(live_server):
    """`login(page, user)` logs in through the real form."""

    def do_login(page, user, password: str = PASSWORD):
        page.goto(f"{live_server.url}/konto/logg-inn/")
        page.get_by_label("E-postadresse").fill(user.email)
        page.get_by_label("Passord").fill(password)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_load_state()

    return do_login


@pytest.fixture
def page(page):
    """Playwright's page, failing after 10 s instead of 30 when something is not there."""
    page.set_default_timeout(10_000)
    return page


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """On PostgreSQL a request thread of the live server can still hold a connection when the
    session ends, and the test database then cannot be dropped. Close them before it is."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, so a PDF cached by one test does not hide another
    test's rendering."""
    from django.core.cache import cache

    cache.clear()
