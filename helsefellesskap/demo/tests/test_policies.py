"""The proof of the policies: on the demo world (both communities, every kind of row, a login for
every role), for every model of the product and every persona, the queryset rule and the object
check agree row by row, nobody may change what they cannot see, and no row of a community reaches
an outsider (no seat there and no entry in its register) beyond what the public sees (nothing at
all once the community is unpublished).

New models are picked up from the app registry: a model without a policy fails here."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import models, transaction

from helsefellesskap.core import access
from helsefellesskap.core.policies import policy_for
from helsefellesskap.organisation.models import Community, Person

# Rows that belong to a login or to the platform, not to a community.
NOT_COMMUNITY_ROWS = {"accounts.User", "annualwheel.FeedToken",
                      "core.SubmittedForm", "core.WorkerHeartbeat"}  # fmt: skip
pytestmark = pytest.mark.django_db

SAMPLE = 25  # rows per model and community whose object check is compared one by one


def product_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("helsefellesskap.")
        and model._meta.label not in NOT_COMMUNITY_ROWS
    ]


def label(model: type[models.Model]) -> str:
    return model._meta.label


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", "--force", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def personas(demo, django_db_blocker):
    """Every demo login, a login without any seat, and the anonymous visitor."""
    with django_db_blocker.unblock():
        users = list(get_user_model().objects.order_by("email"))
        nobody = get_user_model().objects.create_user(
            email="ingen-verv@example.no", password="x-passord-2026", full_name="Ingen Verv"
        )
    return [*users, nobody, AnonymousUser()]


def outsider(user, community) -> bool:
    """Neither the platform administrator nor anyone the community knows: no seat there and no
    entry in its register (a health worker of a party, a handler)."""
    grant = access.access_for(user)
    if grant.is_platform_admin or community.pk in grant.member_of:
        return False
    return not (
        user.is_authenticated and Person.objects.filter(community=community, user=user).exists()
    )


def name(user) -> str:
    return getattr(user, "email", "") or "anonym"


def sample(policy, model) -> list[models.Model]:
    rows: list[models.Model] = []
    for community in Community.objects.order_by("pk"):
        in_community = policy.in_community(model._default_manager.order_by("pk"), community)
        total = in_community.count()
        step = max(1, total // SAMPLE)
        rows += list(in_community[::step][:SAMPLE]) if total else []
    return rows


def test_every_model_of_the_product_has_a_policy():
    missing = []
    for model in product_models():
        try:
            policy_for(model)
        except LookupError:
            missing.append(label(model))
    assert not missing, f"Modeller uten policy: {missing}"


def test_the_demo_has_rows_of_every_model(demo, django_db_blocker):
    with django_db_blocker.unblock():
        empty = [label(m) for m in product_models() if not m._default_manager.exists()]
    assert not empty, f"Ingen demorader, så beviset sier ingenting om: {empty}"


@pytest.mark.parametrize("model", product_models(), ids=label)
def test_queryset_and_object_check_agree_row_by_row(model, personas, django_db_blocker):
    policy = policy_for(model)
    with django_db_blocker.unblock():
        rows = sample(policy, model)
        for user in personas:
            visible_qs = policy.visible_to(model._default_manager.all(), user)
            visible = set(visible_qs.values_list("pk", flat=True))
            assert visible_qs.count() == len(visible), f"{name(user)}: dobbeltrader"
            editable = set(
                policy.editable_by(model._default_manager.all(), user).values_list("pk", flat=True)
            )
            assert editable <= visible, f"{name(user)} kan endre rader de ikke ser"
            for row in rows:
                assert policy.can_view(user, row) == (row.pk in visible), (name(user), row.pk)
                assert policy.can_edit(user, row) == (row.pk in editable), (name(user), row.pk)


@pytest.mark.parametrize("model", product_models(), ids=label)
def test_outsiders_see_no_more_than_the_public(model, personas, django_db_blocker):
    policy = policy_for(model)
    anonymous = AnonymousUser()
    with django_db_blocker.unblock():
        for community in Community.objects.all():
            public = set(
                policy.visible_to(model._default_manager.all(), anonymous, community).values_list(
                    "pk", flat=True
                )
            )
            for user in personas:
                if not outsider(user, community):
                    continue
                seen = set(
                    policy.visible_to(model._default_manager.all(), user, community).values_list(
                        "pk", flat=True
                    )
                )
                extra = seen - public
                assert not extra, f"{name(user)} ser {len(extra)} interne rader i {community.slug}"


@pytest.mark.parametrize("model", product_models(), ids=label)
def test_an_unpublished_community_shows_outsiders_nothing(model, personas, django_db_blocker):
    policy = policy_for(model)
    with django_db_blocker.unblock():
        for community in Community.objects.all():
            with transaction.atomic():
                Community.objects.filter(pk=community.pk).update(is_published=False)
                for user in personas:
                    if not outsider(user, community):
                        continue
                    rows = policy.visible_to(model._default_manager.all(), user, community)
                    assert not rows.exists(), f"{name(user)} ser rader i {community.slug}"
                transaction.set_rollback(True)
