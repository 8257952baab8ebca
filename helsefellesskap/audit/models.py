from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from helsefellesskap.core.policies import PolicyQuerySet


class AuditEntry(models.Model):
    """One thing someone did to something that matters. Written only by audit.services."""

    class Action(models.TextChoices):
        CREATE = "create", _("opprettet")
        UPDATE = "update", _("endret")
        END = "end", _("avsluttet")
        DELETE = "delete", _("slettet")
        VIEW = "view", _("så")
        INVITE = "invite", _("inviterte")
        ACCEPT = "accept", _("aksepterte")

    community = models.ForeignKey(
        "organisation.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("fellesskap"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utført av"),
    )
    action = models.CharField(_("handling"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("objekttype"), max_length=100)
    object_id = models.CharField(_("objekt-id"), max_length=64)
    object_repr = models.CharField(_("objekt"), max_length=300)
    changes = models.JSONField(_("endringer"), default=dict, blank=True)
    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)

    # The community may be empty (a platform-wide change), so this is no `CommunityOwned` row;
    # its policy reads the same `community` field.
    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("revisjonsspor")
        verbose_name_plural = _("revisjonsspor")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.object_repr}"
        )
