"""The audit trail: every change and its entry in one transaction, what changed field by field,
and who may read the entries.

The audit app sits below the apps whose changes it records, so this module imports none of them
(the layers contract covers tests too): their models come from the app registry, their services
are reached through their pages."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.audit.policies import AuditEntryPolicy
from helsefellesskap.audit.services import audit_record, field_changes, save_audited
from helsefellesskap.core.policies import get_visible_or_404, policy_for

pytestmark = pytest.mark.django_db

PARTY_FIELDS = ["name", "kind", "municipality_number", "population", "note"]


def can_view(user, row) -> bool:
    return policy_for(row).can_view(user, row)


def model(label: str):
    return apps.get_model(label)


@pytest.fixture
def entry_then_failure(monkeypatch):
    """The entry is written, then the database refuses: whatever the service did before in the
    same transaction must go with it."""
    original = AuditEntry.save

    def save_then_fail(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise DatabaseError("disken er full")

    monkeypatch.setattr(AuditEntry, "save", save_then_fail)


def _party(world, **values):
    Party = model("organisation.Party")
    values = {
        "name": "Nyby kommune",
        "kind": "municipality",
        "municipality_number": "5099",
        **values,
    }
    return save_audited(
        actor=world.secretariat,
        obj=Party(community=world.community),
        values=values,
        allowed=PARTY_FIELDS,
    )


# --- One transaction -----------------------------------------------------------------------------


def test_a_new_row_and_its_entry_are_written_together(world):
    before = timezone.now()
    party = _party(world)
    entry = AuditEntry.objects.get(object_type="organisation.party", object_id=str(party.pk))
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.actor == world.secretariat
    assert entry.community == world.community
    assert before <= entry.at <= timezone.now()
    assert entry.object_repr == str(party)
    assert entry.changes == {
        "name": ["", "Nyby kommune"],
        "kind": ["", "municipality"],
        "municipality_number": ["", "5099"],
    }


def test_a_change_records_who_when_and_each_field_that_differs(world):
    party = _party(world)
    before = timezone.now()
    save_audited(
        actor=world.admin,
        obj=party,
        values={"name": "Nyby kommune", "population": 1234, "note": "Slått sammen"},
        allowed=PARTY_FIELDS,
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(party.pk))
    assert entry.actor == world.admin
    assert before <= entry.at <= timezone.now()
    # The name did not change, so it is not listed.
    assert entry.changes == {"population": ["", "1234"], "note": ["", "Slått sammen"]}
    party.refresh_from_db()
    assert (party.population, party.note) == (1234, "Slått sammen")


def test_saving_what_is_already_stored_writes_no_entry(world):
    party = _party(world)
    save_audited(
        actor=world.secretariat, obj=party, values={"name": "Nyby kommune"}, allowed=PARTY_FIELDS
    )
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).exists()


def test_a_value_that_fails_validation_leaves_neither_row_nor_entry(world):
    with pytest.raises(ValidationError):
        _party(world, name="")
    assert not model("organisation.Party").objects.filter(municipality_number="5099").exists()
    assert not AuditEntry.objects.filter(object_type="organisation.party").exists()


def test_an_unknown_field_is_refused_before_anything_is_written(world):
    party = _party(world)
    with pytest.raises(TypeError):
        save_audited(actor=world.secretariat, obj=party, values={"pk": 1}, allowed=PARTY_FIELDS)
    assert AuditEntry.objects.filter(object_id=str(party.pk)).count() == 1


def test_a_failure_after_the_entry_takes_the_change_with_it(world, entry_then_failure):
    party = model("organisation.Party").objects.get(pk=world.municipality.pk)
    with pytest.raises(DatabaseError):
        save_audited(
            actor=world.secretariat, obj=party, values={"population": 99}, allowed=PARTY_FIELDS
        )
    world.municipality.refresh_from_db()
    assert world.municipality.population != 99
    assert not AuditEntry.objects.exists()


def _chair_seat(world):
    Membership = model("organisation.Membership")
    return Membership.objects.get(body=world.council, role=Membership.Role.CHAIR)


def test_ending_a_seat_writes_the_end_and_its_entry_together(client, world):
    """organisation.services.membership_end, through its page."""
    seat = _chair_seat(world)
    client.force_login(world.secretariat)
    response = client.post(
        reverse("organisation:membership_end", args=[world.community.slug, seat.pk]),
        {"end_date": "2025-06-30", "note": "Gikk av"},
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.end_date == datetime.date(2025, 6, 30)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.END, object_id=str(seat.pk))
    assert entry.actor == world.secretariat
    assert entry.community == world.community
    assert entry.changes == {"end_date": ["", "2025-06-30"]}


def test_ending_a_seat_leaves_nothing_when_the_transaction_fails(client, world, entry_then_failure):
    seat = _chair_seat(world)
    client.force_login(world.secretariat)
    with pytest.raises(DatabaseError):
        client.post(
            reverse("organisation:membership_end", args=[world.community.slug, seat.pk]),
            {"end_date": "2025-06-30", "note": "Gikk av"},
        )
    seat.refresh_from_db()
    assert seat.end_date is None
    assert seat.note == ""
    assert not AuditEntry.objects.exists()


def _wheel_event(world):
    start = timezone.make_aware(datetime.datetime(2025, 10, 1, 9))
    return model("annualwheel.WheelEvent").objects.create(
        community=world.community,
        kind="theme_day",  # annualwheel.models.Kind.THEME_DAY: not a meeting
        title="Temadag om samhandling",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
    )


def test_deleting_a_wheel_event_records_it_in_the_same_transaction(client, world, monkeypatch):
    """annualwheel.services.event_delete, through its page: the entry is written first, the
    row deleted after it. When the delete fails, the entry goes too."""
    WheelEvent = model("annualwheel.WheelEvent")
    event = _wheel_event(world)
    page = reverse("annualwheel:event_delete", args=[world.community.slug, event.pk])
    client.force_login(world.secretariat)

    def refuse(self, *args, **kwargs):
        raise DatabaseError("låst")

    with monkeypatch.context() as patch:
        patch.setattr(WheelEvent, "delete", refuse)
        with pytest.raises(DatabaseError):
            client.post(page)
    assert WheelEvent.objects.filter(pk=event.pk).exists()
    assert not AuditEntry.objects.exists()

    assert client.post(page).status_code == 302
    assert not WheelEvent.objects.filter(pk=event.pk).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETE, object_id=str(event.pk))
    assert (entry.actor, entry.community) == (world.secretariat, world.community)
    assert entry.object_repr == str(event)


# --- The entry itself ----------------------------------------------------------------------------


def test_an_anonymous_actor_is_recorded_as_nobody(world):
    entry = audit_record(actor=None, action=AuditEntry.Action.VIEW, obj=world.council)
    assert entry.actor is None
    assert entry.community == world.community


def test_a_row_without_a_community_gives_an_entry_without_one(world):
    entry = audit_record(actor=world.admin, action=AuditEntry.Action.UPDATE, obj=world.member)
    assert entry.community is None
    assert entry.object_type == "accounts.user"
    assert entry.object_id == str(world.member.pk)


def test_field_changes_compares_the_values_as_text(world):
    Party = model("organisation.Party")
    before = Party(name="A", population=None, note="")
    after = Party(name="A", population=10, note="")
    assert field_changes(before, after, ["name", "population", "note"]) == {
        "population": ["", "10"]
    }
    assert field_changes(None, after, ["name", "note"]) == {"name": ["", "A"]}


# --- Who may read the entries --------------------------------------------------------------------


@pytest.fixture
def entries(world):
    """One entry in each community, and one of the platform (no community)."""
    return {
        "own": audit_record(
            actor=world.secretariat, action=AuditEntry.Action.UPDATE, obj=world.council
        ),
        "other": audit_record(
            actor=world.admin, action=AuditEntry.Action.UPDATE, obj=world.other_body
        ),
        "platform": audit_record(
            actor=world.admin, action=AuditEntry.Action.UPDATE, obj=world.member
        ),
    }


@pytest.fixture
def other_secretariat(world):
    """The secretariat of the other community."""
    Body = model("organisation.Body")
    Person = model("organisation.Person")
    Membership = model("organisation.Membership")
    user = get_user_model().objects.create_user("sekretariat@annetsted.no", "passord-for-test-1")
    body = Body.objects.create(
        community=world.other_community,
        kind=Body.Kind.SECRETARIAT,
        name="Sekretariatet",
        slug="sekretariatet",
    )
    person = Person.objects.create(
        community=world.other_community,
        user=user,
        given_name="Sara",
        family_name="Annetsted",
        email=user.email,
    )
    Membership.objects.create(
        community=world.other_community,
        body=body,
        person=person,
        role=Membership.Role.SECRETARY,
        representation=Membership.Representation.USER,
        start_date=datetime.date(2024, 1, 1),
    )
    return user


def _visible(user):
    return set(AuditEntry.objects.visible_to(user).values_list("pk", flat=True))


def test_the_policy_is_registered():
    assert isinstance(policy_for(AuditEntry), AuditEntryPolicy)


def test_a_secretariat_sees_its_own_communitys_entries_only(world, entries, other_secretariat):
    assert _visible(world.secretariat) == {entries["own"].pk}
    assert _visible(other_secretariat) == {entries["other"].pk}
    assert can_view(world.secretariat, entries["own"])
    assert not can_view(world.secretariat, entries["other"])
    assert not can_view(world.secretariat, entries["platform"])


def test_members_outsiders_and_visitors_see_no_entries(world, entries):
    for user in (world.chair, world.member, world.outsider, None):
        assert _visible(user) == set()
    for entry in entries.values():
        assert not can_view(world.member, entry)


def test_the_platform_admin_sees_every_entry(world, entries):
    assert _visible(world.admin) == {entry.pk for entry in entries.values()}
    assert can_view(world.admin, entries["platform"])


def test_entries_of_one_community(world, entries):
    rows = AuditEntry.objects.visible_to(world.admin, world.community)
    assert list(rows) == [entries["own"]]
    assert not AuditEntry.objects.visible_to(world.secretariat, world.other_community).exists()


def test_nobody_may_change_an_entry(world, entries):
    for user in (world.admin, world.secretariat):
        assert not AuditEntry.objects.editable_by(user).exists()
    with pytest.raises(PermissionDenied):
        get_visible_or_404(AuditEntry, world.secretariat, edit=True, pk=entries["own"].pk)


def test_another_communitys_entry_is_not_found(world, entries):
    with pytest.raises(Http404):
        get_visible_or_404(AuditEntry, world.secretariat, pk=entries["other"].pk)
