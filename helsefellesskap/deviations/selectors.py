from django.db.models import Q
from django.utils import timezone

from helsefellesskap.core.workdays import working_days_between
from helsefellesskap.deviations import policies

from .models import Deviation, Event, Theme

# What the list rows show; each unit's name includes its party.
LIST_RELATED = (
    "category",
    "reporting_party",
    "reporting_unit__party",
    "concerned_party",
    "handling_party",
    "handling_unit__party",
)


def visible(user, community):
    return Deviation.objects.filter(policies.visible_deviations_filter(user, community))


def deviation_list(user, community, *, state="", category=None, party=None):
    qs = visible(user, community).select_related(*LIST_RELATED)
    today = timezone.localdate()
    if state == "open":
        qs = qs.filter(state__in=Deviation.OPEN_STATES)
    elif state == "overdue":
        qs = qs.filter(state__in=Deviation.OPEN_STATES, deadline__lt=today)
    elif state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category=category)
    if party:
        qs = qs.filter(Q(reporting_party=party) | Q(concerned_party=party))
    return qs.order_by("-reported_at")


def for_my_party(user, community):
    """Open cases that wait for the user's party (or unit) to act."""
    access = policies.deviation_access(user)
    mine = Q(handling_party__in=access.handler_parties) | Q(handling_unit__in=access.handler_units)
    # A GP report in triage waits for the GP liaison, not for the unit.
    waiting = (mine & ~Q(state=Deviation.State.TRIAGE)) | Q(
        state=Deviation.State.TRIAGE, concerned_party__in=access.liaison_parties
    )
    return (
        Deviation.objects.filter(community=community, state__in=Deviation.OPEN_STATES)
        .filter(waiting)
        .select_related(*LIST_RELATED)
        .order_by("deadline")
    )


def reported_by_me(user, community):
    return (
        Deviation.objects.filter(community=community, reporter=user)
        .select_related(*LIST_RELATED)
        .order_by("-reported_at")
    )


def events(deviation):
    return list(Event.objects.filter(deviation=deviation).select_related("actor", "party"))


def days_left(deviation) -> int | None:
    if deviation.state not in Deviation.OPEN_STATES:
        return None
    return working_days_between(timezone.localdate(), deviation.deadline)


def themes(community):
    return Theme.objects.filter(community=community)
