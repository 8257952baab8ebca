"""Every row people edit carries an edit version: of two saves based on the same reading, the
second is refused and the first stays. Checked on a demo row of every such model."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction

from helsefellesskap.core.concurrency import EditConflict, Versioned

pytestmark = pytest.mark.django_db


def versioned_models():
    return sorted(
        (m for m in apps.get_models() if issubclass(m, Versioned)), key=lambda m: m._meta.label
    )


def test_the_edited_models_are_versioned():
    """The rows of the edit forms the outside test found overwritten, and their siblings."""
    labels = {m._meta.label for m in versioned_models()}
    assert {
        "organisation.Membership",
        "organisation.Person",
        "organisation.Party",
        "organisation.Body",
        "organisation.MunicipalRegion",
        "cases.AgendaItem",
        "cases.Treatment",
        "cases.Meeting",
        "cases.Case",
        "actionplan.Measure",
        "actionplan.Goal",
        "annualwheel.WheelEvent",
        "annualwheel.RecurrenceRule",
        "deviations.Theme",
        "deviations.Category",
        "deviations.DeviationSettings",
        "deviations.Deviation",
    } <= labels


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", "--force", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("model", versioned_models(), ids=lambda m: m._meta.label)
def test_two_stale_saves_never_overwrite_each_other(demo, model):
    row = model._default_manager.order_by("pk").first()
    assert row is not None, f"no demo row of {model._meta.label}"
    mine, theirs = model._default_manager.get(pk=row.pk), model._default_manager.get(pk=row.pk)
    theirs.save()
    # Each refused save rolls back its own savepoint, as a service's transaction would.
    with pytest.raises(EditConflict), transaction.atomic():
        mine.save()
    with pytest.raises(EditConflict), transaction.atomic():
        mine.save(update_fields=[f.name for f in model._meta.concrete_fields[1:2]])
    assert model._default_manager.get(pk=row.pk).edit_version == row.edit_version + 1
    again = model._default_manager.get(pk=row.pk)
    again.save()  # a fresh reading saves
    assert model._default_manager.get(pk=row.pk).edit_version == row.edit_version + 2
