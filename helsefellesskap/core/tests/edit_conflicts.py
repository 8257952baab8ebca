"""Test helper: two people open the same edit form; the first saves; the second's save must be
refused with the other's change shown and their own typing kept, and go through once merged."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.test import Client

CONFLICT_TEXT = "Noen andre har lagret endringer her etter at du åpnet skjemaet"


def posted(the_form: forms.BaseForm, **changes: Any) -> dict[str, Any]:
    """The form as the browser would send it unchanged, with `changes` typed in."""
    data: dict[str, Any] = {}
    for bound in the_form:
        value, field = bound.value(), bound.field
        if isinstance(field, forms.NullBooleanField):
            data[bound.html_name] = {True: "true", False: "false"}.get(value, "unknown")
        elif isinstance(field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif value is None:
            data[bound.html_name] = ""
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
        elif hasattr(value, "isoformat"):
            data[bound.html_name] = value.isoformat()
        else:
            data[bound.html_name] = str(value)
    data.update(changes)
    return data


@dataclass
class Race:
    conflict: Any  # the second person's refused save
    merged: Any  # their save after seeing the conflict


def race(client: Client, url: str, theirs: dict[str, Any], mine: dict[str, Any]) -> Race:
    """Open `url` twice, save `theirs` from the first, then `mine` from the stale second, then
    `mine` again from the conflict page."""
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    saved = client.post(url, posted(first.context["form"], **theirs))
    assert saved.status_code in (302, 303), saved.content.decode()[:2000]
    conflict = client.post(url, posted(second.context["form"], **mine))
    assert conflict.status_code == 200, conflict.status_code
    assert CONFLICT_TEXT in conflict.text
    for value in mine.values():
        if isinstance(value, str) and value:
            assert value in conflict.text  # what this user typed is still in the form
    merged = client.post(url, posted(conflict.context["form"], **mine))
    assert merged.status_code in (302, 303)
    return Race(conflict, merged)
