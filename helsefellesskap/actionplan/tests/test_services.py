import datetime

import pytest
from django.core.exceptions import ValidationError

from helsefellesskap.actionplan import selectors, services
from helsefellesskap.actionplan.diff import version_diff
from helsefellesskap.actionplan.models import PlanVersion, StatusReport
from helsefellesskap.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_revision_starts_as_a_copy_of_the_current_version(plan_world):
    draft = services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)
    assert draft.status == PlanVersion.Status.DRAFT and not draft.is_current
    assert draft.based_on == plan_world.version
    old = {m.code: m for m in plan_world.version.measures.all()}
    new = {m.code: m for m in draft.measures.all()}
    assert old.keys() == new.keys()
    assert all(old[code].lineage == new[code].lineage for code in old)
    assert version_diff(plan_world.version, draft).is_empty
    with pytest.raises(ValidationError, match="allerede et utkast"):
        services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)


def test_the_diff_finds_a_changed_an_added_and_a_removed_measure(plan_world):
    draft = services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)
    changed = draft.measures.get(code="1 a)")
    services.measure_save(
        actor=plan_world.secretariat,
        version=draft,
        measure=changed,
        text="Prioritere skrøpelige eldre og deres pårørende",
        code="1 a)",
        goal=changed.goal,
        years={2022: "", 2023: "igangsatt"},
    )
    services.measure_save(
        actor=plan_world.secretariat,
        version=draft,
        goal=changed.goal,
        code="1 c)",
        text="Nytt tiltak om legemiddelsamstemming",
        responsible=[plan_world.council],
    )
    services.measure_retire(actor=plan_world.secretariat, measure=draft.measures.get(code="3 a)"))
    diff = version_diff(plan_world.version, draft)
    kinds = {(e.kind, e.code) for e in diff.measures}
    assert kinds == {("changed", "1 a)"), ("added", "1 c)"), ("removed", "3 a)")}
    change = next(e for e in diff.measures if e.kind == "changed")
    fields = {c.label: (c.before, c.after) for c in change.changes}
    assert fields["Tiltak"] == (
        "Prioritere skrøpelige eldre",
        "Prioritere skrøpelige eldre og deres pårørende",
    )
    assert fields["År"] == ("2022", "2022, 2023 (igangsatt)")
    new = draft.measures.get(code="1 c)")
    assert new.order == draft.measures.get(code="1 b)").order + 1  # placed under its goal


def test_a_renumbered_measure_is_changed_not_removed(plan_world):
    draft = services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)
    m = draft.measures.get(code="3 a)")
    services.measure_save(actor=plan_world.secretariat, version=draft, measure=m, code="3")
    diff = version_diff(plan_world.version, draft)
    assert [(e.kind, e.code) for e in diff.measures] == [("changed", "3")]


def test_adoption_needs_asus_recommendation_and_psu(plan_world):
    draft = services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)
    day = datetime.date(2026, 3, 1)
    with pytest.raises(ValidationError, match="innstilt av ASU"):
        services.version_adopt(
            actor=plan_world.secretariat, version=draft, body=plan_world.psu, on=day
        )
    with pytest.raises(ValidationError, match="innstilles av ASU"):
        services.version_recommend(
            actor=plan_world.secretariat, version=draft, body=plan_world.psu, on=day
        )
    services.version_recommend(
        actor=plan_world.secretariat, version=draft, body=plan_world.asu, on=day
    )
    with pytest.raises(ValidationError, match="vedtas av PSU"):
        services.version_adopt(
            actor=plan_world.secretariat, version=draft, body=plan_world.asu, on=day
        )
    services.version_adopt(
        actor=plan_world.secretariat, version=draft, body=plan_world.psu, on=day, note="Sak 12/26"
    )
    plan_world.version.refresh_from_db()
    draft.refresh_from_db()
    assert draft.is_current and draft.status == PlanVersion.Status.ADOPTED
    assert plan_world.version.status == PlanVersion.Status.RETIRED
    assert not plan_world.version.is_current
    assert plan_world.plan.versions.filter(is_current=True).count() == 1
    with pytest.raises(ValidationError, match="kan ikke endres"):
        services.measure_save(
            actor=plan_world.secretariat, version=draft, measure=draft.measures.first(), text="x"
        )
    assert AuditEntry.objects.filter(
        object_type="actionplan.planversion", object_id=draft.pk
    ).exists()


def test_status_follows_the_measure_into_the_next_version(plan_world):
    measure = plan_world.version.measures.get(code="1 a)")
    services.status_report(
        actor=plan_world.chair,
        measure=measure,
        status="in_progress",
        text="Pilot i to kommuner",
        reported_on=datetime.date(2025, 5, 1),
    )
    draft = services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)
    copy = selectors.measures_with_status(plan_world.member, draft)
    status = {m.code: m.status for m in copy}
    assert status["1 a)"] == "in_progress"
    assert status["3 a)"] == selectors.NOT_REPORTED


def test_overdue_when_the_last_year_has_passed_without_completion(plan_world):
    measures = {
        m.code: m for m in selectors.measures_with_status(plan_world.member, plan_world.version)
    }
    assert measures["1 a)"].is_overdue  # 2022 has passed
    assert not measures["2"].is_overdue  # runs in 2030
    services.status_report(
        actor=plan_world.secretariat, measure=measures["1 a)"], status=StatusReport.Status.COMPLETED
    )
    measures = {
        m.code: m for m in selectors.measures_with_status(plan_world.member, plan_world.version)
    }
    assert not measures["1 a)"].is_overdue


def test_a_status_date_in_the_future_is_refused(plan_world):
    with pytest.raises(ValidationError):
        services.status_report(
            actor=plan_world.chair,
            measure=plan_world.version.measures.first(),
            status="started",
            reported_on=datetime.date.today() + datetime.timedelta(days=3),
        )


def test_filters(plan_world):
    tree, matched = selectors.plan_tree(
        plan_world.member, plan_world.version, selectors.Filters(priority_group="children_youth")
    )
    assert matched == 1
    assert [g.goal.code for a in tree for g in a.goals] == ["1"]
    _tree, matched = selectors.plan_tree(
        plan_world.member, plan_world.version, selectors.Filters(body=plan_world.asu.pk)
    )
    assert matched == 2
    _tree, matched = selectors.plan_tree(
        plan_world.member, plan_world.version, selectors.Filters(overdue=True)
    )
    assert matched == 3  # every measure whose years have passed, none completed


def test_goals_are_added_moved_renumbered_and_retired_in_a_draft(plan_world):
    draft = services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)
    first_area = draft.focus_areas.get(code="1")
    second_area = draft.focus_areas.get(code="2")
    new = services.goal_save(
        actor=plan_world.secretariat,
        version=draft,
        focus_area=first_area,
        code="2b",
        title="Nytt mål om legemidler",
    )
    order = list(draft.goals.order_by("order").values_list("code", flat=True))
    assert order == ["1", "2", "2b", "3"]  # last in its focus area, before the next area
    services.goal_save(
        actor=plan_world.secretariat,
        version=draft,
        goal=new,
        focus_area=second_area,
        code="4",
        title=new.title,
    )
    with pytest.raises(ValidationError, match="har tiltak"):
        services.goal_retire(actor=plan_world.secretariat, goal=draft.goals.get(code="1"))
    services.goal_retire(actor=plan_world.secretariat, goal=draft.goals.get(code="4"))
    diff = version_diff(plan_world.version, draft)
    assert diff.goals == []  # added then retired: nothing left to show


def test_an_edit_that_would_break_a_reference_is_refused(plan_world):
    draft = services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)
    # 1 b) refers to «2», which is both goal 2 and its single measure 2.
    services.measure_retire(actor=plan_world.secretariat, measure=draft.measures.get(code="2"))
    goal = draft.goals.get(code="2")
    with pytest.raises(ValidationError, match="Henvisningen «2» finnes ikke"):
        services.goal_save(
            actor=plan_world.secretariat,
            version=draft,
            goal=goal,
            focus_area=goal.focus_area,
            code="2x",
            title=goal.title,
        )
    goal.refresh_from_db()
    assert goal.code == "2"  # nothing half-saved
    # The draft still makes a next revision possible.
    adopted = _adopt(plan_world, draft)
    assert adopted.is_current
    assert services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan).pk


def _adopt(w, version):
    day = datetime.date(2026, 3, 1)
    services.version_recommend(actor=w.secretariat, version=version, body=w.asu, on=day)
    return services.version_adopt(actor=w.secretariat, version=version, body=w.psu, on=day)


def test_editing_a_recommended_version_takes_it_back_to_draft(plan_world):
    draft = services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)
    services.version_recommend(
        actor=plan_world.secretariat,
        version=draft,
        body=plan_world.asu,
        on=datetime.date(2026, 2, 1),
    )
    m = draft.measures.get(code="3 a)")
    services.measure_save(
        actor=plan_world.secretariat, version=draft, measure=m, text="Ny tekst etter innstillingen"
    )
    draft.refresh_from_db()
    assert draft.status == PlanVersion.Status.DRAFT and draft.recommended_by is None
    with pytest.raises(ValidationError, match="innstilt av ASU"):
        services.version_adopt(
            actor=plan_world.secretariat,
            version=draft,
            body=plan_world.psu,
            on=datetime.date(2026, 3, 1),
        )


def test_import_obeys_the_decision_rules_and_one_draft_at_a_time(plan_world):
    from helsefellesskap.actionplan.planfile import validate

    from .conftest import small_plan

    data = small_plan()
    data["version"]["adopted_by"] = "ASU"
    _clean, errors = validate(data, plan_world.community)
    assert "Versjon: Handlingsplanen vedtas av PSU." in errors.as_text()
    data = small_plan()
    del data["version"]["recommended_by"]
    _clean, errors = validate(data, plan_world.community)
    assert any("innstilt av ASU" in e for e in errors.as_text())
    data = small_plan()
    data["version"]["status"] = "Vedtatt av PSU"  # the Norwegian label, as in the spreadsheet
    _clean, errors = validate(data, plan_world.community)
    assert not errors
    first = services.plan_import(
        actor=None, community=plan_world.community, data=small_plan(), plan=plan_world.plan
    )
    assert first.status == PlanVersion.Status.DRAFT and first.adopted_by is None
    with pytest.raises(ValidationError, match="allerede et utkast"):
        services.plan_import(
            actor=None, community=plan_world.community, data=small_plan(), plan=plan_world.plan
        )


def test_services_refuse_rows_of_another_version_or_community(plan_world):
    from helsefellesskap.organisation.tests.factories import BodyFactory

    draft = services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)
    old_area = plan_world.version.focus_areas.first()
    with pytest.raises(ValidationError):
        services.goal_save(
            actor=plan_world.secretariat,
            version=draft,
            focus_area=old_area,
            code="9",
            title="Feil versjon",
        )
    with pytest.raises(ValidationError):
        services.measure_save(
            actor=plan_world.secretariat,
            version=draft,
            measure=plan_world.version.measures.first(),
            text="x",
        )
    foreign_psu = BodyFactory(community=plan_world.other_community, kind="political")
    services.version_recommend(
        actor=plan_world.secretariat,
        version=draft,
        body=plan_world.asu,
        on=datetime.date(2026, 2, 1),
    )
    with pytest.raises(ValidationError):
        services.version_adopt(
            actor=plan_world.secretariat,
            version=draft,
            body=foreign_psu,
            on=datetime.date(2026, 3, 1),
        )
    with pytest.raises(ValidationError, match="gjeldende versjon"):
        services.status_report(
            actor=plan_world.secretariat, measure=draft.measures.first(), status="started"
        )
    with pytest.raises(ValidationError, match="ikke ansvarlig"):
        services.status_report(
            actor=plan_world.secretariat,
            measure=plan_world.version.measures.get(code="3 a)"),
            status="started",
            body=plan_world.council,
        )
