"""A deviation's texts have maximum lengths with a Norwegian message; nothing is stored."""

from django.urls import reverse

from helsefellesskap.core.forms import LONG_TEXT_LIMIT
from helsefellesskap.deviations.models import Deviation

from .test_views import _form

NOVEL = "a" * 100_000


def test_a_deviation_report_of_100_000_characters_is_refused_and_kept(client, dev_world):
    page = reverse("deviations:report", args=[dev_world.community.slug])
    client.force_login(dev_world.nurse)
    response = client.post(page, _form(dev_world, description=NOVEL))
    assert response.status_code == 200
    assert f"har {LONG_TEXT_LIMIT} eller færre tegn" in response.text
    assert f'maxlength="{LONG_TEXT_LIMIT}"' in response.text
    assert not Deviation.objects.exists()
