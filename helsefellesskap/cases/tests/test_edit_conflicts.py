"""Two secretaries record the same agenda item, or edit the same meeting or case: the second
save never silently wipes the first."""

import pytest
from django.urls import reverse

from helsefellesskap.core.tests.edit_conflicts import race

pytestmark = pytest.mark.django_db


def url(name, w, *args):
    return reverse(f"cases:{name}", args=[w.community.slug, *args])


def test_an_items_decision(client, meeting_world):
    w = meeting_world
    client.force_login(w.secretariat)
    page = url("item", w, w.meeting.pk, w.item.pk)
    result = race(
        client,
        page,
        {"decision": "Rutinen vedtas.", "outcome": "decided"},
        {"decision": "Rutinen vedtas med endringene fra møtet.", "outcome": "decided"},
    )
    assert "Rutinen vedtas." in result.conflict.text
    w.treatment.refresh_from_db()
    assert w.treatment.decision == "Rutinen vedtas med endringene fra møtet."


def test_a_meeting(client, meeting_world):
    w = meeting_world
    client.force_login(w.secretariat)
    race(
        client,
        url("meeting_edit", w, w.meeting.pk),
        {"location": "Rådhuset"},
        {"location": "Teams"},
    )
    w.meeting.refresh_from_db()
    assert w.meeting.location == "Teams"


def test_a_case(client, meeting_world):
    w = meeting_world
    client.force_login(w.secretariat)
    result = race(
        client,
        url("case_edit", w, w.case.slug),
        {"title": "Første tittel"},
        {"title": "Min tittel"},
    )
    assert "Første tittel" in result.conflict.text
    w.case.refresh_from_db()
    assert w.case.title == "Min tittel"
