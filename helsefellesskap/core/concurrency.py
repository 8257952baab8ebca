"""Optimistic concurrency: two people editing the same thing never silently overwrite each other.

* A `Versioned` row carries an edit version. Saving an existing row updates it only where the
  version is still the one the row was read with (one UPDATE … WHERE id = … AND edit_version = …);
  when someone saved in between, the save raises `EditConflict` and changes nothing.
* An edit form with `ConcurrentEditMixin` carries, hidden, the versions of the rows it edits and a
  signed snapshot of the values it showed. The versions go back onto the rows before the service
  saves them, so a save based on a stale form is refused. `core.pages.submit` then shows the
  form again with what this user typed, and beside it what the other person changed (snapshot
  against the row as it is now); the hidden versions move on, so saving again after merging is
  a deliberate choice and goes through.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.core import signing
from django.db import models
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _


class EditConflict(Exception):
    """Someone saved the row after this user read it."""

    def __init__(self, row: models.Model):
        super().__init__(f"{row._meta.label} {row.pk} was changed by someone else")
        self.row = row


class Versioned(models.Model):
    # Not "version": plans have versions of their own (Measure.version is its plan version).
    edit_version = models.PositiveIntegerField(_("redigeringsversjon"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "edit_version"}
        self._read_version = self.edit_version
        self.edit_version += 1
        try:
            super().save(*args, **kwargs)
        except BaseException:
            self.edit_version = self._read_version
            raise
        finally:
            del self._read_version

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        read = self.__dict__.get("_read_version")
        if read is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        updated = super()._do_update(
            base_qs.filter(edit_version=read), using, pk_val, values, update_fields, True
        )
        if not updated and base_qs.filter(pk=pk_val).exists():
            raise EditConflict(self)
        return updated


def _key(row: models.Model) -> str:
    return f"{row._meta.label_lower}:{row.pk}"


def _shown(field: forms.Field, value: Any) -> str:
    """A value as the user reads it in the form: a choice's label, a row's name."""
    if value in (None, "", []):
        return "–"
    if isinstance(field, forms.ModelMultipleChoiceField):
        rows = field.queryset.filter(pk__in=[getattr(v, "pk", v) for v in value])  # type: ignore[union-attr]
        return ", ".join(str(row) for row in rows) or "–"
    if isinstance(field, forms.ModelChoiceField):
        row = field.queryset.filter(pk=getattr(value, "pk", value)).first()  # type: ignore[union-attr]
        return str(row) if row is not None else "–"
    if isinstance(field, forms.BooleanField):
        return str(_("Ja") if value else _("Nei"))
    choices = dict(getattr(field, "choices", None) or [])
    if choices:
        if isinstance(value, list | tuple):
            return ", ".join(str(choices.get(v, v)) for v in value)
        return str(choices.get(value, choices.get(str(value), value)))
    return str(value)


def _comparable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if (
        isinstance(value, list | tuple | set)
        or hasattr(value, "__iter__")
        and not isinstance(value, str)
    ):
        return sorted(str(_comparable(v)) for v in value)
    return "" if value is None else str(value)


if TYPE_CHECKING:  # mypy reads the mixin as the form it is mixed into
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class ConcurrentEditMixin(_FormBase):
    """For forms that edit existing rows. A ModelForm edits its instance; another form names the
    rows it edits with `edits=[...]` and how to read its values from them with `read=...`."""

    conflict: list[dict[str, str]] | None = None

    def __init__(
        self,
        *args: Any,
        edits: Iterable[models.Model | None] = (),
        read: Callable[[], dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        rows = [row for row in edits if row is not None]
        if instance is not None and instance.pk is not None:
            rows.append(instance)
        self.edited_rows = [row for row in rows if isinstance(row, Versioned)]
        self._read = read or self._read_instance
        self.fields["edit_base"] = forms.CharField(widget=forms.HiddenInput, required=False)
        if self.edited_rows:
            self.initial["edit_base"] = self._sign(self._read())

    def _read_instance(self) -> dict[str, Any]:
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None:
            return {}
        names = [name for name in self.fields if name != "edit_base"]
        values = model_to_dict(instance, fields=names)
        return {name: values.get(name, self.initial.get(name)) for name in names}

    def _sign(self, values: dict[str, Any]) -> str:
        snapshot = {
            "versions": {_key(row): row.edit_version for row in self.edited_rows},
            "values": {name: _comparable(value) for name, value in values.items()},
        }
        return signing.dumps(snapshot, salt="edit-base", compress=True)

    def _base(self) -> dict[str, Any] | None:
        raw = getattr(self, "data", {}).get(self.add_prefix("edit_base"), "")
        try:
            return signing.loads(raw, salt="edit-base") if raw else None
        except (signing.BadSignature, json.JSONDecodeError):
            return None

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # BaseForm has it; the stubs lack it
        # The services take cleaned_data as keyword arguments: the snapshot is not one of them.
        getattr(self, "cleaned_data", {}).pop("edit_base", None)
        base = self._base()
        if base is None:
            return
        # The versions the user started from go back onto the rows: the service's save is then
        # refused if someone saved in between.
        for row in self.edited_rows:
            read = base["versions"].get(_key(row))
            if read is not None:
                row.edit_version = read

    def show_conflict(self) -> None:
        """Someone saved first: list what they changed, and let the next save go through."""
        base = self._base() or {"values": {}}
        for row in self.edited_rows:
            row.refresh_from_db()
        if (instance := getattr(self, "instance", None)) is not None and instance.pk:
            instance.refresh_from_db()
        now = self._read()
        self.conflict = [
            {
                "label": str(field.label or name),
                "theirs": _shown(field, now.get(name)),
                "yours": _shown(field, self.cleaned_data.get(name))
                if hasattr(self, "cleaned_data")
                else "",
            }
            for name, field in self.fields.items()
            if name in now and base["values"].get(name) != _comparable(now.get(name))
        ]
        data: Any = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict
        data[self.add_prefix("edit_base")] = self._sign(now)
        self.data = data
        self.add_error(None, CONFLICT)


CONFLICT = _(
    "Noen andre har lagret endringer her etter at du åpnet skjemaet. Ingenting av ditt er lagret "
    "ennå. Se hva den andre endret, flett det inn i skjemaet ditt og lagre på nytt."
)
