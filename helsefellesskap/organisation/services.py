"""Changes to a community's organisation. Each writes its audit record in the same transaction."""

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.audit.services import audit_record, save_audited
from helsefellesskap.mail.services import email_queue

from .models import Body, Community, Invitation, Membership, MunicipalRegion, Party, Person

MEMBERSHIP_FIELDS = [
    "person",
    "role",
    "representation",
    "party",
    "region",
    "start_date",
    "end_date",
    "note",
]
PERSON_FIELDS = [
    "given_name",
    "family_name",
    "email",
    "phone",
    "title",
    "workplace",
    "party",
    "is_public_contact",
]

ERROR_ALREADY_ENDED = _("Medlemskapet er allerede avsluttet.")
ERROR_INVITATION_UNUSABLE = _("Invitasjonen er brukt eller utløpt. Be sekretariatet om en ny.")
ERROR_INVITATION_WRONG_USER = _(
    "Invitasjonen ble sendt til %(email)s. Logg ut og bruk lenken med den kontoen."
)


def membership_create(*, actor: Any, body: Body, **values: Any) -> Membership:
    membership = Membership(community_id=body.community_id, body=body)
    return save_audited(actor=actor, obj=membership, values=values, allowed=MEMBERSHIP_FIELDS)


def membership_update(*, actor: Any, membership: Membership, **values: Any) -> Membership:
    """Change a seat. An ended seat is history and stays as it was."""
    stored_end = (
        Membership.objects.filter(pk=membership.pk).values_list("end_date", flat=True).first()
    )
    if stored_end and stored_end < timezone.localdate():
        raise ValidationError(ERROR_ALREADY_ENDED)
    return save_audited(actor=actor, obj=membership, values=values, allowed=MEMBERSHIP_FIELDS)


def membership_end(
    *, actor: Any, membership: Membership, end_date: datetime.date | None = None, note: str = ""
) -> Membership:
    """End a seat; it stays in the body's history."""
    end_date = end_date or timezone.localdate()
    if membership.end_date and membership.end_date < timezone.localdate():
        raise ValidationError(ERROR_ALREADY_ENDED)
    with transaction.atomic():
        before_end = membership.end_date
        membership.end_date = end_date
        if note:
            membership.note = note
        membership.full_clean()
        membership.save(update_fields=["end_date", "note"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.END,
            obj=membership,
            changes={"end_date": [str(before_end or ""), str(end_date)]},
        )
    return membership


def person_create(*, actor: Any, community: Community, **values: Any) -> Person:
    return save_audited(
        actor=actor, obj=Person(community=community), values=values, allowed=PERSON_FIELDS
    )


def person_update(*, actor: Any, person: Person, **values: Any) -> Person:
    """Change a person. A new e-mail address voids open invitations sent to the old one."""
    old_email = Person.objects.filter(pk=person.pk).values_list("email", flat=True).first()
    with transaction.atomic():
        person = save_audited(actor=actor, obj=person, values=values, allowed=PERSON_FIELDS)
        if old_email != person.email:
            _expire_open_invitations(person)
    return person


def _expire_open_invitations(person: Person) -> None:
    Invitation.objects.filter(
        person=person, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).update(expires_at=timezone.now())


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_send(
    *, actor: Any, person: Person, membership: Membership | None = None
) -> tuple[Invitation, str]:
    """Invite `person` to log in; the e-mail holds a one-time link. Returns the invitation and the
    raw token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        _expire_open_invitations(person)  # only the newest link works
        invitation = Invitation.objects.create(
            community=person.community,
            person=person,
            email=person.email,
            membership=membership,
            token_hash=_token_hash(token),
            invited_by=actor,
            expires_at=timezone.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        audit_record(actor=actor, action=AuditEntry.Action.INVITE, obj=person)
        email_queue(
            to=person.email,
            template="organisation/email/invitation",
            context={
                "person": person,
                "community": person.community,
                "membership": membership,
                "inviter": actor,
                "accept_url": settings.SITE_URL
                + reverse("accounts:invitation_accept", args=[token]),
                "valid_days": settings.INVITATION_VALID_DAYS,
            },
            community=person.community,
        )
    return invitation, token


def invitation_by_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("community", "person", "membership__body")
        .filter(token_hash=_token_hash(token))
        .first()
    )


def invitation_accept(*, invitation: Invitation, user: Any) -> Person:
    """Link the invited person to `user` (a new or an existing login with the invited e-mail)."""
    if not invitation.is_usable:
        raise ValidationError(ERROR_INVITATION_UNUSABLE)
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(ERROR_INVITATION_WRONG_USER % {"email": invitation.email})
    if invitation.email.lower() != invitation.person.email.lower():
        # The address was corrected after the invitation was sent: the old link is void.
        raise ValidationError(ERROR_INVITATION_UNUSABLE)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_usable:
            raise ValidationError(ERROR_INVITATION_UNUSABLE)
        person = invitation.person
        person.user = user
        person.full_clean()
        person.save(update_fields=["user"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit_record(actor=user, action=AuditEntry.Action.ACCEPT, obj=person)
    return person


def invitation_create(
    *,
    actor: Any,
    community: Community,
    given_name: str,
    family_name: str,
    email: str,
    body: Body,
    role: str,
    representation: str,
    start_date: datetime.date,
    party: Party | None = None,
    region: MunicipalRegion | None = None,
) -> Invitation:
    """Register (or find by e-mail) the person, give them the seat, and send the invitation; all or
    nothing."""
    with transaction.atomic():
        person = Person.objects.filter(community=community, email=email.lower()).first()
        if person is None:
            person = person_create(
                actor=actor,
                community=community,
                given_name=given_name,
                family_name=family_name,
                email=email.lower(),
                party=party,
            )
        membership = membership_create(
            actor=actor,
            body=body,
            person=person,
            role=role,
            representation=representation,
            party=party,
            region=region,
            start_date=start_date,
        )
        invitation, _token = invitation_send(actor=actor, person=person, membership=membership)
    return invitation


PARTY_FIELDS = ["name", "kind", "municipality_number", "region", "population", "website", "note"]


def party_save(*, actor: Any, party: Party, **values: Any) -> Party:
    """Create or change a party (e.g. move a municipality to another region)."""
    return save_audited(actor=actor, obj=party, values=values, allowed=PARTY_FIELDS)


def region_save(*, actor: Any, region: MunicipalRegion, **values: Any) -> MunicipalRegion:
    return save_audited(actor=actor, obj=region, values=values, allowed=["name", "order"])


BODY_FIELDS = [
    "name",
    "short_name",
    "slug",
    "kind",
    "parent",
    "mandate",
    "period_start",
    "period_end",
    "is_public",
    "order",
]


def body_save(*, actor: Any, body: Body, **values: Any) -> Body:
    return save_audited(actor=actor, obj=body, values=values, allowed=BODY_FIELDS)
