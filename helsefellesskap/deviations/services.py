"""Changes to deviations. Every text passes the privacy guard before anything is stored; every
change is an Event both parties see and an entry in the audit trail; notifications carry a link,
never the report's text."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helsefellesskap import permissions
from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.audit.services import audit_record
from helsefellesskap.core.workdays import add_working_days, working_days_between
from helsefellesskap.mail.services import email_queue
from helsefellesskap.organisation.models import Body, Community, Membership, Party, Unit

from . import guard, workflow
from .models import Category, Deviation, DeviationSettings, Event, Handler, Theme

ERROR_NOT_ALLOWED = _("Du kan ikke gjøre dette med saken nå.")
ERROR_TEXT_REQUIRED = _("Skriv en kort tekst.")
ERROR_SAME_PARTY = _("Et samhandlingsavvik må gjelde en annen part enn din egen.")
ERROR_USER_REP_SYSTEM = _("Brukerrepresentanter melder brudd på avtalen på systemnivå.")
ERROR_FORWARD_TARGET = _("Velg parten eller enheten saken skal videresendes til.")
ERROR_OTHER_COMMUNITY = _("Parten hører til et annet helsefellesskap.")
ERROR_MAY_NOT_REPORT = _("Du er ikke registrert som helsepersonell hos en part i fellesskapet.")


class PrivacyGuardError(ValidationError):
    """The guard refused the text, or found likely names that were not confirmed."""

    def __init__(self, result: guard.GuardResult):
        self.result = result
        findings = result.errors or result.warnings
        super().__init__({f.field: [f.message] for f in findings})


def _guard(fields: dict[str, str], labels: dict[str, str], confirm_names: bool) -> None:
    result = guard.check(fields, labels)
    if not result.ok or (result.warnings and not confirm_names):
        raise PrivacyGuardError(result)


def settings_for(community: Community) -> DeviationSettings:
    found, _created = DeviationSettings.objects.get_or_create(community=community)
    return found


def deadline_for(community: Community, category: Category, start: datetime.date) -> datetime.date:
    days = category.deadline_days or settings_for(community).deadline_days
    return add_working_days(start, days)


def _next_number(community: Community, year: int) -> str:
    prefix = f"{year}-"
    last = (
        Deviation.objects.select_for_update()
        .filter(community=community, number__startswith=prefix)
        .aggregate(n=Max("number"))["n"]
    )
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:04d}"


LABELS = {
    "description": str(_("Hva skjedde")),
    "immediate_action": str(_("Hva ble gjort straks")),
    "improvement_proposal": str(_("Forslag til forbedring")),
    "text": str(_("Tekst")),
    "answer": str(_("Svar")),
    "measures_taken": str(_("Tiltak som er satt i verk")),
}


def deviation_report(
    *,
    actor,
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
    access = permissions.deviation_access(actor)
    reporting_party_id = access.reporter_parties.get(community.pk)
    is_user_rep = (
        Membership.objects.current()
        .filter(
            community=community, person__user=actor, representation=Membership.Representation.USER
        )
        .exists()
    )
    if reporting_party_id is None and not is_user_rep:
        raise PermissionDenied(ERROR_MAY_NOT_REPORT)
    if is_user_rep and reporting_party_id is None and kind != Deviation.Kind.SYSTEM:
        raise ValidationError({"kind": ERROR_USER_REP_SYSTEM})
    if concerned_party.community_id != community.pk or category.community_id != community.pk:
        raise ValidationError({"concerned_party": ERROR_OTHER_COMMUNITY})
    reporting_party = (
        Party.objects.get(pk=reporting_party_id) if reporting_party_id else concerned_party
    )
    if reporting_party_id and reporting_party_id == concerned_party.pk:
        raise ValidationError({"concerned_party": ERROR_SAME_PARTY})
    by_gp = reporting_party.kind == Party.Kind.GP_REPRESENTATION
    has_liaison = Handler.objects.filter(community=community, is_gp_liaison=True).exists()
    now = timezone.now()
    with transaction.atomic():
        deviation = Deviation(
            community=community,
            number=_next_number(community, timezone.localdate(now).year),
            state=Deviation.State.TRIAGE if (by_gp and has_liaison) else Deviation.State.REPORTED,
            reporter=actor,
            reporting_party=reporting_party,
            reporting_unit=reporting_unit,
            by_user_representative=is_user_rep and reporting_party_id is None,
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
            action="report",
            to_state=deviation.state,
            party=reporting_party,
        )
        audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=deviation)
        _notify_handlers(deviation, "new")
    return deviation


def deviation_act(
    *,
    actor,
    deviation: Deviation,
    action: str,
    text: str = "",
    measures_taken: str = "",
    to_party: Party | None = None,
    to_unit: Unit | None = None,
    confirm_names: bool = False,
) -> Deviation:
    """Take a workflow action (see workflow.ACTIONS) on a case."""
    spec = workflow.ACTIONS.get(action)
    roles = permissions.deviation_roles(actor, deviation)
    if spec is None or not roles & spec.roles:
        raise PermissionDenied(ERROR_NOT_ALLOWED)
    if spec.needs_text and not text.strip():
        raise ValidationError({"text": ERROR_TEXT_REQUIRED})
    _guard({"text": text, "measures_taken": measures_taken}, LABELS, confirm_names)
    today = timezone.localdate()
    with transaction.atomic():
        # The state as it is now, not as the caller last saw it: someone may have been faster.
        deviation = Deviation.objects.select_for_update().get(pk=deviation.pk)
        if not workflow.allowed(action, deviation.state, roles):
            raise PermissionDenied(ERROR_NOT_ALLOWED)
        before = deviation.state
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
            deviation.answered_at = None
            changed.append("answered_at")
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
            changes={"state": [before, deviation.state], "action": ["", action]},
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
    return ["handling_party", "handling_unit"]


def deviation_comment(*, actor, deviation: Deviation, text: str, confirm_names=False) -> Event:
    if not permissions.deviation_roles(actor, deviation) or deviation.state == "closed":
        raise PermissionDenied(ERROR_NOT_ALLOWED)
    if not text.strip():
        raise ValidationError({"text": ERROR_TEXT_REQUIRED})
    _guard({"text": text}, LABELS, confirm_names)
    with transaction.atomic():
        event = Event.objects.create(
            deviation=deviation,
            actor=actor,
            action="comment",
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


def deviation_viewed(*, actor, deviation: Deviation) -> None:
    """Every view of a deviation is in its audit trail."""
    audit_record(actor=actor, action=AuditEntry.Action.VIEW, obj=deviation)


# --- Notifications -------------------------------------------------------------------------------


def _handler_emails(deviation: Deviation) -> list[str]:
    handlers = Handler.objects.filter(party=deviation.handling_party).select_related("person")
    if deviation.state == Deviation.State.TRIAGE:
        handlers = Handler.objects.filter(
            community=deviation.community, is_gp_liaison=True
        ).select_related("person")
    elif deviation.handling_unit_id:
        unit_handlers = handlers.filter(unit=deviation.handling_unit)
        handlers = unit_handlers if unit_handlers.exists() else handlers.filter(unit__isnull=True)
    return sorted({h.person.email for h in handlers if h.person.email})


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
        )


def _notify_handlers(deviation: Deviation, notice: str) -> None:
    _send(deviation, notice, _handler_emails(deviation))


def _notify_after(deviation: Deviation, action: str) -> None:
    if action in ("forward", "release", "reply"):
        _notify_handlers(deviation, "new")
    elif action in ("answer", "ask") and deviation.reporter and deviation.reporter.email:
        _send(deviation, "answered", [deviation.reporter.email])
    elif action == "escalate":
        _send(deviation, "escalated", _secretariat_emails(deviation.community))


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
        Event.objects.create(deviation=deviation, action="overdue", text="")
        counts["escalated"] += 1
    return counts


# --- Themes: the learning loop --------------------------------------------------------------------


def theme_save(*, actor, community: Community, theme: Theme | None = None, **values) -> Theme:
    from helsefellesskap.audit.services import save_audited

    # Themes are shared with ASU: no identity numbers, phone numbers or e-mail addresses either.
    texts = {k: values.get(k, "") or "" for k in ("title", "description", "follow_up")}
    _guard(
        texts,
        {
            "title": str(_("Tema")),
            "description": str(_("Beskrivelse")),
            "follow_up": str(_("Oppfølging")),
        },
        confirm_names=True,
    )
    theme = theme or Theme(community=community)
    return save_audited(
        actor=actor,
        obj=theme,
        values=values,
        allowed=["title", "description", "status", "measure_lineage", "follow_up"],
    )


def theme_assign(*, actor, theme: Theme, deviations: list[Deviation]) -> int:
    ids = [d.pk for d in deviations if d.community_id == theme.community_id]
    with transaction.atomic():
        count = Deviation.objects.filter(pk__in=ids).update(theme=theme)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=theme,
            changes={"deviations": ["", ", ".join(d.number for d in deviations)]},
        )
    return count


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


def settings_save(*, actor, community: Community, **values) -> DeviationSettings:
    from helsefellesskap.audit.services import save_audited

    return save_audited(
        actor=actor,
        obj=settings_for(community),
        values=values,
        allowed=["deadline_days", "reminder_days"],
    )


def category_save(
    *, actor, community: Community, category: Category | None = None, **values
) -> Category:
    from helsefellesskap.audit.services import save_audited

    return save_audited(
        actor=actor,
        obj=category or Category(community=community),
        values=values,
        allowed=["name", "description", "agreement_clause", "deadline_days", "order", "is_active"],
    )


def handler_add(*, actor, community: Community, **values) -> Handler:
    from helsefellesskap.audit.services import save_audited

    return save_audited(
        actor=actor,
        obj=Handler(community=community),
        values=values,
        allowed=["person", "party", "unit", "is_gp_liaison"],
    )


def handler_remove(*, actor, handler: Handler) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor, action=AuditEntry.Action.DELETE, obj=handler, community=handler.community
        )
        handler.delete()
