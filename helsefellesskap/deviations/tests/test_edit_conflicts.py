"""Two secretaries edit the same category or the deviation settings: the second save never
silently wipes the first."""

from django.urls import reverse

from helsefellesskap.core.tests.edit_conflicts import CONFLICT_TEXT, posted, race
from helsefellesskap.deviations import services


def test_a_category(client, dev_world):
    w = dev_world
    client.force_login(w.secretariat)
    page = reverse("deviations:category_edit", args=[w.community.slug, w.category.pk])
    result = race(
        client, page, {"description": "Første forklaring"}, {"description": "Min forklaring"}
    )
    assert "Første forklaring" in result.conflict.text
    w.category.refresh_from_db()
    assert w.category.description == "Min forklaring"


def test_the_settings(client, dev_world):
    """The settings page holds three forms; the hidden "form" field says which one was sent."""
    w = dev_world
    client.force_login(w.secretariat)
    page = reverse("deviations:settings", args=[w.community.slug])
    first, second = client.get(page), client.get(page)
    stale = posted(second.context["settings_form"], form="settings", deadline_days="15")
    assert client.post(page, posted(first.context["settings_form"], form="settings",
                                    deadline_days="12")).status_code == 302  # fmt: skip
    conflict = client.post(page, stale)
    assert CONFLICT_TEXT in conflict.text
    assert services.settings_for(w.community).deadline_days == 12
    merged = posted(conflict.context["settings_form"], form="settings", deadline_days="15")
    assert client.post(page, merged).status_code == 302
    assert services.settings_for(w.community).deadline_days == 15
