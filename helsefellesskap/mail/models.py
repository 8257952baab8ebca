from django.db import models
from django.utils.translation import gettext_lazy as _

from helsefellesskap.core.policies import PolicyQuerySet


class OutgoingEmail(models.Model):
    """An e-mail waiting to be sent or sent. Kept so nothing is lost while the mail server is
    down: delivery is retried until it succeeds or runs out of attempts, and the secretariat can
    send a failed one again.

    A delivery first claims the mail (SENDING until `claimed_until`), sends it outside any
    transaction, then marks it SENT; nobody else takes a mail whose claim is live."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kø")
        SENDING = "sending", _("Sendes")
        SENT = "sent", _("Sendt")
        FAILED = "failed", _("Feilet")

    # Empty for mail that belongs to no community (a password reset): the platform admin's.
    community = models.ForeignKey(
        "organisation.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fellesskap"),
    )
    to = models.EmailField(_("til"))
    subject = models.CharField(_("emne"), max_length=250)
    text_body = models.TextField(_("tekst"))
    html_body = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(_("vedlegg"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("forsøk"), default=0)
    last_error = models.TextField(_("siste feil"), blank=True)
    next_attempt_at = models.DateTimeField(_("neste forsøk"), null=True, blank=True)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("reservert til"), null=True, blank=True)
    # Which delivery holds the claim: only that one may record how its attempt went.
    claim_token = models.CharField(max_length=32, blank=True, editable=False)

    # The community may be empty, so this is no `CommunityOwned` row; its policy reads the same
    # `community` field.
    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("utgående e-post")
        verbose_name_plural = _("utgående e-post")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["community", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
