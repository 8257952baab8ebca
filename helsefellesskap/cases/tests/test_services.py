import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from helsefellesskap.cases import services
from helsefellesskap.cases.models import AgendaItem, Case, Ratification
from helsefellesskap.organisation.tests.factories import PartyFactory

pytestmark = pytest.mark.django_db


def test_cases_are_numbered_per_community_and_year(case_world, monkeypatch):
    w = case_world
    first, second = w.make_case(), w.make_case()
    year = timezone.localdate().year
    assert (first.number, second.number) == (f"Sak 01/{year % 100:02d}", f"Sak 02/{year % 100:02d}")
    other = services.case_create(actor=w.secretariat, community=w.other_community, title="X")
    assert other.sequence == 1
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: datetime.date(year + 1, 1, 2))
    assert w.make_case().number == f"Sak 01/{(year + 1) % 100:02d}"


def test_routing_builds_a_chain_with_history(case_world):
    w = case_world
    case = w.make_case()
    services.case_route(actor=w.secretariat, case=case, bodies=[w.council], note="Først fagrådet")
    services.case_route(actor=w.secretariat, case=case, bodies=[w.asu, w.psu])
    chain = [(t.order, t.body.short_name or t.body.name) for t in case.treatments.all()]
    assert chain == [(1, "Fagråd for pasientsamarbeid"), (2, "ASU"), (3, "PSU")]
    case.refresh_from_db()
    assert case.status == Case.Status.ROUTED
    with pytest.raises(ValidationError):
        services.case_route(actor=w.secretariat, case=case, bodies=[w.other_body])


def test_ratification_is_tracked_until_every_party_has_decided(case_world):
    w = case_world
    PartyFactory(community=w.community, name="Nabo kommune", municipality_number="5003")
    case = w.make_case(decision_kind="agreement", title="Revidert samarbeidsavtale")
    (psu,) = services.case_route(actor=w.secretariat, case=case, bodies=[w.psu])
    services.treatment_record(
        actor=w.secretariat,
        treatment=psu,
        outcome="recommended",
        recommendation="PSU anbefaler avtalen.",
    )
    case.refresh_from_db()
    assert case.status == Case.Status.RATIFICATION
    rows = list(case.ratifications.select_related("party"))
    assert {r.party.name for r in rows} == {"Testdalen HF", "Testby kommune", "Nabo kommune"}
    assert {str(r.decided_by) for r in rows} == {"Styret", "Kommunestyret"}
    for index, row in enumerate(rows):
        services.ratification_record(
            actor=w.secretariat,
            ratification=row,
            outcome=Ratification.Outcome.APPROVED,
            decided_on=datetime.date(2025, 6, 1 + index),
        )
        case.refresh_from_db()
        expected = Case.Status.CLOSED if index == len(rows) - 1 else Case.Status.RATIFICATION
        assert case.status == expected


def test_a_meeting_gets_the_standard_agenda_and_invites_members(case_world):
    w = case_world
    start = timezone.make_aware(datetime.datetime(2026, 3, 30, 10, 0))
    meeting = services.meeting_create(
        actor=w.secretariat,
        community=w.community,
        bodies=[w.council],
        title="Møte i fagrådet",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    kinds = list(meeting.items.values_list("kind", flat=True))
    assert kinds == [AgendaItem.Kind.NOTICE, AgendaItem.Kind.MINUTES, AgendaItem.Kind.ANY_OTHER]
    invited = {a.person.user for a in meeting.attendance.select_related("person__user")}
    assert invited == {w.chair, w.member}
    case = w.make_case()
    (treatment,) = services.case_route(actor=w.secretariat, case=case, bodies=[w.council])
    item = services.agenda_add(actor=w.secretariat, meeting=meeting, treatment=treatment)
    assert item.order == 3
    with pytest.raises(ValidationError):
        services.agenda_add(actor=w.secretariat, meeting=meeting, treatment=treatment)
    (psu_step,) = services.case_route(actor=w.secretariat, case=case, bodies=[w.psu])
    with pytest.raises(ValidationError):  # PSU is not in this meeting
        services.agenda_add(actor=w.secretariat, meeting=meeting, treatment=psu_step)
    with pytest.raises(ValidationError):
        services.meeting_create(
            actor=w.secretariat,
            community=w.community,
            bodies=[w.council],
            title="Feil",
            starts_at=start,
            ends_at=start,
        )


def test_audit_entries_of_case_rows_belong_to_the_community(case_world):
    from helsefellesskap.audit.models import AuditEntry

    w = case_world
    case = w.make_case()
    (treatment,) = services.case_route(actor=w.secretariat, case=case, bodies=[w.council])
    services.treatment_record(actor=w.secretariat, treatment=treatment, recommendation="Ja")
    entry = AuditEntry.objects.filter(object_type="cases.treatment").latest("at")
    assert entry.community == w.community
