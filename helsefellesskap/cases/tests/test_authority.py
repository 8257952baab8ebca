"""Each rule of section 5.2 of the collaboration agreement."""

import pytest

from helsefellesskap.cases import authority, services
from helsefellesskap.cases.models import DecisionKind

pytestmark = pytest.mark.django_db


def route(w, case, *bodies):
    return services.case_route(actor=w.secretariat, case=case, bodies=list(bodies))


def decide(w, treatment, outcome="decided", **values):
    return services.treatment_record(
        actor=w.secretariat, treatment=treatment, outcome=outcome, **values
    )


def messages(case):
    return [w.message for w in authority.check(case)]


def test_the_action_plan_by_psu_on_asus_recommendation_is_in_order(case_world):
    w = case_world
    case = w.make_case(decision_kind=DecisionKind.ACTION_PLAN)
    asu, psu = route(w, case, w.asu, w.psu)
    decide(w, asu, "recommended", recommendation="ASU innstiller på at PSU vedtar planen.")
    decide(w, psu, "decided", decision="PSU vedtar handlingsplanen.", unanimous=True)
    assert messages(case) == []


def test_an_action_plan_adopted_by_asu_is_flagged(case_world):
    w = case_world
    case = w.make_case(decision_kind=DecisionKind.ACTION_PLAN)
    (asu,) = route(w, case, w.asu)
    assert messages(case) == ["Saken er ikke fordelt til PSU, som vedtar handlingsplanen."]
    decide(w, asu, "decided", decision="ASU vedtar handlingsplanen.")
    assert any("ikke mandat til å vedta handlingsplanen" in m for m in messages(case))


def test_an_action_plan_adopted_by_psu_without_asus_recommendation_is_flagged(case_world):
    w = case_world
    case = w.make_case(decision_kind=DecisionKind.ACTION_PLAN)
    route(w, case, w.psu)
    assert any("etter innstilling fra ASU" in m for m in messages(case))
    case2 = w.make_case(decision_kind=DecisionKind.ACTION_PLAN)
    route(w, case2, w.asu, w.psu)  # routed right, but ASU has not recommended yet
    assert any("har ikke gitt sin innstilling ennå" in m for m in messages(case2))


def test_revised_guidelines_are_decided_by_asu(case_world):
    w = case_world
    case = w.make_case(decision_kind=DecisionKind.GUIDELINE_REVISION)
    (psu,) = route(w, case, w.psu)
    decide(w, psu, decision="PSU vedtar revidert retningslinje.")
    found = messages(case)
    assert (
        "Saken er ikke fordelt til ASU, som vedtar reviderte retningslinjer og prosedyrer." in found
    )
    assert any("PSU har ikke mandat" in m for m in found)
    ok = w.make_case(decision_kind=DecisionKind.GUIDELINE_REVISION)
    (asu,) = route(w, ok, w.asu)
    decide(w, asu, decision="ASU vedtar revidert retningslinje for utskrivning.")
    assert messages(ok) == []


def test_minor_agreement_changes_by_psu_with_or_without_asu(case_world):
    w = case_world
    alone = w.make_case(decision_kind=DecisionKind.AGREEMENT_MINOR)
    (psu,) = route(w, alone, w.psu)
    decide(w, psu)
    assert messages(alone) == []
    by_asu = w.make_case(decision_kind=DecisionKind.AGREEMENT_MINOR)
    (asu,) = route(w, by_asu, w.asu)
    decide(w, asu)
    assert any("ASU har ikke mandat" in m for m in messages(by_asu))


def test_funds_by_psu_and_unanimity_counts_as_agreement(case_world):
    w = case_world
    unanimous = w.make_case(decision_kind=DecisionKind.FUNDS)
    (psu,) = route(w, unanimous, w.psu)
    decide(w, psu, unanimous=True)
    assert messages(unanimous) == []
    split = w.make_case(decision_kind=DecisionKind.FUNDS)
    (psu2,) = route(w, split, w.psu)
    decide(w, psu2, unanimous=False, votes_for=6, votes_against=2, dissent="Kommune X")
    found = authority.check(split)
    assert [f.severity for f in found] == ["info"]
    assert "regnes derfor ikke som enighet" in found[0].message


def test_the_agreement_is_decided_by_every_council_and_the_board(case_world):
    w = case_world
    case = w.make_case(decision_kind=DecisionKind.AGREEMENT, title="Revidert samarbeidsavtale")
    asu, psu = route(w, case, w.asu, w.psu)
    decide(w, asu, "recommended")
    decide(w, psu, "decided")
    found = messages(case)
    assert any("PSU kan bare anbefale" in m for m in found)
    assert any("hvert kommunestyre" in m for m in found)


def test_information_and_discussion_cases_have_no_rules(case_world):
    w = case_world
    case = w.make_case(type="information", decision_kind="")
    route(w, case, w.au)
    assert messages(case) == []
