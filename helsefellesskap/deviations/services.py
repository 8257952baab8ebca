"""Changes to deviations. Every text passes the privacy guard before anything is stored; every
change is an Event both parties see and an entry in the audit trail; notifications carry a link,
never the report's text."""

import datetime
from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.audit.services import audit_record, save_audited
from helsefellesskap.core.workdays import add_working_days, working_days_between
from helsefellesskap.deviations import policies
from helsefellesskap.mail.services import email_queue
from helsefellesskap.organisation.models import Body, Community, Membership, Party, Unit

from . import guard, workflow
from .models import (
    ERROR_PARTY_OTHER_COMMUNITY,
    Category,
    Deviation,
    DeviationSettings,
    Event,
    Handler,
    Theme,
)

ERROR_NOT_ALLOWED = _("Du kan ikke gjøre dette med saken nå.")
ERROR_TEXT_REQUIRED = _("Skriv en kort tekst.")
OUTDATED = _(
    "Saken er endret siden du åpnet den, og står nå som «%(state)s». "
    "Handlingen din er ikke utført; se hva som har skjedd nedenfor."
)
ERROR_SAME_PARTY = _("Et samhandlingsavvik må gjelde en annen part enn din egen.")
ERROR_USER_REP_SYSTEM = _("Brukerrepresentanter melder brudd på avtalen på systemnivå.")
ERROR_FORWARD_TARGET = _("Velg parten eller enheten saken skal videresendes til.")
ERROR_OTHER_COMMUNITY = ERROR_PARTY_OTHER_COMMUNITY
ERROR_MAY_NOT_REPORT = _("Du er ikke registrert som helsepersonell hos en part i fellesskapet.")
ERROR_UNIT_PARTY = _("Enheten hører ikke til parten du valgte.")


class ActionOutdated(Exception):
    """The action was open when the user saw the case, but someone was faster (or the same click
    arrived twice): the case has moved on. Not a refusal; the user is shown the case as it is."""

    def __init__(self, deviation: Deviation):
        super().__init__(OUTDATED % {"state": deviation.get_state_display()})
        self.deviation = deviation


class PrivacyGuardError(ValidationError):
    """The guard refused the text, or found likely names that were not confirmed."""

    def __init__(self, result: guard.GuardResult):
        self.result = result
        super().__init__(result.messages_by_field(result.errors or result.warnings))


def _guard(
    fields: dict[str, str], labels: Mapping[str, str | Promise], confirm_names: bool
) -> None:
    result = guard.check(fields, {name: str(label) for name, label in labels.items()})
    if not result.ok or (result.warnings and not confirm_names):
        raise PrivacyGuardError(result)


def settings_for(community: Community) -> DeviationSettings:
    found, _created = DeviationSettings.objects.get_or_create(community=community)
    return found


def deadline_for(community: Community, category: Category, start: datetime.date) -> datetime.date:
    days = category.deadline_days or settings_for(community).deadline_days
    return add_working_days(start, days)


def _next_number(community: Community, year: int) -> str:
    """The next number of the year. Locks the community row: a lock on an aggregate locks
    nothing, and two reports sent at once must not get the same number. Call in a transaction."""
    prefix = f"{year}-"
    Community.objects.select_for_update().get(pk=community.pk)
    last = Deviation.objects.filter(community=community, number__startswith=prefix).aggregate(
        n=Max("number")
    )["n"]
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:04d}"


# The guard's messages name the field as the form does (lazy: in the user's language).
LABELS = {
    "description": _("Hva skjedde?"),
    "immediate_action": _("Hva ble gjort straks?"),
    "improvement_proposal": _("Forslag til forbedring"),
    "text": _("Tekst"),
    "measures_taken": _("Tiltak som er satt i verk"),
}


def deviation_report(
    *,
    actor: Any,
    community: Community,
    category: Category,
    kind: str,
    concerned_party: Party,
    occurred_on: datetime.date,
    description: str,
    concerned_unit: Unit | None = None,
    reporting_unit: Unit | None = None,
    consequence_physical: str = Deviation.Consequence.NONE,
    consequence_psychological: str = Deviation.Consequence.NONE,
    immediate_action: str = "",
    improvement_proposal: str = "",
    message_type: str = "",
    message_sent_at: datetime.datetime | None = None,
    sender_her: str = "",
    receiver_her: str = "",
    confirm_names: bool = False,
) -> Deviation:
    texts = {
        "description": description,
        "immediate_action": immediate_action,
        "improvement_proposal": improvement_proposal,
    }
    _guard(texts, LABELS, confirm_names)
    reporting_party_id = policies.deviation_access(actor).reporter_parties.get(community.pk)
    user_rep_seat = None
    if reporting_party_id is None:
        user_rep_seat = policies.user_representative_seat(actor, community)
        if user_rep_seat is None:
            raise PermissionDenied(ERROR_MAY_NOT_REPORT)
        if kind != Deviation.Kind.SYSTEM:
            raise ValidationError({"kind": ERROR_USER_REP_SYSTEM})
        reporting_party_id = user_rep_seat.party_id  # the user organisation, if the seat has one
    if concerned_party.community_id != community.pk or category.community_id != community.pk:
        raise ValidationError({"concerned_party": ERROR_OTHER_COMMUNITY})
    if concerned_unit is not None and concerned_unit.party_id != concerned_party.pk:
        raise ValidationError({"concerned_unit": ERROR_UNIT_PARTY})
    if reporting_party_id and reporting_party_id == concerned_party.pk:
        raise ValidationError({"concerned_party": ERROR_SAME_PARTY})
    reporting_party = Party.objects.get(pk=reporting_party_id) if reporting_party_id else None
    if reporting_unit is None and reporting_party is not None:
        # The reporter's own unit, as registered on their person in the community.
        reporting_unit = Unit.objects.filter(
            people__user=actor, people__community=community, party=reporting_party
        ).first()
    if reporting_unit is not None and reporting_unit.party_id != reporting_party_id:
        raise ValidationError({"reporting_unit": ERROR_UNIT_PARTY})
    by_gp = reporting_party is not None and reporting_party.kind == Party.Kind.GP_REPRESENTATION
    # A GP report waits for the GP liaison of the party it concerns, when that party has one.
    triage = by_gp and Handler.objects.filter(party=concerned_party, is_gp_liaison=True).exists()
    now = timezone.now()
    with transaction.atomic():
        deviation = Deviation(
            community=community,
            number=_next_number(community, timezone.localdate(now).year),
            state=Deviation.State.TRIAGE if triage else Deviation.State.REPORTED,
            reporter=actor,
            reporting_party=reporting_party,
            reporting_unit=reporting_unit,
            by_user_representative=user_rep_seat is not None,
            by_gp=by_gp,
            concerned_party=concerned_party,
            concerned_unit=concerned_unit,
            handling_party=concerned_party,
            handling_unit=concerned_unit,
            category=category,
            kind=kind,
            occurred_on=occurred_on,
            consequence_physical=consequence_physical,
            consequence_psychological=consequence_psychological,
            message_type=message_type,
            message_sent_at=message_sent_at,
            sender_her=sender_her,
            receiver_her=receiver_her,
            names_confirmed=confirm_names,
            reported_at=now,
            deadline=deadline_for(community, category, timezone.localdate(now)),
            **texts,
        )
        deviation.full_clean()
        deviation.save()
        Event.objects.create(
            deviation=deviation,
            actor=actor,
            action=workflow.REPORT,
            to_state=deviation.state,
            party=reporting_party,
        )
        audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=deviation)
        _notify_handlers(deviation, "new")
    return deviation


def deviation_act(
    *,
    actor: Any,
    deviation: Deviation,
    action: str,
    text: str = "",
    measures_taken: str = "",
    to_party: Party | None = None,
    to_unit: Unit | None = None,
    confirm_names: bool = False,
    seen_state: str = "",
) -> Deviation:
    """Take a workflow action (see workflow.ACTIONS) on a case. `seen_state` is the state the
    user saw: when the case has moved on since, the action is outdated rather than refused."""
    spec = workflow.ACTIONS.get(action)
    roles = policies.deviation_roles(actor, deviation)
    if spec is None or not roles & spec.roles:
        raise PermissionDenied(ERROR_NOT_ALLOWED)
    if spec.needs_text and not text.strip():
        raise ValidationError({"text": ERROR_TEXT_REQUIRED})
    _guard({"text": text, "measures_taken": measures_taken}, LABELS, confirm_names)
    today = timezone.localdate()
    with transaction.atomic():
        # The state as it is now, not as the caller last saw it: someone may have been faster.
        deviation = Deviation.objects.select_for_update().get(pk=deviation.pk)
        roles = policies.deviation_roles(actor, deviation)
        if seen_state and seen_state != deviation.state:
            raise ActionOutdated(deviation)
        if not workflow.allowed(action, deviation.state, roles):
            raise PermissionDenied(ERROR_NOT_ALLOWED)
        before = deviation.state
        before_party = deviation.handling_unit or deviation.handling_party
        changed = ["state"]
        if action == "forward":
            changed += _forward(deviation, to_party, to_unit)
        if action == "ask":
            deviation.paused_since = today
            changed.append("paused_since")
        if before == Deviation.State.WAITING and deviation.paused_since:
            # The clock stood still while the case waited for the reporter.
            paused = working_days_between(deviation.paused_since, today)
            deviation.deadline = add_working_days(deviation.deadline, paused)
            deviation.paused_since = None
            changed += ["deadline", "paused_since"]
        if action == "answer":
            deviation.answer, deviation.measures_taken = text, measures_taken
            deviation.answered_at = timezone.now()
            changed += ["answer", "measures_taken", "answered_at"]
        if spec.target == Deviation.State.CLOSED:
            deviation.closed_at = timezone.now()
            changed.append("closed_at")
        if action == "reopen":
            # A new answer is owed: a new deadline, with its own reminder and escalation.
            deviation.answered_at = None
            deviation.deadline = deadline_for(deviation.community, deviation.category, today)
            deviation.reminded_at = deviation.escalated_at = None
            changed += ["answered_at", "deadline", "reminded_at", "escalated_at"]
        deviation.state = spec.target
        deviation.save(update_fields=sorted(set(changed)))
        Event.objects.create(
            deviation=deviation,
            actor=actor,
            action=action,
            from_state=before,
            to_state=deviation.state,
            party=deviation.handling_party,
            text="\n\n".join(t for t in (text, measures_taken) if t),
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=deviation,
            changes={
                "state": [before, deviation.state],
                "action": ["", action],
                **(
                    {
                        "handling": [
                            str(before_party),
                            str(deviation.handling_unit or deviation.handling_party),
                        ]
                    }
                    if action == "forward"
                    else {}
                ),
            },
        )
        _notify_after(deviation, action)
    return deviation


def _forward(deviation: Deviation, to_party: Party | None, to_unit: Unit | None) -> list[str]:
    if to_unit is not None:
        to_party = to_unit.party
    if to_party is None:
        raise ValidationError({"to_party": ERROR_FORWARD_TARGET})
    if to_party.community_id != deviation.community_id:
        raise ValidationError({"to_party": ERROR_OTHER_COMMUNITY})
    deviation.handling_party, deviation.handling_unit = to_party, to_unit
    # The new party gets its own reminder and escalation.
    deviation.reminded_at = deviation.escalated_at = None
    return ["handling_party", "handling_unit", "reminded_at", "escalated_at"]


def deviation_comment(
    *, actor: Any, deviation: Deviation, text: str, confirm_names: bool = False
) -> Event:
    if not policies.may_comment(actor, deviation):
        raise PermissionDenied(ERROR_NOT_ALLOWED)
    if not text.strip():
        raise ValidationError({"text": ERROR_TEXT_REQUIRED})
    _guard({"text": text}, LABELS, confirm_names)
    with transaction.atomic():
        event = Event.objects.create(
            deviation=deviation,
            actor=actor,
            action=workflow.COMMENT,
            text=text,
            party=deviation.handling_party,
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=deviation,
            changes={"comment": ["", str(event.pk)]},
        )
    return event


def deviation_viewed(*, actor: Any, deviation: Deviation) -> None:
    """Every view of a deviation is in its audit trail."""
    audit_record(actor=actor, action=AuditEntry.Action.VIEW, obj=deviation)


# --- Notifications -------------------------------------------------------------------------------


def _handler_emails(deviation: Deviation) -> list[str]:
    """Those who can open the case and act on it now: the GP liaison of the party concerned
    during triage, else the handlers of the unit (or, without one, of the whole party)."""
    handlers = Handler.objects.filter(party=deviation.handling_party).select_related("person")
    if deviation.state == Deviation.State.TRIAGE:
        handlers = Handler.objects.filter(
            party=deviation.concerned_party, is_gp_liaison=True
        ).select_related("person")
    elif deviation.handling_unit_id:
        unit_handlers = handlers.filter(unit=deviation.handling_unit)
        handlers = unit_handlers if unit_handlers.exists() else handlers.filter(unit__isnull=True)
    else:
        handlers = handlers.filter(unit__isnull=True)
    return sorted({h.person.email for h in handlers if h.person.email})


def _reporter_emails(deviation: Deviation) -> list[str]:
    return [deviation.reporter.email] if deviation.reporter and deviation.reporter.email else []


def _secretariat_emails(community: Community) -> list[str]:
    seats = (
        Membership.objects.current()
        .filter(community=community, body__kind=Body.Kind.SECRETARIAT)
        .select_related("person")
    )
    return sorted({seat.person.email for seat in seats if seat.person.email})


# What each notice says. The mail never holds the report's text: only its number and a link.
NOTICES = {
    "new": (
        _("Nytt samhandlingsavvik %(number)s"),
        _("Et samhandlingsavvik er meldt til dere og venter på behandling."),
    ),
    "answered": (
        _("Svar på samhandlingsavvik %(number)s"),
        _("Avviket du meldte har fått svar eller et spørsmål til deg."),
    ),
    "escalated": (
        _("Uenighet i samhandlingsavvik %(number)s"),
        _("Partene er uenige om et samhandlingsavvik. Saken er sendt til sekretariatet."),
    ),
    "reminder": (
        _("Påminnelse: samhandlingsavvik %(number)s"),
        _("Svarfristen for et samhandlingsavvik nærmer seg."),
    ),
    "overdue": (
        _("Over fristen: samhandlingsavvik %(number)s"),
        _("Et samhandlingsavvik er ikke besvart innen fristen."),
    ),
    "reopened": (
        _("Gjenåpnet: samhandlingsavvik %(number)s"),
        _("Melderen er ikke fornøyd med svaret, og saken er åpnet igjen."),
    ),
    "closed": (
        _("Lukket: samhandlingsavvik %(number)s"),
        _("Saken er lukket."),
    ),
}


def _send(deviation: Deviation, notice: str, recipients: list[str]) -> None:
    link = reverse("deviations:detail", args=[deviation.community.slug, deviation.number])
    subject, intro = NOTICES[notice]
    for email in recipients:
        email_queue(
            to=email,
            template="deviations/email/notice",
            context={
                "subject": subject % {"number": deviation.number},
                "intro": intro,
                "community": deviation.community,
                "path": link,
                "deadline": deviation.deadline,
            },
            community=deviation.community,
        )


def _notify_handlers(deviation: Deviation, notice: str) -> None:
    _send(deviation, notice, _handler_emails(deviation))


def _notify_after(deviation: Deviation, action: str) -> None:
    if action in ("forward", "release", "reply"):
        _notify_handlers(deviation, "new")
    elif action in ("answer", "ask"):
        _send(deviation, "answered", _reporter_emails(deviation))
    elif action == "reopen":
        _notify_handlers(deviation, "reopened")
    elif action == "escalate":
        _send(deviation, "escalated", _secretariat_emails(deviation.community))
    elif action in ("resolve", "close"):
        _send(
            deviation,
            "closed",
            sorted(set(_reporter_emails(deviation) + _handler_emails(deviation))),
        )


def send_reminders(today: datetime.date | None = None) -> dict[str, int]:
    """Remind handlers before the deadline and escalate to the secretariat after it; each once.
    Run daily (manage.py deviations_remind)."""
    today = today or timezone.localdate()
    counts = {"reminded": 0, "escalated": 0}
    open_cases = Deviation.objects.filter(state__in=Deviation.OPEN_STATES).select_related(
        "community", "handling_party", "handling_unit"
    )
    for deviation in open_cases.filter(reminded_at__isnull=True, deadline__gte=today):
        days_left = working_days_between(today, deviation.deadline)
        if days_left <= settings_for(deviation.community).reminder_days:
            _notify_handlers(deviation, "reminder")
            Deviation.objects.filter(pk=deviation.pk).update(reminded_at=timezone.now())
            counts["reminded"] += 1
    for deviation in open_cases.filter(escalated_at__isnull=True, deadline__lt=today):
        _send(deviation, "overdue", _secretariat_emails(deviation.community))
        Deviation.objects.filter(pk=deviation.pk).update(escalated_at=timezone.now())
        Event.objects.create(deviation=deviation, action=workflow.OVERDUE, text="")
        counts["escalated"] += 1
    return counts


# --- Themes: the learning loop --------------------------------------------------------------------


def theme_save(
    *,
    actor: Any,
    community: Community,
    theme: Theme | None = None,
    confirm_names: bool = False,
    **values: Any,
) -> Theme:
    # Themes go to ASU in the annual report: the same guard as the reports, names included.
    theme = theme or Theme(community=community)
    texts = {k: values.get(k, "") or "" for k in Theme.guarded_fields}
    _guard(texts, theme.guarded_labels(), confirm_names)
    saved = save_audited(
        actor=actor,
        obj=theme,
        values=values,
        allowed=["title", "description", "status", "measure_lineage", "follow_up"],
    )
    return cast(Theme, saved)


def theme_assign(*, actor: Any, theme: Theme, deviations: list[Deviation]) -> int:
    """Link deviations to a theme; each one's own history and audit trail records it."""
    linked = [d for d in deviations if d.community_id == theme.community_id]
    with transaction.atomic():
        Deviation.objects.filter(pk__in=[d.pk for d in linked]).update(theme=theme)
        for deviation in linked:
            Event.objects.create(
                deviation=deviation, actor=actor, action=workflow.THEME, text=theme.title
            )
            audit_record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                obj=deviation,
                changes={"theme": ["", theme.title]},
            )
    return len(linked)


DEFAULT_CATEGORIES = [
    (_("Innleggelse"), _("Retningslinje for innleggelse i sykehus")),
    (_("Utskrivning"), _("Retningslinje for utskrivning fra sykehus")),
    (_("Utskrivningsklare pasienter"), _("Retningslinje for utskrivningsklare pasienter")),
    (_("Epikrise og annen dokumentasjon"), _("Retningslinje for utskrivning: epikrise")),
    (_("Legemidler"), _("Retningslinje for legemiddelhåndtering i overganger")),
    (_("Elektroniske meldinger"), _("Retningslinje for elektronisk samhandling")),
    (_("Tilgjengelighet og kommunikasjon"), _("Samarbeidsavtalen: gjensidig tilgjengelighet")),
    (_("Hjelpemidler og utstyr"), _("Retningslinje for hjelpemidler og medisinsk utstyr")),
    (_("Brudd på avtale eller retningslinje"), _("Samarbeidsavtalen")),
    (_("Annet"), ""),
]


def categories_ensure_defaults(community: Community) -> list[Category]:
    """The community's categories; the guideline defaults when it has none yet."""
    if not Category.objects.filter(community=community).exists():
        Category.objects.bulk_create(
            Category(community=community, name=str(name), agreement_clause=str(clause), order=index)
            for index, (name, clause) in enumerate(DEFAULT_CATEGORIES)
        )
    return list(Category.objects.filter(community=community, is_active=True))


def settings_save(
    *,
    actor: Any,
    community: Community,
    settings: DeviationSettings | None = None,
    **values: Any,
) -> DeviationSettings:
    """`settings` as the form read them, so a save based on a stale reading is refused."""
    saved = save_audited(
        actor=actor,
        obj=settings or settings_for(community),
        values=values,
        allowed=["deadline_days", "reminder_days"],
    )
    return cast(DeviationSettings, saved)


def category_save(
    *, actor: Any, community: Community, category: Category | None = None, **values: Any
) -> Category:
    # Category names are shown in statistics beyond the secretariat: no identifiers in them.
    category = category or Category(community=community)
    _guard(
        {k: values.get(k, "") or "" for k in Category.guarded_fields},
        category.guarded_labels(),
        confirm_names=True,
    )
    saved = save_audited(
        actor=actor,
        obj=category,
        values=values,
        allowed=["name", "description", "agreement_clause", "deadline_days", "order", "is_active"],
    )
    return cast(Category, saved)


def handler_add(*, actor: Any, community: Community, **values: Any) -> Handler:
    person, party, unit = values.get("person"), values.get("party"), values.get("unit")
    if any(obj is not None and obj.community_id != community.pk for obj in (person, party, unit)):
        raise ValidationError(ERROR_OTHER_COMMUNITY)
    if unit is not None and party is not None and unit.party_id != party.pk:
        raise ValidationError({"unit": ERROR_UNIT_PARTY})
    saved = save_audited(
        actor=actor,
        obj=Handler(community=community),
        values=values,
        allowed=["person", "party", "unit", "is_gp_liaison"],
    )
    return cast(Handler, saved)


def handler_remove(*, actor: Any, handler: Handler) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor, action=AuditEntry.Action.DELETE, obj=handler, community=handler.community
        )
        handler.delete()
