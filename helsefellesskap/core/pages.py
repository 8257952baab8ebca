"""What every community page shares: its context (menu, breadcrumbs, the user's rights), the
main tasks each module offers on the community's home page, the panels modules above add to the
pages of modules below (without those importing them), and the submit loop of a form whose rules
live in a service."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from helsefellesskap.core import access
from helsefellesskap.core.concurrency import ConcurrentEditMixin, EditConflict

if TYPE_CHECKING:
    # Text or lazily translated text; the stubs' name for it exists only for the type checker.
    from django.utils.functional import _StrOrPromise as StrOrPromise
else:
    StrOrPromise = str | Promise

T = TypeVar("T")

# A breadcrumb: its label and its link (None for the current page).
Crumb = tuple[StrOrPromise, str | None]


class PageCommunity(access.CommunityLike, Protocol):
    """What a community page needs of its community (the organisation app's `Community`)."""

    @property
    def short_name(self) -> str: ...

    def get_absolute_url(self) -> str: ...


def community_context(
    request: HttpRequest, community: PageCommunity, nav: str, crumbs: Iterable[Crumb], **extra: Any
) -> dict[str, Any]:
    """What every community page's template needs: the community, its menu, breadcrumbs."""
    return {
        "community": community,
        "nav": nav,
        "can_administer": access.can_administer(request.user, community),
        "can_view_private": access.can_view_private(request.user, community),
        "breadcrumbs": [
            (_("Forside"), reverse("organisation:home")),
            (community.short_name, community.get_absolute_url()),
            *crumbs,
        ],
        **extra,
    }


@dataclass(frozen=True)
class Task:
    """A main task on the community's home page: a card with a link."""

    order: int
    title: str
    description: str
    url: str


TaskProvider = Callable[[Any, Any], list[Task]]
_task_providers: list[TaskProvider] = []


def register_home_tasks(provider: TaskProvider) -> None:
    """Called by each module when the app registry is ready: `provider(user, community)` gives
    the tasks it offers this user on the community's home page."""
    if provider not in _task_providers:
        _task_providers.append(provider)


def home_tasks(user: Any, community: Any) -> list[Task]:
    tasks = [task for provider in _task_providers for task in provider(user, community)]
    return sorted(tasks, key=lambda task: task.order)


@dataclass(frozen=True)
class Panel:
    """A section a module above adds to a page of a module below it (the latest figures of the
    indicators linked to a measure of the action plan): a template and its context."""

    order: int
    title: str
    template: str
    context: dict[str, Any]


PanelProvider = Callable[[Any, Any], list[Panel]]
_measure_panel_providers: list[PanelProvider] = []


def register_measure_panels(provider: PanelProvider) -> None:
    """Called by a module when the app registry is ready: `provider(user, measure)` gives the
    panels it adds to the page of a measure of the action plan."""
    if provider not in _measure_panel_providers:
        _measure_panel_providers.append(provider)


def measure_panels(user: Any, measure: Any) -> list[Panel]:
    panels = [panel for provider in _measure_panel_providers for panel in provider(user, measure)]
    return sorted(panels, key=lambda panel: panel.order)


def add_form_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def submit(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], T],
    success: StrOrPromise | Callable[[T], StrOrPromise],
) -> T | None:
    """Validate `form`, then call `save(cleaned_data)` (a service). Returns the saved object, or
    None when the form or the service refused it, or someone else saved the same rows first: the
    errors (and the other person's changes) are then on the form, which keeps what the user
    typed. `success` is a message with %(name)s, or a function of the object."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        obj = save(form.cleaned_data)
    except ValidationError as error:
        add_form_errors(form, error)
        return None
    except EditConflict:
        if not isinstance(form, ConcurrentEditMixin):
            raise
        form.show_conflict()
        return None
    messages.success(request, success(obj) if callable(success) else success % {"name": obj})
    return obj
