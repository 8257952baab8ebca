"""A report sent twice (a double click, impatient clicks, a retry) makes one deviation; the
repeats answer with the first result."""

import datetime
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from helsefellesskap.core import idempotency
from helsefellesskap.core.models import SubmittedForm
from helsefellesskap.deviations.models import Deviation

from .test_views import _form


def test_a_repeated_report_makes_one_deviation_and_shows_the_first(client, dev_world):
    page = reverse("deviations:report", args=[dev_world.community.slug])
    client.force_login(dev_world.nurse)
    data = {**_form(dev_world), "form_token": str(uuid.uuid4())}
    first = client.post(page, data)
    second = client.post(page, data, follow=True)
    assert Deviation.objects.count() == 1
    assert second.redirect_chain[0] == (first["Location"], 303)
    assert "Skjemaet var allerede sendt" in second.text


def test_a_new_form_is_a_new_report(client, dev_world):
    page = reverse("deviations:report", args=[dev_world.community.slug])
    client.force_login(dev_world.nurse)
    for _ in range(2):
        client.post(page, {**_form(dev_world), "form_token": str(uuid.uuid4())})
    assert Deviation.objects.count() == 2


def test_the_same_token_with_changed_content_is_a_new_report(client, dev_world):
    """The user went back, changed the form and sent it again."""
    page = reverse("deviations:report", args=[dev_world.community.slug])
    client.force_login(dev_world.nurse)
    token = str(uuid.uuid4())
    client.post(page, {**_form(dev_world), "form_token": token})
    client.post(page, {**_form(dev_world, description="Noe annet."), "form_token": token})
    assert Deviation.objects.count() == 2


def test_a_refused_submit_leaves_no_trace(client, dev_world):
    page = reverse("deviations:report", args=[dev_world.community.slug])
    client.force_login(dev_world.nurse)
    token = str(uuid.uuid4())
    data = {**_form(dev_world, description=""), "form_token": token}
    assert client.post(page, data).status_code == 200
    assert not SubmittedForm.objects.exists()
    assert client.post(page, {**_form(dev_world), "form_token": token}).status_code == 302
    assert Deviation.objects.count() == 1


def test_another_users_token_is_not_theirs(client, dev_world):
    page = reverse("deviations:report", args=[dev_world.community.slug])
    token = str(uuid.uuid4())
    client.force_login(dev_world.nurse)
    client.post(page, {**_form(dev_world), "form_token": token})
    client.force_login(dev_world.gp)
    client.post(page, {**_form(dev_world), "form_token": token})
    assert Deviation.objects.count() == 2


def test_a_repeat_waits_for_the_first_to_finish(client, dev_world, monkeypatch):
    """The repeat arrives while the first is still working: it waits, then shows the result."""
    page = reverse("deviations:report", args=[dev_world.community.slug])
    client.force_login(dev_world.nurse)
    data = {**_form(dev_world), "form_token": str(uuid.uuid4())}
    client.post(page, data)
    SubmittedForm.objects.update(done=False, location="")
    waits = []

    def first_finishes(seconds):
        waits.append(seconds)
        SubmittedForm.objects.update(done=True, location="/ferdig/")

    monkeypatch.setattr(idempotency.time, "sleep", first_finishes)
    response = client.post(page, data)
    assert waits and response.status_code == 303 and response["Location"] == "/ferdig/"
    assert Deviation.objects.count() == 1


def test_a_repeat_of_a_first_that_never_finishes_says_so(client, dev_world, monkeypatch):
    page = reverse("deviations:report", args=[dev_world.community.slug])
    client.force_login(dev_world.nurse)
    data = {**_form(dev_world), "form_token": str(uuid.uuid4())}
    client.post(page, data)
    SubmittedForm.objects.update(done=False)
    monkeypatch.setattr(idempotency, "WAIT_FOR_FIRST", 0)
    response = client.post(page, data)
    assert response.status_code == 409
    assert "fortsatt under behandling" in response.text
    assert Deviation.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite's shared in-memory test database locks threads"
)
@pytest.mark.django_db(transaction=True)
def test_four_at_once_make_one(dev_world):
    page = reverse("deviations:report", args=[dev_world.community.slug])
    data = {**_form(dev_world), "form_token": str(uuid.uuid4())}
    statuses = []

    def submit():
        client = Client()
        client.force_login(dev_world.nurse)
        statuses.append(client.post(page, data).status_code)
        connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Deviation.objects.count() == 1
    assert sorted(statuses) == [302, 303, 303, 303]


def test_a_retry_takes_over_from_a_first_that_died(client, dev_world, monkeypatch):
    """The first submit died in a database outage before it could release its token."""
    page = reverse("deviations:report", args=[dev_world.community.slug])
    client.force_login(dev_world.nurse)
    data = {**_form(dev_world), "form_token": str(uuid.uuid4())}
    client.post(page, {**data, "description": ""})  # leaves no trace: refused
    SubmittedForm.objects.create(
        token=data["form_token"],
        user_id=dev_world.nurse.pk,
        body_hash=idempotency._body_hash(_request(data, dev_world.nurse)),
        started_at=timezone.now(),
    )

    def time_passes(seconds):
        SubmittedForm.objects.update(started_at=timezone.now() - datetime.timedelta(minutes=1))

    monkeypatch.setattr(idempotency.time, "sleep", time_passes)
    assert client.post(page, data).status_code == 302
    assert Deviation.objects.count() == 1


def _request(data, user):
    request = RequestFactory().post("/", data)
    request.user = user
    return request
