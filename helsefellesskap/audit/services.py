"""The audit trail's writes. Every service that changes something that matters records it here,
inside the transaction of the change, so the change and its entry stand or fall together."""

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from django.db import models, transaction

from .models import AuditEntry

M = TypeVar("M", bound=models.Model)

# {"field": [old, new]}, the values as text.
Changes = dict[str, list[str]]


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    community: Any = None,
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Record that `actor` did `action` to `obj`. Call inside the same transaction as the change."""
    return AuditEntry.objects.create(
        community=community if community is not None else getattr(obj, "community", None),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=dict(changes or {}),
    )


def _as_text(instance: models.Model | None, name: str) -> str:
    if instance is None:
        return ""
    value = getattr(instance, name)
    return "" if value is None else str(value)


def field_changes(
    before: models.Model | None, after: models.Model, fields: Sequence[str]
) -> Changes:
    """The fields that differ, as {"field": [old, new]} with values as text."""
    return {
        name: [_as_text(before, name), _as_text(after, name)]
        for name in fields
        if _as_text(before, name) != _as_text(after, name)
    }


def save_audited(*, actor: Any, obj: M, values: Mapping[str, Any], allowed: Sequence[str]) -> M:
    """Set `values` on `obj`, validate, save and record what changed, in one transaction.

    A new object is created; an existing one is locked, compared with what the database holds,
    and saved (with `update_fields`) only if something differs."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"Not a field of {obj._meta.label}: {', '.join(sorted(unknown))}")
    model = type(obj)
    with transaction.atomic():
        before = model._default_manager.select_for_update().get(pk=obj.pk) if obj.pk else None
        for name, value in values.items():
            setattr(obj, name, value)
        obj.full_clean()
        changes = field_changes(before, obj, list(values))
        if before is None:
            obj.save()
            audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=obj, changes=changes)
        elif changes:
            obj.save(update_fields=list(values))
            audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=obj, changes=changes)
    return obj
