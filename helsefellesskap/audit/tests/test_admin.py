"""The audit trail in the Django admin: read only, and the same rule as everywhere else."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.audit.services import audit_record

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:audit_auditentry_changelist"


@pytest.fixture
def entries(world):
    return [
        audit_record(actor=world.secretariat, action=AuditEntry.Action.UPDATE, obj=world.council),
        audit_record(actor=world.admin, action=AuditEntry.Action.UPDATE, obj=world.other_body),
        audit_record(
            actor=world.admin, action=AuditEntry.Action.UPDATE, obj=world.member
        ),  # no community
    ]


def _listed(client):
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    return {entry.pk for entry in response.context["cl"].result_list}


def test_the_platform_admin_sees_every_entry_and_can_change_none(client, world, entries):
    client.force_login(world.admin)
    assert _listed(client) == {entry.pk for entry in entries}
    change = reverse("admin:audit_auditentry_change", args=[entries[0].pk])
    assert client.get(change).status_code == 200  # shown, read only
    assert client.post(change, {"object_repr": "Endret"}).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    delete = reverse("admin:audit_auditentry_delete", args=[entries[0].pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.count() == 3


def test_staff_who_is_not_the_platform_admin_sees_only_what_the_policy_allows(
    client, world, entries
):
    world.secretariat.is_staff = True
    world.secretariat.save()
    world.secretariat.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    client.force_login(world.secretariat)
    assert _listed(client) == {entries[0].pk}
    other = reverse("admin:audit_auditentry_change", args=[entries[1].pk])
    assert client.get(other).status_code == 302  # the admin's answer to a row it cannot find
