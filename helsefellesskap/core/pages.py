"""What every community page shares: its context (menu, breadcrumbs, the user's rights) and the
submit loop of a form whose rules live in a service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from helsefellesskap.core import access


def community_context(request, community, nav, crumbs, **extra):
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


def add_form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def submit(request, form, save, success):
    """Validate `form`, then call `save(cleaned_data)` (a service). Returns the saved object, or
    None when the form or the service refused it: the errors are then on the form, which keeps
    what the user typed. `success` is a message with %(name)s, or a function of the object."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        obj = save(form.cleaned_data)
    except ValidationError as error:
        add_form_errors(form, error)
        return None
    messages.success(request, success(obj) if callable(success) else success % {"name": obj})
    return obj
