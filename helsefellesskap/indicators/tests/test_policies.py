"""Who may see and change steering information, role by role."""

import pytest

from helsefellesskap.core.policies import policy_for
from helsefellesskap.indicators import policies
from helsefellesskap.indicators.models import Indicator, Observation

from .factories import IndicatorFactory, figures_world, observe

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "chair", "analyst", "secretariat", "admin"]


@pytest.fixture
def fw(world):
    w = figures_world(world)
    w.anonymous = None
    w.hidden = IndicatorFactory(community=w.community, code="intern", is_published=False)
    observe(w.hidden, w.aby, "2025-H1", 3, 30)
    return w


@pytest.mark.parametrize(
    "role,analyst,small,small_shared",
    [
        ("anonymous", False, False, False),
        ("outsider", False, False, False),
        ("member", False, False, True),
        ("chair", False, False, True),
        ("analyst", True, True, True),
        ("secretariat", True, True, True),
        ("admin", True, True, True),
    ],
)
def test_who_is_an_analyst_and_who_sees_small_numbers(fw, role, analyst, small, small_shared):
    user = getattr(fw, role)
    assert policies.is_analyst(user, fw.community) is analyst
    assert policies.sees_small_numbers(user, fw.readmissions, fw.community) is small
    fw.readmissions.share_small_numbers = True
    assert policies.sees_small_numbers(user, fw.readmissions, fw.community) is small_shared


def test_an_analyst_in_another_community_is_an_outsider_here(fw):
    other = IndicatorFactory(community=fw.other_community, code="annen", is_published=False)
    assert not policies.is_analyst(fw.analyst, fw.other_community)
    assert not policy_for(Indicator).can_view(fw.analyst, other)
    assert not policies.sees_small_numbers(fw.analyst, other, fw.other_community)


@pytest.mark.parametrize("role", ROLES)
def test_definitions_and_figures_by_role(fw, role):
    user = getattr(fw, role)
    member = role in {"member", "chair", "analyst", "secretariat", "admin"}
    editor = role in {"analyst", "secretariat", "admin"}
    visible = set(Indicator.objects.visible_to(user, fw.community).values_list("code", flat=True))
    expected = {"reinnleggelser", "utskrivningsklare"} | ({"intern"} if member else set())
    assert visible == expected
    editable = set(Indicator.objects.editable_by(user, fw.community).values_list("code", flat=True))
    assert editable == (expected if editor else set())
    figures = Observation.objects.visible_to(user, fw.community)
    assert figures.filter(indicator=fw.hidden).exists() is member
    assert figures.filter(indicator=fw.readmissions).exists()


@pytest.mark.parametrize("role", ROLES)
def test_the_national_library_is_read_by_everyone_and_changed_by_the_platform_admin(fw, role):
    user = getattr(fw, role)
    national = Indicator.objects.get(community=None, code="akuttinnleggelser")
    assert policy_for(Indicator).can_view(user, national)
    assert policy_for(Indicator).can_edit(user, national) is (role == "admin")


def test_nothing_of_an_unpublished_community_is_public(fw):
    fw.community.is_published = False
    fw.community.save()
    assert not Indicator.objects.visible_to(None, fw.community).exists()
    assert not Observation.objects.visible_to(None, fw.community).exists()
    assert not Observation.objects.visible_to(fw.outsider, fw.community).exists()
    assert Observation.objects.visible_to(fw.member, fw.community).exists()


def test_the_national_library_holds_the_standard_set(db):
    computed = dict(
        Indicator.objects.national().exclude(computation="").values_list("computation", "code")
    )
    assert set(computed) == {c for c, _label in Indicator.Computation.choices if c}
    readmissions = Indicator.objects.get(community=None, code="reinnleggelser-30-dager")
    assert readmissions.age_splits == ["0-69", "70+"]
    assert (readmissions.source, readmissions.frequency) == ("npr", "half")
    acute = Indicator.objects.get(community=None, computation="acute_admissions")
    assert acute.age_splits == ["0-79", "80+"]
    assert Indicator.objects.get(computation="discharge_ready_days", community=None).standardised
    assert Indicator.objects.national().filter(computation="").count() >= 3
    assert not Indicator.objects.national().filter(is_published=True).exists()
