"""Who may read the audit trail. Nobody changes it: entries are written only by
`audit.services`, in the transaction of the change they record."""

from typing import Any

from django.db.models import Q

from helsefellesskap.core.policies import NOTHING, Policy, register

from .models import AuditEntry


@register
class AuditEntryPolicy(Policy[AuditEntry]):
    """A community's entries are for its secretariat and the platform admin; entries without a
    community (platform-wide changes) for the platform admin only."""

    model = AuditEntry

    def visible(self, user: Any) -> Q:
        # `administered` is everything for the admin and `community__in=…` for a secretariat,
        # which leaves out the entries whose community is empty.
        return self.administered(user)

    def editable(self, user: Any) -> Q:
        return NOTHING
