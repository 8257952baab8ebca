import datetime

import pytest
from django.core.exceptions import ValidationError

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.organisation import services
from helsefellesskap.organisation.models import (
    ERROR_HOSPITAL_PARTY,
    ERROR_TERM_ORDER,
    Membership,
)

from .factories import BodyFactory, MembershipFactory, PartyFactory, PersonFactory

pytestmark = pytest.mark.django_db
Role, Rep = Membership.Role, Membership.Representation


def _create(world, **overrides):
    values = {
        "actor": world.secretariat,
        "body": world.council,
        "person": PersonFactory(community=world.community),
        "role": Role.MEMBER,
        "representation": Rep.MUNICIPALITIES,
        "party": world.municipality,
        "start_date": datetime.date(2025, 1, 1),
    }
    values.update(overrides)
    return services.membership_create(**values)


def test_membership_create_writes_an_audit_record(world):
    membership = _create(world)
    entry = AuditEntry.objects.get(object_type="organisation.membership", object_id=membership.pk)
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.actor == world.secretariat
    assert entry.community == world.community
    assert entry.changes["role"] == ["", "member"]


def test_a_term_that_ends_before_it_starts_is_refused(world):
    with pytest.raises(ValidationError) as error:
        _create(world, end_date=datetime.date(2024, 12, 31))
    assert error.value.message_dict["end_date"] == [str(ERROR_TERM_ORDER)]
    assert not Membership.objects.filter(end_date=datetime.date(2024, 12, 31)).exists()


def test_a_second_chair_in_the_same_period_is_refused_with_the_holders_name(world):
    with pytest.raises(ValidationError) as error:
        _create(world, role=Role.CHAIR)
    assert "allerede en leder" in error.value.message_dict["role"][0]
    assert "Lars" in error.value.message_dict["role"][0]


def test_a_new_chair_may_follow_when_the_old_term_has_ended(world):
    old_chair = Membership.objects.get(body=world.council, role=Role.CHAIR)
    services.membership_end(
        actor=world.secretariat, membership=old_chair, end_date=datetime.date(2025, 6, 30)
    )
    new_chair = _create(world, role=Role.CHAIR, start_date=datetime.date(2025, 7, 1))
    assert new_chair.pk
    assert AuditEntry.objects.filter(action=AuditEntry.Action.END, object_id=old_chair.pk).exists()


def test_the_same_person_twice_in_one_body_is_refused(world):
    person = PersonFactory(community=world.community)
    _create(world, person=person)
    with pytest.raises(ValidationError) as error:
        _create(world, person=person, role=Role.SUBSTITUTE)
    assert "allerede med i" in error.value.message_dict["person"][0]


def test_a_hospital_representative_must_represent_a_hospital_trust(world):
    with pytest.raises(ValidationError) as error:
        _create(world, representation=Rep.HOSPITAL, party=world.municipality)
    assert error.value.message_dict["party"] == [str(ERROR_HOSPITAL_PARTY)]


def test_people_and_parties_of_another_community_are_refused(world):
    stranger = PersonFactory(community=world.other_community)
    foreign_party = PartyFactory(community=world.other_community, municipality_number="5999")
    with pytest.raises(ValidationError) as error:
        _create(world, person=stranger, party=foreign_party)
    assert set(error.value.message_dict) >= {"person", "party"}


def test_membership_update_records_only_what_changed(world):
    membership = _create(world)
    services.membership_update(
        actor=world.secretariat, membership=membership, role=Role.DEPUTY, note="Valgt i ASU"
    )
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).get()
    assert entry.changes == {"role": ["member", "deputy"], "note": ["", "Valgt i ASU"]}


def test_ending_keeps_the_membership_in_history(world):
    membership = MembershipFactory(body=world.council, start_date=datetime.date(2020, 1, 1))
    services.membership_end(
        actor=world.secretariat, membership=membership, end_date=datetime.date(2023, 12, 31)
    )
    assert membership in Membership.objects.ended()
    assert membership not in Membership.objects.current()


def test_a_body_cannot_hang_under_a_body_of_another_community(world):
    body = BodyFactory(community=world.community, parent=world.other_body)
    with pytest.raises(ValidationError):
        body.full_clean()
