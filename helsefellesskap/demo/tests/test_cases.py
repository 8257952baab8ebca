import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from helsefellesskap.cases import authority
from helsefellesskap.cases.models import (
    AgendaItem,
    Attendance,
    Case,
    CasePaper,
    DecisionKind,
    FollowUp,
    Meeting,
    Ratification,
    Treatment,
)
from helsefellesskap.demo.cases import load_demo_cases
from helsefellesskap.demo.organisation import load_demo

SLUGS = ["nordre-trondelag", "st-olavs"]


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The organisation and the demo cases, loaded once for the read-only tests of a class and
    rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield load_demo_cases()
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestDemoCases:
    def test_loading_again_creates_nothing(self, demo):
        before = (Case.objects.count(), Meeting.objects.count(), Treatment.objects.count())
        again = load_demo_cases()
        assert again["created"] == 0
        assert (Case.objects.count(), Meeting.objects.count(), Treatment.objects.count()) == before
        assert demo["created"] == demo["cases"] + demo["meetings"]

    def test_the_joint_meeting_of_30_march_2022(self, demo):
        meeting = Meeting.objects.get(
            community__slug="nordre-trondelag",
            starts_at__date=datetime.date(2022, 3, 30),
        )
        assert meeting.title == "Felles møte i PSU og ASU"
        assert {b.slug for b in meeting.bodies.all()} == {"psu", "asu"}
        assert timezone.localtime(meeting.starts_at).hour == 10
        assert meeting.status == Meeting.Status.APPROVED
        assert meeting.minutes_approval == Meeting.Approval.ELECTRONIC
        items = list(meeting.items.select_related("treatment__case", "treatment__body"))
        on_agenda = {i.treatment.case.number for i in items if i.treatment_id}
        assert {"Sak 04/22", "Sak 05/22"} <= on_agenda
        psu = next(
            i.treatment
            for i in items
            if i.treatment_id
            and i.treatment.case.number == "Sak 04/22"
            and i.treatment.body.slug == "psu"
        )
        assert psu.outcome == Treatment.Outcome.DECIDED
        assert psu.unanimous is True
        assert psu.decision == (
            "PSU vedtar Handlingsplan for Helsefellesskapet i nordre Trøndelag 2022–2025."
        )
        statuses = set(meeting.attendance.values_list("status", flat=True))
        assert {Attendance.Status.ABSENT, Attendance.Status.SUBSTITUTE} <= statuses

    def test_sak_04_22_is_the_action_plan_on_asus_recommendation(self, demo):
        case = Case.objects.get(community__slug="nordre-trondelag", year=2022, sequence=4)
        assert case.title == "Handlingsplan for Helsefellesskapet i nordre Trøndelag 2022–2025"
        assert case.decision_kind == DecisionKind.ACTION_PLAN
        chain = [(t.body.slug, t.outcome) for t in case.treatments.order_by("order")]
        assert chain == [("au", "discussed"), ("asu", "recommended"), ("psu", "decided")]
        assert authority.check(case) == []
        assert case.papers.filter(is_public=True, url__contains="Sak%2004-22").exists()
        sak05 = Case.objects.get(community__slug="nordre-trondelag", year=2022, sequence=5)
        assert sak05.title == "Innspill til Nasjonal helse- og samhandlingsplan 2024–2027"

    def test_numbers_are_contiguous_per_community_and_year(self, demo):
        for slug in SLUGS:
            years = Case.objects.filter(community__slug=slug).values_list("year", flat=True)
            for year in set(years):
                numbers = sorted(
                    Case.objects.filter(community__slug=slug, year=year).values_list(
                        "sequence", flat=True
                    )
                )
                assert numbers == list(range(1, len(numbers) + 1)), (slug, year)

    def test_the_decisions_respect_the_authority_rules(self, demo):
        cases = Case.objects.filter(community__slug__in=SLUGS)
        for case in cases:
            warnings = authority.check(case)
            if case.decision_kind == DecisionKind.AGREEMENT:
                assert [w.severity for w in warnings] == ["info"], case
            else:
                assert warnings == [], (case, warnings)
        for slug in SLUGS:
            kinds = set(cases.filter(community__slug=slug).values_list("decision_kind", flat=True))
            assert kinds >= set(DecisionKind.values), slug
            types = set(cases.filter(community__slug=slug).values_list("type", flat=True))
            assert types >= {"decision", "discussion", "information", "minutes"}, slug

    def test_funds_are_decided_unanimously_by_psu(self, demo):
        for slug in SLUGS:
            funds = Case.objects.get(community__slug=slug, decision_kind=DecisionKind.FUNDS)
            decided = funds.treatments.get(outcome=Treatment.Outcome.DECIDED)
            assert decided.body.slug == "psu"
            assert decided.unanimous is True

    def test_a_decision_by_vote_with_dissent(self, demo):
        voted = Treatment.objects.get(case__community__slug="nordre-trondelag", votes_against__gt=0)
        assert voted.body.slug == "psu" and voted.unanimous is False and voted.dissent
        choices = list(voted.votes.values_list("choice", flat=True))
        assert choices.count("against") == voted.votes_against
        assert choices.count("for") == voted.votes_for

    def test_the_revised_agreement_is_under_ratification(self, demo):
        for slug in SLUGS:
            case = Case.objects.get(community__slug=slug, decision_kind=DecisionKind.AGREEMENT)
            assert case.status == Case.Status.RATIFICATION
            outcomes = list(case.ratifications.values_list("outcome", flat=True))
            approved = outcomes.count(Ratification.Outcome.APPROVED)
            pending = outcomes.count(Ratification.Outcome.PENDING)
            assert approved > pending > 0

    def test_each_community_has_a_year_of_cases_and_meetings(self, demo):
        today = timezone.localdate()
        for slug in SLUGS:
            cases = Case.objects.filter(community__slug=slug)
            meetings = Meeting.objects.filter(community__slug=slug)
            assert cases.count() >= 20, slug
            assert meetings.count() >= 8, slug
            held = meetings.filter(status=Meeting.Status.HELD)
            assert held.exists(), slug
            assert not held.filter(minutes_approval__gt="").exists()
            latest = meetings.filter(starts_at__date__lt=today).order_by("-starts_at").first()
            assert latest.status == Meeting.Status.HELD
            planned = meetings.filter(status=Meeting.Status.PLANNED, starts_at__date__gte=today)
            assert planned.count() >= 2, slug
            assert AgendaItem.objects.filter(meeting__in=planned, treatment__isnull=False).exists()
            assert meetings.filter(minutes_approval=Meeting.Approval.NEXT_MEETING).exists()
            assert meetings.filter(bodies__slug="psu").filter(bodies__slug="asu").exists()
            follow_ups = FollowUp.objects.filter(case__community__slug=slug)
            assert follow_ups.filter(done_on__isnull=True, owner_body__isnull=False).exists()
            assert follow_ups.filter(done_on__isnull=False).exists()
            assert cases.filter(status=Case.Status.NEW).exists()
            assert cases.filter(status=Case.Status.CLOSED).exists()

    def test_shielded_rows_exist(self, demo):
        for slug in SLUGS:
            assert Treatment.objects.filter(
                case__community__slug=slug, is_exempt=True, exemption_basis="offentleglova § 13"
            ).exists()
            assert CasePaper.objects.filter(
                case__community__slug=slug, is_public=False, exemption_basis="offentleglova § 13"
            ).exists()
            shielded = Case.objects.filter(community__slug=slug, treatments__is_exempt=True)
            assert all(case.public_title for case in shielded)
