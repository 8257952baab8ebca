import datetime
import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction

from helsefellesskap.demo.organisation import DEMO_PASSWORD, load_demo
from helsefellesskap.organisation.models import (
    Body,
    Community,
    Membership,
    MunicipalRegion,
    Party,
    Person,
)

pytestmark = pytest.mark.django_db
Rep = Membership.Representation

HNT_MUNICIPALITIES = {
    "Ytre Namdal": {"5060", "5052", "1811"},
    "Midtre Namdal": {"5007", "5047", "5049", "5020"},
    "Indre Namdal": {"5045", "5046", "5042", "5044", "5043"},
    "Inn-Trøndelag": {"5006", "5053", "5041"},
    "Innherred": {"5037", "5038"},
    "Værnesregionen": {"5035", "5034", "5036"},
}
HNT_COUNCILS = [
    ("Fagråd 1", "Fagråd for pasientsamarbeid"),
    ("Fagråd 2", "Fagråd for digital samhandling"),
    ("Fagråd 3", "Fagråd for helsefremming, forebygging, læring og mestring"),
    ("Fagråd 4", "Fagråd for helseberedskap og akuttmedisinsk kjede"),
    ("Fagråd 5", "Fagråd for legesamarbeid"),
]
STOLAV_COUNCILS = [
    "Fagråd for pasientsamarbeid",
    "Fagråd for legesamarbeid",
    "Fagråd for forebygging, tidlig innsats, helsefremming, læring og mestring",
    "Fagråd for akuttmedisinsk kjede og helseberedskap",
    "Fagråd for digital samhandling",
]
DEMO_LOGINS = {
    "admin@example.no",
    "sekretariat.hnt@example.no",
    "sekretariat.stolav@example.no",
    "leder.asu@example.no",
    "leder.fagrad1@example.no",
    "medlem@example.no",
    "vara@example.no",
    "observator@example.no",
    "bruker@example.no",
    "fastlege@example.no",
}


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the read-only tests of a class and rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


def _snapshot() -> dict:
    User = get_user_model()
    return {
        "communities": list(Community.objects.values_list()),
        "regions": list(MunicipalRegion.objects.values_list()),
        "parties": list(Party.objects.values_list()),
        "bodies": list(Body.objects.values_list()),
        "people": list(Person.objects.values_list()),
        "memberships": list(Membership.objects.values_list()),
        "users": list(User.objects.order_by("pk").values_list("pk", "email", "password")),
    }


def test_loading_twice_changes_nothing():
    first_result = load_demo()
    first = _snapshot()
    second_result = load_demo()
    assert _snapshot() == first
    assert second_result["created"] == second_result["updated"] == 0
    for key in ("communities", "regions", "parties", "bodies", "people", "memberships"):
        assert second_result[key] == first_result[key]
    assert first_result["communities"] == 2


def test_loading_again_restores_changed_demo_rows():
    load_demo()
    body = Body.objects.get(community__slug="st-olavs", slug="asu")
    body.mandate = "Endret for hånd."
    body.save()
    Person.objects.filter(email="vara@example.no").update(user=None)

    result = load_demo()

    body.refresh_from_db()
    assert body.mandate.startswith("Administrativt samarbeidsutvalg")
    assert Person.objects.get(email="vara@example.no").user.email == "vara@example.no"
    assert result["created"] == 0
    assert result["updated"] == 2


class TestDemoContents:
    """Read-only checks of what the demo contains; they share one load."""

    def test_hnt_has_20_municipalities_in_six_regions(self, demo):
        hnt = Community.objects.get(slug="nordre-trondelag")
        assert hnt.name == "Helsefellesskapet i nordre Trøndelag"
        assert hnt.short_name == "HF nordre Trøndelag"
        regions = list(MunicipalRegion.objects.filter(community=hnt).order_by("order"))
        assert [r.name for r in regions] == list(HNT_MUNICIPALITIES)
        for region in regions:
            numbers = set(region.municipalities.values_list("municipality_number", flat=True))
            assert numbers == HNT_MUNICIPALITIES[region.name], region.name
        municipalities = Party.objects.filter(community=hnt).filter(kind=Party.Kind.MUNICIPALITY)
        assert municipalities.count() == 20
        assert sum(m.population for m in municipalities) == 137_737
        assert municipalities.get(municipality_number="1811").name == "Bindal"
        assert "Nordland" in municipalities.get(name="Bindal").note
        assert (
            Party.objects.filter(community=hnt).get(kind=Party.Kind.HOSPITAL_TRUST).name
            == "Helse Nord-Trøndelag HF"
        )

    def test_st_olavs_has_19_municipalities_without_regions(self, demo):
        stolav = Community.objects.get(slug="st-olavs")
        assert stolav.short_name == "HF St. Olavs"
        municipalities = Party.objects.filter(community=stolav).filter(kind=Party.Kind.MUNICIPALITY)
        assert municipalities.count() == 19
        assert not MunicipalRegion.objects.filter(community=stolav).exists()
        assert not municipalities.filter(region__isnull=False).exists()
        assert (
            Party.objects.filter(community=stolav).get(kind=Party.Kind.HOSPITAL_TRUST).name
            == "St. Olavs hospital HF"
        )

    @pytest.mark.parametrize("slug", ["nordre-trondelag", "st-olavs"])
    def test_each_community_has_every_kind_of_party(self, demo, slug):
        kinds = set(Party.objects.filter(community__slug=slug).values_list("kind", flat=True))
        assert kinds >= set(Party.Kind.values) - {Party.Kind.OTHER}

    def test_councils_follow_the_source_documents(self, demo):
        hnt_councils = Body.objects.filter(
            community__slug="nordre-trondelag", kind=Body.Kind.COUNCIL
        ).order_by("order")
        assert [(b.short_name, b.name) for b in hnt_councils] == HNT_COUNCILS
        assert {b.parent.slug for b in hnt_councils} == {"asu"}
        stolav_councils = Body.objects.filter(community__slug="st-olavs", kind=Body.Kind.COUNCIL)
        assert [b.name for b in stolav_councils.order_by("order")] == STOLAV_COUNCILS

    @pytest.mark.parametrize("slug", ["nordre-trondelag", "st-olavs"])
    def test_structure_of_each_community(self, demo, slug):
        bodies = Body.objects.filter(community__slug=slug)
        for kind in Body.Kind.values:
            if kind != Body.Kind.OTHER:
                assert bodies.filter(kind=kind).exists(), kind
        assert bodies.get(slug="au").parent.slug == "asu"
        assert bodies.get(kind=Body.Kind.SECRETARIAT).name == "Sekretariatet i helsefellesskapet"
        assert all(b.mandate and b.period_start for b in bodies)
        secretaries = Membership.objects.filter(
            body__slug="sekretariatet", body__community__slug=slug, role=Membership.Role.SECRETARY
        )
        assert {m.representation for m in secretaries} == {Rep.MUNICIPALITIES, Rep.HOSPITAL}
        assert all(m.person.is_public_contact for m in secretaries)

    def test_an_internal_working_group_is_not_public(self, demo):
        internal = Body.objects.get(community__slug="st-olavs", slug="analysegruppe")
        assert internal.kind == Body.Kind.ANALYSIS_GROUP
        assert not internal.is_public
        assert internal.memberships.filter(person__email="medlem.stolav@example.no").exists()

    @pytest.mark.parametrize("slug", ["nordre-trondelag", "st-olavs"])
    def test_every_role_and_representation_occurs(self, demo, slug):
        memberships = Membership.objects.filter(community__slug=slug)
        assert set(memberships.values_list("role", flat=True)) == set(Membership.Role.values)
        assert set(memberships.values_list("representation", flat=True)) == set(Rep.values)
        assert memberships.ended(datetime.date(2026, 1, 1)).exists()
        assert memberships.filter(body__slug="psu", representation=Rep.USER).exists()
        assert memberships.filter(body__slug="asu", representation=Rep.GP).exists()
        for kind in (Party.Kind.COUNTY_GOVERNOR, Party.Kind.COUNTY, Party.Kind.KS):
            for body in ("psu", "asu"):
                assert memberships.filter(
                    body__slug=body, role=Membership.Role.OBSERVER, party__kind=kind
                ).exists(), (kind, body)

    def test_hnt_asu_seats_are_held_by_region(self, demo):
        municipal = Membership.objects.filter(
            community__slug="nordre-trondelag",
            body__slug="asu",
            representation=Rep.MUNICIPALITIES,
            end_date__isnull=True,
        ).exclude(role=Membership.Role.SECRETARY)
        assert all(m.region_id for m in municipal)
        assert {m.region.name for m in municipal} == set(HNT_MUNICIPALITIES)

    @pytest.mark.parametrize("slug", ["nordre-trondelag", "st-olavs"])
    def test_psu_and_asu_are_balanced_and_some_council_is_flagged(self, demo, slug):
        def seats(body):
            current = body.memberships.current(datetime.date(2025, 6, 1)).filter(
                role__in=Membership.SEAT_ROLES
            )
            return {rep: current.filter(representation=rep).count() for rep in Rep.values}

        bodies = Body.objects.filter(community__slug=slug)
        for slug_ in ("psu", "asu"):
            count = seats(bodies.get(slug=slug_))
            assert count[Rep.MUNICIPALITIES] == count[Rep.HOSPITAL] > 0
            assert count[Rep.USER] > 0

        def has_gap(count):
            unbalanced = count[Rep.MUNICIPALITIES] != count[Rep.HOSPITAL]
            return unbalanced or not count[Rep.GP] or not count[Rep.USER]

        councils = bodies.filter(kind=Body.Kind.COUNCIL)
        assert any(has_gap(seats(council)) for council in councils)

    def test_every_demo_login_authenticates(self, demo):
        emails = {email for _description, email in demo["logins"]}
        assert emails >= DEMO_LOGINS
        for email in emails:
            user = authenticate(None, username=email, password=DEMO_PASSWORD)
            assert user is not None, email
            if email == "admin@example.no":
                assert user.is_superuser and user.is_staff
            else:
                assert not user.is_staff
                assert Person.objects.filter(user=user, email=email).exists(), email
        assert authenticate(None, username="medlem@example.no", password="feil-passord") is None

    def test_the_observer_has_one_login_in_both_communities(self, demo):
        people = Person.objects.filter(email="observator@example.no")
        assert {p.community.slug for p in people} == {"nordre-trondelag", "st-olavs"}
        assert len({p.user_id for p in people}) == 1

    def test_demo_people_have_example_addresses_only(self, demo):
        assert not Person.objects.exclude(email__endswith="@example.no").exists()
        assert not get_user_model().objects.exclude(email__endswith="@example.no").exists()
        for community in Community.objects.all():
            emails = list(
                Person.objects.filter(community=community).values_list("email", flat=True)
            )
            assert len(emails) == len(set(emails))


def test_command_prints_the_demo_logins():
    out = io.StringIO()
    call_command("load_demo", force=True, stdout=out)
    text = out.getvalue()
    assert f"Demo-innlogginger (passord: {DEMO_PASSWORD}):" in text
    assert "sekretariat.hnt@example.no" in text
    assert "Sekretariatet, HF nordre Trøndelag" in text


def test_command_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=io.StringIO())
    assert not Community.objects.exists()
