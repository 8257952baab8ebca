"""`{% form_token %}` beside `{% csrf_token %}` in every form that changes something: a fresh
token per rendered form, so a repeated submit of that form is recognised (see core.idempotency)."""

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..idempotency import FIELD

register = template.Library()


@register.simple_tag
def form_token() -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4())
