"""Mail queued on behalf of a community belongs to it, so its secretariat sees it on the mail page
if it fails; a password reset belongs to no community and is the platform admin's."""

import pytest

from helsefellesskap.mail.models import OutgoingEmail
from helsefellesskap.organisation.services import invitation_send
from helsefellesskap.organisation.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_an_invitation_belongs_to_the_community_of_the_person_invited(world):
    person = PersonFactory(community=world.community, email="ny@example.no")
    invitation_send(actor=world.secretariat, person=person)
    assert OutgoingEmail.objects.get(to="ny@example.no").community == world.community


def test_a_password_reset_belongs_to_no_community(client, world):
    client.post("/konto/glemt-passord/", {"email": world.member.email})
    email = OutgoingEmail.objects.get(to=world.member.email)
    assert email.community is None
    assert not OutgoingEmail.objects.visible_to(world.secretariat).filter(pk=email.pk).exists()
    assert OutgoingEmail.objects.visible_to(world.admin).filter(pk=email.pk).exists()
