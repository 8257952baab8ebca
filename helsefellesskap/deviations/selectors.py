"""Reads of the deviation routine: the lists, a case's history, its deadline. Every list of cases
starts from `Deviation.objects.visible_to(user, community)`."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from helsefellesskap.core.workdays import working_days_between
from helsefellesskap.deviations import policies, workflow
from helsefellesskap.organisation.models import Community, Party

from .models import Category, Deviation, Event, Handler, Theme

# What the list rows show; each unit's name includes its party.
LIST_RELATED = (
    "category",
    "reporting_party",
    "reporting_unit__party",
    "concerned_party",
    "handling_party",
    "handling_unit__party",
)

OPEN, OVERDUE = "open", "overdue"  # the list filter's two states that are not case states


def visible(user: Any, community: Community) -> "QuerySet[Deviation]":
    return Deviation.objects.visible_to(user, community)


def deviation_list(
    user: Any,
    community: Community,
    *,
    state: str = "",
    category: Category | None = None,
    party: Party | None = None,
) -> "QuerySet[Deviation]":
    qs = visible(user, community).select_related(*LIST_RELATED)
    today = timezone.localdate()
    if state == OPEN:
        qs = qs.filter(state__in=Deviation.OPEN_STATES)
    elif state == OVERDUE:
        qs = qs.filter(state__in=Deviation.OPEN_STATES, deadline__lt=today)
    elif state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category=category)
    if party:
        qs = qs.filter(Q(reporting_party=party) | Q(concerned_party=party))
    return qs.order_by("-reported_at")


def for_my_party(user: Any, community: Community) -> "QuerySet[Deviation]":
    """Open cases that wait for the user's party (or unit) to act."""
    access = policies.deviation_access(user)
    mine = Q(handling_party__in=access.handler_parties) | Q(handling_unit__in=access.handler_units)
    # A GP report in triage waits for the GP liaison, not for the unit.
    waiting = (mine & ~Q(state=Deviation.State.TRIAGE)) | Q(
        state=Deviation.State.TRIAGE, concerned_party__in=access.liaison_parties
    )
    return (
        visible(user, community)
        .filter(state__in=Deviation.OPEN_STATES)
        .filter(waiting)
        .select_related(*LIST_RELATED)
        .order_by("deadline")
    )


def reported_by_me(user: Any, community: Community) -> "QuerySet[Deviation]":
    return (
        visible(user, community)
        .filter(reporter=user)
        .select_related(*LIST_RELATED)
        .order_by("-reported_at")
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a case's history as both parties see it."""

    at: datetime.datetime
    actor: Any
    party: Party | None
    label: str
    to_state: str
    state_label: str
    text: str


def events(user: Any, deviation: Deviation) -> list[HistoryEntry]:
    rows = Event.objects.visible_to(user).filter(deviation=deviation)
    return [
        HistoryEntry(
            at=event.at,
            actor=event.actor,
            party=event.party,
            label=workflow.event_label(event.action),
            to_state=event.to_state,
            state_label=event.state_label,
            text=event.text,
        )
        for event in rows.select_related("actor", "party")
    ]


def days_left(deviation: Deviation) -> int | None:
    if deviation.state not in Deviation.OPEN_STATES:
        return None
    return working_days_between(timezone.localdate(), deviation.deadline)


def themes(user: Any, community: Community) -> "QuerySet[Theme]":
    return Theme.objects.visible_to(user, community)


def categories(user: Any, community: Community) -> "QuerySet[Category]":
    return Category.objects.visible_to(user, community)


def handlers(user: Any, community: Community) -> "QuerySet[Handler]":
    return (
        Handler.objects.visible_to(user, community)
        .select_related("person", "party", "unit")
        .order_by("party__name", "person__family_name")
    )
