"""The secretariat's mail page: what failed and what is waiting, in its own community only, never
a body, and «send again» queues exactly one delivery."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from helsefellesskap.mail.models import OutgoingEmail
from helsefellesskap.mail.services import email_resend

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SECRET_LINK = "https://example.no/konto/invitasjon/hemmelig-token/"


def _mail(community, status=OutgoingEmail.Status.FAILED, **values):
    values = {
        "to": "mottaker@example.no",
        "subject": "Invitasjon til møte",
        "text_body": f"Følg lenken: {SECRET_LINK}",
        "html_body": f"<a href='{SECRET_LINK}'>Logg inn</a>",
        "attempts": 8,
        "last_error": "550 5.1.1 Mottakeren finnes ikke " + "x" * 300,
        **values,
    }
    return OutgoingEmail.objects.create(community=community, status=status, **values)


def _page(world):
    return f"/{world.community.slug}/e-post/"


def _resend(world, email):
    return f"/{world.community.slug}/e-post/{email.pk}/send-igjen/"


def test_the_secretariat_sees_failed_and_waiting_mail_of_its_community_without_bodies(
    client, world
):
    _mail(world.community, to="feilet@example.no")
    _mail(
        world.community,
        OutgoingEmail.Status.QUEUED,
        to="venter@example.no",
        attempts=2,
        next_attempt_at=timezone.now(),
    )
    _mail(world.community, OutgoingEmail.Status.SENT, to="sendt@example.no", text_body="")
    _mail(world.other_community, to="annet.fellesskap@example.no")
    _mail(None, to="passord@example.no", subject="Nytt passord")
    client.force_login(world.secretariat)
    response = client.get(_page(world))
    assert response.status_code == 200
    text = response.content.decode()
    assert "feilet@example.no" in text and "venter@example.no" in text
    assert "Invitasjon til møte" in text and "550 5.1.1 Mottakeren finnes ikke" in text
    assert "x" * 200 not in text  # the error is shortened
    assert SECRET_LINK not in text and "hemmelig-token" not in text
    assert "sendt@example.no" not in text  # sent mail is counted, not listed
    assert "annet.fellesskap@example.no" not in text
    assert "passord@example.no" not in text  # mail without a community: the platform admin's
    assert text.count("Send på nytt") == 1 and text.count("Send nå") == 1


@pytest.mark.parametrize(
    "who,status", [("member", 403), ("chair", 403), ("outsider", 404), ("anonymous", 302)]
)
def test_nobody_but_the_secretariat_sees_the_page_or_sends_again(client, world, who, status):
    email = _mail(world.community)
    if who != "anonymous":
        client.force_login(getattr(world, who))
    assert client.get(_page(world)).status_code == status
    assert client.post(_resend(world, email)).status_code == status
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED and email.attempts == 8


def test_the_platform_admin_sees_the_page(client, world):
    _mail(world.community, to="feilet@example.no")
    client.force_login(world.admin)
    response = client.get(_page(world))
    assert response.status_code == 200 and "feilet@example.no" in response.content.decode()


@override_settings(TASKS=DATABASE_QUEUE)
def test_send_again_queues_exactly_one_delivery(client, world, django_capture_on_commit_callbacks):
    email = _mail(world.community)
    client.force_login(world.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_resend(world, email), follow=True)
    assert response.redirect_chain[-1][0] == _page(world)
    assert "er lagt i kø og sendes nå" in response.content.decode()
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.QUEUED
    assert email.attempts == 0 and email.last_error == ""
    assert email.next_attempt_at <= timezone.now()
    assert email.text_body.endswith(SECRET_LINK)  # kept until it is sent
    [delivery] = DBTaskResult.objects.all()
    assert delivery.args_kwargs["args"] == [email.pk]
    # A second click (or a second tab) queues nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_resend(world, email), follow=True)
    assert "er allerede i kø eller sendt" in response.content.decode()
    assert DBTaskResult.objects.count() == 1


def test_sent_again_the_mail_goes_out_once(world, mailoutbox, django_capture_on_commit_callbacks):
    email = _mail(world.community)
    with django_capture_on_commit_callbacks(execute=True):
        assert email_resend(actor=world.secretariat, email=email)
    assert [m.to for m in mailoutbox] == [["mottaker@example.no"]]
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and email.text_body == ""


def test_mail_of_another_community_cannot_be_sent_again_through_this_one(client, world):
    theirs = _mail(world.other_community)
    client.force_login(world.secretariat)
    assert client.post(_resend(world, theirs)).status_code == 404
    with pytest.raises(PermissionDenied):
        email_resend(actor=world.secretariat, email=theirs)
    theirs.refresh_from_db()
    assert theirs.status == OutgoingEmail.Status.FAILED


def test_mail_being_sent_or_sent_is_not_sent_again(world):
    for status in (OutgoingEmail.Status.SENDING, OutgoingEmail.Status.SENT):
        email = _mail(world.community, status, attempts=1)
        assert email_resend(actor=world.secretariat, email=email) is False
        email.refresh_from_db()
        assert email.status == status


def test_the_home_page_tells_the_secretariat_how_much_mail_failed(client, world):
    _mail(world.community)
    _mail(world.community, to="to@example.no")
    client.force_login(world.secretariat)
    text = client.get(f"/{world.community.slug}/").content.decode()
    assert "2 e-poster kom ikke fram" in text and _page(world) in text
    client.force_login(world.member)
    assert _page(world) not in client.get(f"/{world.community.slug}/").content.decode()
