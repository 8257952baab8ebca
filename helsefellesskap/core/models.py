"""The abstract base of every row that belongs to a community."""

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .policies import PolicyQuerySet

ERROR_OTHER_COMMUNITY = _("%(thing)s hører til et annet helsefellesskap.")


class CommunityOwned(models.Model):
    """A row of one community. Its foreign keys to other community rows must point into the same
    community: `clean()` says so in Norwegian, per field, before anything is saved."""

    community = models.ForeignKey(
        "organisation.Community",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("fellesskap"),
    )

    objects = PolicyQuerySet.as_manager()

    # Field name -> message, where a field needs its own wording.
    other_community_messages: ClassVar[dict[str, Any]] = {}

    class Meta:
        abstract = True

    def other_community_errors(self) -> dict[str, Any]:
        """One message per foreign key whose row belongs to another community."""
        errors: dict[str, Any] = {}
        if not self.community_id:
            return errors
        for field in self._meta.concrete_fields:
            if not field.many_to_one or field.name == "community":
                continue
            related_model = field.related_model
            if not (isinstance(related_model, type) and issubclass(related_model, CommunityOwned)):
                continue
            if getattr(self, field.attname) is None:
                continue
            related = getattr(self, field.name)
            if related.community_id != self.community_id:
                errors[field.name] = self.other_community_messages.get(
                    field.name, ERROR_OTHER_COMMUNITY % {"thing": capfirst(field.verbose_name)}
                )
        return errors

    def clean(self) -> None:
        super().clean()
        errors = self.other_community_errors()
        if errors:
            raise ValidationError(errors)


class SubmittedForm(models.Model):
    """One submit of a form that carried a form token: a repeated submit of the same form (a
    double click, a retry after a timeout) returns the first result instead of doing it twice.
    Not community data: rows are kept for a day by `core.idempotency`."""

    token = models.CharField(max_length=36, unique=True)
    user_id = models.BigIntegerField(null=True)
    body_hash = models.CharField(max_length=64)
    location = models.CharField(max_length=2000, blank=True)
    done = models.BooleanField(default=False)
    started_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("innsendt skjema")
        verbose_name_plural = _("innsendte skjemaer")

    def __str__(self) -> str:
        return self.token


class WorkerHeartbeat(models.Model):
    """The last sign of life of one background worker (`manage.py run_worker`): written every few
    seconds, also while a task runs. The lease on a running task lasts as long as its worker's
    heartbeat is fresh, and `/helse/` reports the newest one. Not community data."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("arbeidsprosess")
        verbose_name_plural = _("arbeidsprosesser")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
