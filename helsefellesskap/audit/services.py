from django.db import models

from .models import AuditEntry


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    community=None,
    changes: dict | None = None,
) -> AuditEntry:
    """Record that `actor` did `action` to `obj`. Call inside the same transaction as the change."""
    return AuditEntry.objects.create(
        community=community if community is not None else getattr(obj, "community", None),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=changes or {},
    )


def field_changes(before: models.Model | None, after: models.Model, fields: list[str]) -> dict:
    """The fields that differ, as {"field": [old, new]} with values as text."""

    def text(instance, name):
        if instance is None:
            return ""
        value = getattr(instance, name)
        return "" if value is None else str(value)

    return {
        name: [text(before, name), text(after, name)]
        for name in fields
        if text(before, name) != text(after, name)
    }
