"""One rule for who sees a case: the lists, the object check, the history and the workflow roles
all agree with `DeviationPolicy`."""

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from helsefellesskap.core import access
from helsefellesskap.core.policies import policy_for
from helsefellesskap.deviations import policies, selectors, services, workflow
from helsefellesskap.deviations.models import (
    Category,
    Deviation,
    DeviationSettings,
    Event,
    Handler,
    Theme,
)
from helsefellesskap.organisation.models import Community

from .factories import HandlerFactory, ThemeFactory

pytestmark = pytest.mark.django_db
S = Deviation.State


def _personas(w):
    return [
        w.nurse,
        w.gp,
        w.hospital_handler,
        w.municipal_handler,
        w.uninvolved_handler,
        w.liaison,
        w.secretariat,
        w.member,
        w.chair,
        w.outsider,
        w.admin,
        AnonymousUser(),
    ]


def _cases(w, report):
    return [
        report(),  # nurse → hospital
        report(concerned_unit=w.ward),  # nurse → the hospital's ward
        report(actor=w.gp),  # GP → hospital: triage by the liaison
        report(actor=w.gp, concerned_party=w.municipality),  # GP → municipality: no liaison
        report(actor=w.hospital_handler, concerned_party=w.municipality),  # hospital → municipality
    ]


@pytest.mark.parametrize("published", [True, False])
def test_roles_are_given_only_to_those_who_see_the_case(dev_world, report, published):
    cases = _cases(dev_world, report)
    Community.objects.filter(pk=dev_world.community.pk).update(is_published=published)
    granted = 0
    for deviation, state, user in itertools.product(cases, S.values, _personas(dev_world)):
        Deviation.objects.filter(pk=deviation.pk).update(state=state)
        deviation = Deviation.objects.select_related("community").get(pk=deviation.pk)
        seen = policies.DeviationPolicy().can_view(user, deviation)
        if policies.deviation_roles(user, deviation):
            granted += 1
            assert seen, (deviation.number, state, user)
    assert granted  # the secretariat's roles at least


def test_the_lists_and_the_object_check_agree(dev_world, report):
    cases = _cases(dev_world, report)
    for user in _personas(dev_world):
        listed = set(selectors.visible(user, dev_world.community))
        assert listed == {d for d in cases if policies.can_view_deviation(user, d)}, user
        # Whatever waits for someone, or was reported by them, they may open.
        assert set(selectors.for_my_party(user, dev_world.community)) <= listed, user
        if access.access_for(user).is_authenticated:
            assert set(selectors.reported_by_me(user, dev_world.community)) <= listed, user


def test_who_sees_a_case(dev_world, report):
    w = dev_world
    nurse_case, ward_case, gp_case, gp_municipal_case, hospital_case = _cases(w, report)
    seen = {
        user: set(Deviation.objects.visible_to(user, w.community))
        for user in _personas(w)
        if not isinstance(user, AnonymousUser)
    }
    everything = {nurse_case, ward_case, gp_case, gp_municipal_case, hospital_case}
    assert seen[w.nurse] == {nurse_case, ward_case}
    assert seen[w.gp] == {gp_case, gp_municipal_case}
    assert seen[w.hospital_handler] == everything - {gp_municipal_case}
    assert seen[w.municipal_handler] == {nurse_case, ward_case, gp_municipal_case, hospital_case}
    assert seen[w.liaison] == seen[w.hospital_handler]  # the liaison also handles the hospital
    assert seen[w.uninvolved_handler] == set()
    assert seen[w.secretariat] == seen[w.admin] == everything
    assert seen[w.member] == seen[w.chair] == seen[w.outsider] == set()
    assert not Deviation.objects.visible_to(AnonymousUser()).exists()


def test_a_unit_handler_sees_the_units_cases_also_during_triage(dev_world, report):
    """The lists showed a GP report in triage to the handler of the unit it concerns, while the
    case page refused it; now both show it (the party's own handlers saw it already). Acting
    on it still waits for the GP liaison."""
    w = dev_world
    HandlerFactory(party=w.hospital, unit=w.ward, person=w.member.people.get())
    case = report(actor=w.gp, concerned_unit=w.ward)
    assert case.state == S.TRIAGE
    assert policies.can_view_deviation(w.member, case)
    assert case in selectors.deviation_list(w.member, w.community)
    assert policies.deviation_roles(w.member, case) == set()
    assert case not in selectors.for_my_party(w.member, w.community)


def test_the_rule_holds_across_communities(dev_world, report):
    w = dev_world
    case = report()
    assert set(Deviation.objects.visible_to(w.hospital_handler)) == {case}
    assert not Deviation.objects.visible_to(w.hospital_handler, w.other_community).exists()
    assert not Deviation.objects.visible_to(w.secretariat, w.other_community).exists()
    assert not Deviation.objects.visible_to(w.outsider).exists()


def test_deviation_or_deny_keeps_the_refusals(dev_world, report):
    w = dev_world
    case = report()
    found = policies.deviation_or_deny(w.hospital_handler, w.community, case.number)
    assert found == case and found.community == w.community
    with pytest.raises(access.LoginRequired):
        policies.deviation_or_deny(AnonymousUser(), w.community, case.number)
    for user in (w.uninvolved_handler, w.member, w.outsider):
        with pytest.raises(Http404):
            policies.deviation_or_deny(user, w.community, case.number)
    with pytest.raises(Http404):
        policies.deviation_or_deny(w.secretariat, w.other_community, case.number)
    with pytest.raises(Http404):
        policies.deviation_or_deny(w.secretariat, w.community, "2099-9999")


def test_the_history_is_seen_with_its_case(dev_world, report):
    w = dev_world
    case = report()
    services.deviation_comment(actor=w.hospital_handler, deviation=case, text="Vi ser på det.")
    events = set(Event.objects.filter(deviation=case))
    assert len(events) == 2
    for user in _personas(w):
        shown = set(Event.objects.visible_to(user, w.community))
        assert shown == (events if policies.can_view_deviation(user, case) else set()), user
        assert not Event.objects.editable_by(user).exists(), user
    labels = [entry.label for entry in selectors.events(w.nurse, case)]
    assert labels == ["Meldte avviket", "Kommentar"]


def test_the_secretariat_keeps_the_routines_own_rows(dev_world):
    w = dev_world
    ThemeFactory(community=w.community)
    services.settings_for(w.community)
    for model in (Theme, Handler, DeviationSettings):
        rows = model.objects.filter(community=w.community)
        assert rows.exists()
        assert set(model.objects.visible_to(w.secretariat, w.community)) == set(rows), model
        assert set(model.objects.visible_to(w.admin, w.community)) == set(rows), model
        for user in (w.nurse, w.hospital_handler, w.member, w.outsider, AnonymousUser()):
            assert not model.objects.visible_to(user, w.community).exists(), (model, user)
    # Categories are on every reporter's form: the community's open rows.
    categories = set(Category.objects.filter(community=w.community))
    for user in (w.nurse, w.member, w.secretariat, w.admin, AnonymousUser()):
        assert set(Category.objects.visible_to(user, w.community)) == categories, user
    assert set(Category.objects.editable_by(w.secretariat, w.community)) == categories
    assert not Category.objects.editable_by(w.member, w.community).exists()


def test_every_model_of_the_routine_has_its_policy():
    for model in (Category, Deviation, DeviationSettings, Event, Handler, Theme):
        assert policy_for(model).model is model


def test_only_the_secretariat_sees_small_numbers_and_never_in_the_annual_report(dev_world):
    w = dev_world
    assert policies.sees_small_numbers(w.secretariat, w.community)
    assert policies.sees_small_numbers(w.admin, w.community)
    for user in (w.member, w.chair, w.hospital_handler, w.outsider, AnonymousUser()):
        assert not policies.sees_small_numbers(user, w.community), user
    for user in (w.secretariat, w.admin):
        assert not policies.sees_small_numbers(user, w.community, annual_report=True)
    assert not policies.sees_small_numbers(w.secretariat, w.other_community)


def test_a_closed_case_takes_no_comments(dev_world, report):
    w = dev_world
    case = report()
    Deviation.objects.filter(pk=case.pk).update(state=S.CLOSED)
    case.refresh_from_db()
    assert not policies.may_comment(w.nurse, case)
    with pytest.raises(PermissionDenied):
        services.deviation_comment(actor=w.nurse, deviation=case, text="Takk.")


def test_every_state_and_action_has_its_colour_and_labels():
    assert set(workflow.STATE_COLORS) == set(S.values)
    assert workflow.state_color(S.CLOSED) == "success"
    assert workflow.state_color(S.DISAGREEMENT) == "danger"
    assert workflow.state_color(S.ANSWERED) == "info"
    assert workflow.state_color(S.REPORTED) == "warning"
    for action in workflow.ACTIONS.values():
        assert action.color and str(action.label) and str(action.text_label), action.name
        assert action.asks_text >= action.needs_text, action.name
    assert str(workflow.ACTIONS["answer"].text_label) == "Svar til melder"
    assert workflow.ACTIONS["forward"].asks_target and workflow.ACTIONS["answer"].asks_measures


def test_an_unpublished_community_closes_its_cases_to_those_without_a_seat(dev_world, report):
    """As every page of the community does: reporters and handlers need no seat, but while the
    community is unpublished only seat holders get in."""
    w = dev_world
    case = report()
    w.community.is_published = False
    w.community.save(update_fields=["is_published"])
    for user in (w.nurse, w.hospital_handler, w.municipal_handler):
        assert not policies.can_view_deviation(user, case), user
    assert policies.can_view_deviation(w.secretariat, case)
    assert policies.can_view_deviation(w.admin, case)
