import re

import pytest
from django.test import TestCase
from django.urls import reverse

from conftest import PASSWORD
from helsefellesskap.accounts.models import User
from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.mail.models import OutgoingEmail
from helsefellesskap.organisation.models import Invitation, Membership, Person

pytestmark = pytest.mark.django_db


def test_login_with_email_and_password(client, world):
    response = client.post(
        reverse("accounts:login"), {"username": world.member.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).context["user"] == world.member


def test_wrong_password_is_explained_in_norwegian_and_keeps_the_email(client, world):
    response = client.post(
        reverse("accounts:login"), {"username": world.member.email, "password": "feil"}
    )
    assert response.status_code == 200
    assert "Feil e-postadresse eller passord" in response.text
    assert f'value="{world.member.email}"' in response.text


def test_profile_needs_login_and_lists_seats(client, world):
    assert client.get(reverse("accounts:profile")).status_code == 302
    client.force_login(world.chair)
    response = client.get(reverse("accounts:profile"))
    assert "Fagråd for pasientsamarbeid" in response.text
    assert "Leder" in response.text


def test_profile_answers_get_only(client, world):
    client.force_login(world.member)
    assert client.post(reverse("accounts:profile")).status_code == 405
    assert client.put(reverse("accounts:invitation_accept", args=["ukjent"])).status_code == 405


def test_password_reset_mail_is_queued_and_sent_with_a_working_link(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": world.member.email})
    assert response.status_code == 302
    queued = OutgoingEmail.objects.get(to=world.member.email)
    assert queued.status == OutgoingEmail.Status.SENT
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert "Nytt passord" in message.subject
    link = re.search(r"http://[^/]+(/konto/nytt-passord/\S+/)", message.body).group(1)
    assert link in message.alternatives[0][0]
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "et-nytt-langt-passord-9", "new_password2": "et-nytt-langt-passord-9"},
    )
    assert response.status_code == 302
    world.member.refresh_from_db()
    assert world.member.check_password("et-nytt-langt-passord-9")


def test_password_change(client, world):
    client.force_login(world.member)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "endret-passord-2026",
            "new_password2": "endret-passord-2026",
        },
    )
    assert response.status_code == 302
    world.member.refresh_from_db()
    assert world.member.check_password("endret-passord-2026")


def _invite(client, world, **overrides):
    client.force_login(world.secretariat)
    data = {
        "given_name": "Ida",
        "family_name": "Invitert",
        "email": "Ida.Invitert@Example.no",
        "body": world.council.pk,
        "role": "member",
        "representation": "user",
        "party": "",
        "region": "",
        "start_date": "2025-02-01",
    }
    data.update(overrides)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("organisation:invitation_create", args=[world.community.slug]), data
        )


def test_invitation_creates_person_seat_and_mail_with_only_a_link(client, world, mailoutbox):
    response = _invite(client, world)
    assert response.status_code == 302
    person = Person.objects.get(email="ida.invitert@example.no")
    assert Membership.objects.filter(person=person, body=world.council).exists()
    assert len(mailoutbox) == 1
    assert "Invitasjon til Helsefellesskapet Testdalen" in mailoutbox[0].subject
    assert "/konto/invitasjon/" in mailoutbox[0].body
    assert AuditEntry.objects.filter(action=AuditEntry.Action.INVITE).exists()


def test_invitation_that_breaks_a_rule_saves_nothing(client, world, mailoutbox):
    response = _invite(client, world, role="chair")  # the council already has a chair
    assert response.status_code == 200
    assert "har allerede en leder" in response.text
    assert 'value="Ida"' in response.text
    assert not Person.objects.filter(email="ida.invitert@example.no").exists()
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_accepting_an_invitation_creates_the_login_and_gives_member_access(
    client, world, mailoutbox
):
    _invite(client, world)
    client.logout()
    link = re.search(r"http://[^/]+(/konto/invitasjon/\S+/)", mailoutbox[0].body).group(1)
    page = client.get(link)
    assert "Du er invitert som Medlem i Fagråd for pasientsamarbeid" in page.text
    response = client.post(link, {"password1": "kort", "password2": "kort"})
    assert response.status_code == 200
    assert "Passordet er for kort" in response.text
    response = client.post(
        link, {"password1": "mitt-gode-passord-1", "password2": "mitt-gode-passord-1"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="ida.invitert@example.no")
    assert Person.objects.get(email=user.email).user == user
    # The link works once only.
    assert client.get(link).status_code == 410
    internal = reverse("organisation:body", args=[world.community.slug, world.internal_group.slug])
    assert client.get(internal).status_code == 200


def test_an_existing_login_confirms_the_invitation_after_logging_in(client, world, mailoutbox):
    _invite(client, world, email=world.outsider.email)
    client.logout()
    link = re.search(r"http://[^/]+(/konto/invitasjon/\S+/)", mailoutbox[0].body).group(1)
    response = client.post(link)
    assert response.status_code == 302 and "/konto/logg-inn/" in response["Location"]
    client.force_login(world.outsider)
    assert client.post(link).status_code == 302
    assert Person.objects.get(community=world.community, email=world.outsider.email).user_id


def test_unknown_invitation_token(client, db):
    response = client.get(reverse("accounts:invitation_accept", args=["ukjent"]))
    assert response.status_code == 404
    assert "Invitasjonen kan ikke brukes" in response.text


def test_an_invitation_to_a_corrected_address_is_void(client, world, mailoutbox):
    from helsefellesskap.organisation import services as org_services

    _invite(client, world, email="feil@example.no")
    link = re.search(r"http://[^/]+(/konto/invitasjon/\S+/)", mailoutbox[0].body).group(1)
    person = Person.objects.get(email="feil@example.no")
    org_services.person_update(actor=world.secretariat, person=person, email="riktig@example.no")
    client.logout()
    response = client.get(link)
    assert response.status_code == 410
    assert not User.objects.filter(email="feil@example.no").exists()


def test_sent_mail_keeps_no_one_time_link(client, world, mailoutbox):
    _invite(client, world)
    sent = OutgoingEmail.objects.get(to="ida.invitert@example.no")
    assert sent.status == OutgoingEmail.Status.SENT
    assert sent.text_body == "" and sent.html_body == ""
