"""Every cell of the meeting lifecycle: each action from each state for each role, and the services
and the meeting page that follow the table."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from helsefellesskap.cases import lifecycle, services
from helsefellesskap.cases.models import Meeting

S = Meeting.Status
ROLES = list(lifecycle.ROLES)
SEC, CHAIR, ATTENDEE = lifecycle.SECRETARIAT, lifecycle.CHAIR, lifecycle.ATTENDEE
UNLOCKED = {S.PLANNED, S.INVITED, S.HELD, S.CANCELLED}
BEFORE = {S.PLANNED, S.INVITED}

EXPECTED = {
    # action: (from states, to state or None when the state stays, roles)
    "edit": (UNLOCKED, None, {SEC}),
    "agenda": (UNLOCKED, None, {SEC}),
    "record": (UNLOCKED, None, {SEC}),
    "attendance": (UNLOCKED, None, {SEC}),
    "substitute": (UNLOCKED, None, {SEC}),
    "absence": (BEFORE, None, {ATTENDEE}),
    "invite": (BEFORE, S.INVITED, {SEC}),
    "held": (BEFORE, S.HELD, {SEC}),
    "cancel": (BEFORE, S.CANCELLED, {SEC}),
    "approve": ({S.HELD}, S.APPROVED, {SEC, CHAIR}),
}


def test_the_table_is_the_one_we_expect():
    assert set(lifecycle.ACTIONS) == set(EXPECTED)
    for name, (sources, target, roles) in EXPECTED.items():
        action = lifecycle.ACTIONS[name]
        assert (set(action.sources), action.target, set(action.roles)) == (sources, target, roles)


@pytest.mark.parametrize("action,state,role", list(itertools.product(EXPECTED, S.values, ROLES)))
def test_every_action_from_every_state_for_every_role(action, state, role):
    sources, _target, roles = EXPECTED[action]
    assert lifecycle.allowed(action, state, {role}) == (state in sources and role in roles)
    assert (lifecycle.refusal(action, state) is None) == (state in sources)


def test_nobody_without_a_role_may_do_anything():
    for action, state in itertools.product(EXPECTED, S.values):
        assert not lifecycle.allowed(action, state, set())
    assert not lifecycle.allowed("delete", S.PLANNED, set(ROLES))


def test_a_locked_meeting_offers_nothing_that_changes_it():
    assert {S.APPROVED} == lifecycle.LOCKED
    assert lifecycle.buttons(S.APPROVED, set(ROLES)) == []
    assert not any(lifecycle.permitted(S.APPROVED, set(ROLES)).values())


def test_the_buttons_with_their_labels_and_colours():
    planned = [
        (a.name, a.label_for(S.PLANNED), a.variant) for a in lifecycle.buttons(S.PLANNED, {SEC})
    ]
    assert planned == [
        ("invite", "Send innkalling", "primary"),
        ("held", "Registrer møtet som avholdt", "secondary"),
        ("cancel", "Avlys møtet", "tertiary"),
    ]
    invited = [a.label_for(S.INVITED) for a in lifecycle.buttons(S.INVITED, {SEC})]
    assert invited[0] == "Send innkallingen på nytt"
    assert lifecycle.buttons(S.PLANNED, {CHAIR, ATTENDEE}) == []
    assert lifecycle.buttons(S.HELD, {SEC}) == []


@pytest.fixture
def meeting(case_world):
    w = case_world
    start = timezone.make_aware(datetime.datetime(2026, 3, 30, 10, 0))
    return services.meeting_create(
        actor=w.secretariat,
        community=w.community,
        bodies=[w.council],
        title="Møte i fagrådet",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )


STEPS = {
    "invite": lambda w, m: services.invitation_send(actor=w.secretariat, meeting=m),
    "held": lambda w, m: services.meeting_held(actor=w.secretariat, meeting=m),
    "cancel": lambda w, m: services.meeting_cancel(actor=w.secretariat, meeting=m),
    "approve": lambda w, m: services.minutes_approve(actor=w.chair, meeting=m, how="electronic"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("action,state", list(itertools.product(STEPS, S.values)))
def test_the_services_follow_the_table(case_world, meeting, action, state):
    Meeting.objects.filter(pk=meeting.pk).update(status=state)
    meeting.refresh_from_db()
    sources, target, _roles = EXPECTED[action]
    if state in sources:
        STEPS[action](case_world, meeting)
        meeting.refresh_from_db()
        assert meeting.status == target
    else:
        with pytest.raises(ValidationError):
            STEPS[action](case_world, meeting)
        meeting.refresh_from_db()
        assert meeting.status == state


@pytest.mark.django_db
def test_the_meeting_page_shows_the_tables_buttons(client, case_world, meeting):
    w = case_world
    page = reverse("cases:meeting", args=[w.community.slug, meeting.pk])
    client.force_login(w.secretariat)
    text = client.get(page).text
    assert "Send innkalling" in text and "Avlys møtet" in text and "Endre møtet" in text
    services.meeting_held(actor=w.secretariat, meeting=meeting)
    text = client.get(page).text
    assert "Avlys møtet" not in text and "Godkjenn protokollen" in text
    services.minutes_approve(actor=w.secretariat, meeting=meeting, how="next_meeting")
    text = client.get(page).text
    for label in ["Endre møtet", "Godkjenn protokollen", "Før protokoll", 'name="attendance"']:
        assert label not in text, label
    client.force_login(w.chair)
    assert "Sekretariatet" not in client.get(page).text
