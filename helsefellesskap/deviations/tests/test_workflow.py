"""Every cell of the workflow table: each action from each state for each role."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied

from helsefellesskap.deviations import services, workflow
from helsefellesskap.deviations.models import Deviation

S = Deviation.State
ROLES = [workflow.REPORTER, workflow.RECEIVER, workflow.GP_LIAISON, workflow.SECRETARIAT]

EXPECTED = {
    # action: (from states, to state, roles)
    "release": ({S.TRIAGE}, S.REPORTED, {workflow.GP_LIAISON}),
    "receive": ({S.REPORTED, S.FORWARDED}, S.RECEIVED, {workflow.RECEIVER}),
    "start": ({S.RECEIVED, S.REOPENED}, S.IN_PROGRESS, {workflow.RECEIVER}),
    "forward": (
        {S.TRIAGE, S.REPORTED, S.RECEIVED, S.IN_PROGRESS, S.FORWARDED},
        S.FORWARDED,
        {workflow.RECEIVER, workflow.GP_LIAISON, workflow.SECRETARIAT},
    ),
    "ask": ({S.RECEIVED, S.IN_PROGRESS}, S.WAITING, {workflow.RECEIVER}),
    "reply": ({S.WAITING}, S.IN_PROGRESS, {workflow.REPORTER}),
    "answer": (
        {S.TRIAGE, S.REPORTED, S.RECEIVED, S.IN_PROGRESS, S.REOPENED},
        S.ANSWERED,
        {workflow.RECEIVER, workflow.GP_LIAISON},
    ),
    "accept": ({S.ANSWERED}, S.CLOSED, {workflow.REPORTER}),
    "reopen": ({S.ANSWERED}, S.REOPENED, {workflow.REPORTER}),
    "escalate": (
        {S.ANSWERED, S.REOPENED, S.IN_PROGRESS},
        S.DISAGREEMENT,
        {workflow.REPORTER, workflow.RECEIVER},
    ),
    "resolve": ({S.DISAGREEMENT}, S.CLOSED, {workflow.SECRETARIAT}),
    "close": ({S.ANSWERED}, S.CLOSED, {workflow.SECRETARIAT}),
}


def test_the_table_is_the_one_we_expect():
    assert set(workflow.ACTIONS) == set(EXPECTED)
    for name, (sources, target, roles) in EXPECTED.items():
        action = workflow.ACTIONS[name]
        assert (set(action.sources), action.target, set(action.roles)) == (sources, target, roles)


@pytest.mark.parametrize("action,state,role", list(itertools.product(EXPECTED, S.values, ROLES)))
def test_every_action_from_every_state_for_every_role(action, state, role):
    sources, _target, roles = EXPECTED[action]
    assert workflow.allowed(action, state, {role}) == (state in sources and role in roles)


def test_nobody_without_a_role_may_do_anything():
    for action, state in itertools.product(EXPECTED, S.values):
        assert not workflow.allowed(action, state, set())
    assert not workflow.allowed("delete", S.REPORTED, set(ROLES))


@pytest.mark.django_db
def test_the_service_refuses_a_forbidden_transition(dev_world, report):
    deviation = report()
    with pytest.raises(PermissionDenied):  # the reporter cannot answer her own report
        services.deviation_act(
            actor=dev_world.nurse, deviation=deviation, action="answer", text="Svar"
        )
    with pytest.raises(PermissionDenied):  # nothing to accept before an answer
        services.deviation_act(actor=dev_world.nurse, deviation=deviation, action="accept")
    with pytest.raises(PermissionDenied):  # an uninvolved party's handler has no role at all
        services.deviation_act(
            actor=dev_world.uninvolved_handler, deviation=deviation, action="receive"
        )
    deviation.refresh_from_db()
    assert deviation.state == S.REPORTED
