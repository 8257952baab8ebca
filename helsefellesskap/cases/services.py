"""Changes to cases and meetings. Writes run in one transaction and write the audit trail."""

import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.audit.services import audit_record, save_audited
from helsefellesskap.mail.services import email_queue
from helsefellesskap.organisation.models import Body, Community, Membership, Party, Person

from . import lifecycle
from .documents import meeting_ics
from .models import (
    PAPER_MAX_BYTES,
    AgendaItem,
    Attendance,
    Case,
    CasePaper,
    DecisionKind,
    FollowUp,
    Meeting,
    Ratification,
    Treatment,
)

ERROR_BODY_OTHER_COMMUNITY = _("Organet hører til et annet helsefellesskap.")
ERROR_MEETING_TIMES = _("Møtet kan ikke slutte før det begynner.")
ERROR_MEETING_NO_BODY = _("Velg minst ett organ.")
ERROR_ALREADY_ON_AGENDA = _("Saken står allerede på sakslisten til et møte.")
ERROR_NOT_IN_MEETING = _("Behandlingen hører til et organ som ikke er med i møtet.")
ERROR_MINUTES_NOT_HELD = lifecycle.ERROR_MINUTES_NOT_HELD
ERROR_EXEMPTION_BASIS = _(
    "Oppgi skjermingshjemmel (for eksempel «offentleglova § 13») når dokumentet unntas."
)
ERROR_PAPER_EMPTY = _("Last opp en fil eller oppgi en lenke.")
ERROR_PAPER_TOO_BIG = _("Filen er større enn 25 MB.")
ERROR_MINUTES_APPROVED = lifecycle.ERROR_MINUTES_APPROVED
ERROR_MEETING_STATE = lifecycle.ERROR_MEETING_STATE
ERROR_EXEMPT_BASIS_TREATMENT = _("Oppgi skjermingshjemmel når behandlingen unntas offentlighet.")

M = TypeVar("M", bound=models.Model)


def _require(action: str, meeting: Meeting) -> None:
    """Refuse `action` (see `cases.lifecycle`) when the meeting's state does not allow it."""
    message = lifecycle.refusal(action, meeting.status, meeting.get_status_display())
    if message is not None:
        raise ValidationError(message)


def _save(*, actor: Any, obj: M, values: dict[str, Any], allowed: list[str]) -> M:
    """`save_audited`, typed: the row it saves is the row given."""
    save_audited(actor=actor, obj=obj, values=values, allowed=allowed)
    return obj


CASE_FIELDS = [
    "title",
    "public_title",
    "description",
    "type",
    "decision_kind",
    "raised_by_body",
    "raised_by_party",
    "raised_by_text",
    "status",
]


def case_create(*, actor: Any, community: Community, **values: Any) -> Case:
    """Register a case with the next number of the year («Sak 05/26»)."""
    year = timezone.localdate().year
    with transaction.atomic():
        # Lock the community row: a lock on an aggregate locks nothing, and two cases saved at
        # once must not get the same number.
        Community.objects.select_for_update().get(pk=community.pk)
        last = (
            Case.objects.filter(community=community, year=year).aggregate(n=Max("sequence"))["n"]
            or 0
        )
        case = Case(
            community=community,
            year=year,
            sequence=last + 1,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        return _save(actor=actor, obj=case, values=values, allowed=CASE_FIELDS)


def case_update(*, actor: Any, case: Case, **values: Any) -> Case:
    return _save(actor=actor, obj=case, values=values, allowed=CASE_FIELDS)


def case_route(*, actor: Any, case: Case, bodies: list[Body], note: str = "") -> list[Treatment]:
    """AU routes the case: to one body, or to several in turn (the order given)."""
    for body in bodies:
        if body.community_id != case.community_id:
            raise ValidationError({"bodies": ERROR_BODY_OTHER_COMMUNITY})
    with transaction.atomic():
        start = case.treatments.aggregate(n=Max("order"))["n"] or 0
        treatments = [
            Treatment.objects.create(
                case=case, body=body, order=start + index, routed_by=actor, routing_note=note
            )
            for index, body in enumerate(bodies, start=1)
        ]
        if case.status in (Case.Status.NEW, Case.Status.DECIDED):  # a new step reopens it
            case.status = Case.Status.ROUTED
            case.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=case,
            changes={"routing": ["", " → ".join(str(b) for b in bodies)]},
        )
    return treatments


TREATMENT_FIELDS = [
    "recommendation",
    "decision",
    "outcome",
    "decided_on",
    "unanimous",
    "votes_for",
    "votes_against",
    "dissent",
    "protocol_remarks",
    "is_exempt",
    "exemption_basis",
]


def open_steps(case: Case) -> QuerySet[Treatment]:
    """Treatments still to come: not yet treated, or postponed and not yet put on a new
    agenda."""
    later = Treatment.objects.filter(
        case=OuterRef("case"), body=OuterRef("body"), order__gt=OuterRef("order")
    )
    return case.treatments.filter(
        Q(outcome=Treatment.Outcome.PENDING)
        | Q(outcome=Treatment.Outcome.POSTPONED) & ~Exists(later)
    )


def treatment_record(*, actor: Any, treatment: Treatment, **values: Any) -> Treatment:
    """Record a body's recommendation, decision, votes, dissent and remarks."""
    item = AgendaItem.objects.filter(treatment=treatment).select_related("meeting").first()
    if item is not None:
        _require("record", item.meeting)
    exempt = values.get("is_exempt", treatment.is_exempt)
    basis = values.get("exemption_basis", treatment.exemption_basis)
    if exempt and not basis:
        raise ValidationError({"exemption_basis": ERROR_EXEMPT_BASIS_TREATMENT})
    with transaction.atomic():
        treatment = _save(actor=actor, obj=treatment, values=values, allowed=TREATMENT_FIELDS)
        case = treatment.case
        if treatment.outcome and not open_steps(case).exists():
            needs_parties = case.decision_kind == DecisionKind.AGREEMENT
            case.status = Case.Status.RATIFICATION if needs_parties else Case.Status.DECIDED
            case.save(update_fields=["status"])
            if needs_parties:
                ratification_start(case=case)
    return treatment


def ratification_start(*, case: Case) -> list[Ratification]:
    """The agreement and its guidelines are decided by every municipal council and the hospital
    board: one pending row per party."""
    parties = Party.objects.filter(
        community=case.community,
        kind__in=[Party.Kind.MUNICIPALITY, Party.Kind.HOSPITAL_TRUST],
    )
    for party in parties:
        Ratification.objects.get_or_create(
            case=case,
            party=party,
            defaults={
                "decided_by": str(
                    _("Styret") if party.kind == Party.Kind.HOSPITAL_TRUST else _("Kommunestyret")
                )
            },
        )
    return list(case.ratifications.all())


def ratification_record(*, actor: Any, ratification: Ratification, **values: Any) -> Ratification:
    with transaction.atomic():
        ratification = _save(
            actor=actor,
            obj=ratification,
            values=values,
            allowed=["decided_by", "decided_on", "outcome", "reference"],
        )
        case = ratification.case
        if not case.ratifications.filter(outcome=Ratification.Outcome.PENDING).exists():
            case.status = Case.Status.CLOSED
            case.save(update_fields=["status"])
    return ratification


def follow_up_save(
    *, actor: Any, case: Case, follow_up: FollowUp | None = None, **values: Any
) -> FollowUp:
    return _save(
        actor=actor,
        obj=follow_up or FollowUp(case=case),
        values=values,
        allowed=[
            "description",
            "owner_body",
            "owner_person",
            "due_on",
            "done_on",
            "measure_lineage",
        ],
    )


# --- Meetings ---------------------------------------------------------------------------------


def meeting_create(
    *,
    actor: Any,
    community: Community,
    bodies: list[Body],
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    mode: str = Meeting.Mode.IN_PERSON,
    location: str = "",
    video_url: str = "",
) -> Meeting:
    """A meeting of one body, or a joint meeting (PSU and ASU together), with the standard
    opening items and *eventuelt* on its agenda and every current member invited."""
    if not bodies:
        raise ValidationError({"bodies": ERROR_MEETING_NO_BODY})
    if any(body.community_id != community.pk for body in bodies):
        raise ValidationError({"bodies": ERROR_BODY_OTHER_COMMUNITY})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": ERROR_MEETING_TIMES})
    with transaction.atomic():
        meeting = Meeting(
            community=community,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            mode=mode,
            location=location,
            video_url=video_url,
        )
        meeting.full_clean()
        meeting.save()
        meeting.bodies.set(bodies)
        AgendaItem.objects.bulk_create(
            [
                AgendaItem(meeting=meeting, order=1, kind=AgendaItem.Kind.NOTICE),
                AgendaItem(meeting=meeting, order=2, kind=AgendaItem.Kind.MINUTES),
                AgendaItem(meeting=meeting, order=900, kind=AgendaItem.Kind.ANY_OTHER),
            ]
        )
        _invite_members(meeting, bodies)
        follow_up_item(meeting=meeting)
        audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=meeting)
    return meeting


def _invite_members(meeting: Meeting, bodies: list[Body]) -> None:
    seats = (
        Membership.objects.current(timezone.localdate(meeting.starts_at))
        .filter(body__in=bodies)
        .select_related("person", "party", "region")
    )
    seen = set(meeting.attendance.values_list("person_id", flat=True))
    rows = []
    for seat in seats:
        if seat.person_id in seen:
            continue
        seen.add(seat.person_id)
        rows.append(
            Attendance(
                meeting=meeting, person=seat.person, membership=seat, represents=seat.represents
            )
        )
    Attendance.objects.bulk_create(rows)


def agenda_add(*, actor: Any, meeting: Meeting, treatment: Treatment) -> AgendaItem:
    """Put a treatment on the agenda. A postponed treatment comes back as a new step of the same
    body, so the first meeting's minutes keep «utsatt»."""
    _require("agenda", meeting)
    if treatment.outcome == Treatment.Outcome.POSTPONED:
        if not open_steps(treatment.case).filter(pk=treatment.pk).exists():
            raise ValidationError(ERROR_ALREADY_ON_AGENDA)
        (treatment,) = case_route(
            actor=actor, case=treatment.case, bodies=[treatment.body], note=treatment.routing_note
        )
    elif hasattr(treatment, "agenda_item") and treatment.agenda_item is not None:
        raise ValidationError(ERROR_ALREADY_ON_AGENDA)
    if not meeting.bodies.filter(pk=treatment.body_id).exists():
        raise ValidationError(ERROR_NOT_IN_MEETING)
    with transaction.atomic():
        last = meeting.items.filter(order__lt=900).aggregate(n=Max("order"))["n"] or 2
        item = AgendaItem.objects.create(
            meeting=meeting, order=last + 1, kind=AgendaItem.Kind.CASE, treatment=treatment
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=meeting,
            changes={"agenda": ["", str(treatment.case)]},
        )
    return item


def meeting_update(
    *, actor: Any, meeting: Meeting, bodies: list[Body] | None = None, **values: Any
) -> Meeting:
    """Change a meeting. New bodies' members are invited too; the change is audited."""
    _require("edit", meeting)
    if "starts_at" in values and "ends_at" in values and values["ends_at"] <= values["starts_at"]:
        raise ValidationError({"ends_at": ERROR_MEETING_TIMES})
    if bodies is not None and not bodies:
        raise ValidationError({"bodies": ERROR_MEETING_NO_BODY})
    if bodies and any(body.community_id != meeting.community_id for body in bodies):
        raise ValidationError({"bodies": ERROR_BODY_OTHER_COMMUNITY})
    with transaction.atomic():
        meeting = _save(
            actor=actor,
            obj=meeting,
            values=values,
            allowed=["title", "starts_at", "ends_at", "mode", "location", "video_url"],
        )
        if bodies is not None:
            before = {str(b) for b in meeting.bodies.all()}
            meeting.bodies.set(bodies)
            after = {str(b) for b in bodies}
            if before != after:
                audit_record(
                    actor=actor,
                    action=AuditEntry.Action.UPDATE,
                    obj=meeting,
                    changes={"bodies": [", ".join(sorted(before)), ", ".join(sorted(after))]},
                )
                _invite_members(meeting, bodies)
                follow_up_item(meeting=meeting)
    return meeting


def follow_up_item(*, meeting: Meeting) -> AgendaItem | None:
    """Open follow-ups of the meeting's bodies come back as an information item, right after the
    approval of the previous minutes."""
    open_items = FollowUp.objects.filter(
        owner_body__in=meeting.bodies.all(), done_on__isnull=True
    ).exists()
    if not open_items or meeting.items.filter(kind=AgendaItem.Kind.FOLLOW_UP).exists():
        return None
    meeting.items.filter(order__gte=3, order__lt=900).update(order=F("order") + 1)
    return AgendaItem.objects.create(meeting=meeting, order=3, kind=AgendaItem.Kind.FOLLOW_UP)


def _attendance_save(
    *, actor: Any, attendance: Attendance, status: str, substitute_for: Person | None = None
) -> Attendance:
    values: dict[str, Any] = {"status": status}
    if substitute_for is not None:
        values["substitute_for"] = substitute_for
    return _save(actor=actor, obj=attendance, values=values, allowed=list(values))


def attendance_set(
    *, actor: Any, attendance: Attendance, status: str, substitute_for: Person | None = None
) -> Attendance:
    """Record someone's attendance (not once the minutes are approved)."""
    _require("attendance", attendance.meeting)
    return _attendance_save(
        actor=actor, attendance=attendance, status=status, substitute_for=substitute_for
    )


def absence_report(*, actor: Any, attendance: Attendance) -> Attendance:
    """A member reports absence before the meeting."""
    _require("absence", attendance.meeting)
    return _attendance_save(actor=actor, attendance=attendance, status=Attendance.Status.ABSENT)


def meeting_cancel(*, actor: Any, meeting: Meeting) -> Meeting:
    _require("cancel", meeting)
    return _save(
        actor=actor, obj=meeting, values={"status": lifecycle.target("cancel")}, allowed=["status"]
    )


def substitute_call(
    *, actor: Any, meeting: Meeting, absent: Attendance, person: Person
) -> Attendance:
    """The secretariat calls a substitute for a member who reported absence."""
    _require("substitute", meeting)
    with transaction.atomic():
        attendance, _created = Attendance.objects.get_or_create(
            meeting=meeting,
            person=person,
            defaults={"represents": absent.represents},
        )
        attendance = _attendance_save(
            actor=actor,
            attendance=attendance,
            status=Attendance.Status.SUBSTITUTE,
            substitute_for=absent.person,
        )
    return attendance


def item_record(
    *,
    actor: Any,
    item: AgendaItem,
    discussion: str = "",
    decision: str = "",
    **treatment_values: Any,
) -> AgendaItem:
    """Record an agenda item. A case item's decision, outcome, votes, dissent and remarks belong
    to its treatment (one place, which the case page and the minutes both read); the item keeps
    the discussion, and the decision only for items without a case."""
    _require("record", item.meeting)
    with transaction.atomic():
        values = {"discussion": discussion}
        if item.treatment is None:
            values["decision"] = decision
        item = _save(actor=actor, obj=item, values=values, allowed=list(values))
        if item.treatment is not None:
            treatment_values["decision"] = decision
            treatment_values.setdefault("decided_on", timezone.localdate(item.meeting.starts_at))
            treatment_record(actor=actor, treatment=item.treatment, **treatment_values)
    return item


def meeting_held(*, actor: Any, meeting: Meeting) -> Meeting:
    _require("held", meeting)
    return _save(
        actor=actor, obj=meeting, values={"status": lifecycle.target("held")}, allowed=["status"]
    )


def minutes_approve(
    *, actor: Any, meeting: Meeting, how: str, on: datetime.date | None = None
) -> Meeting:
    """Approve the minutes: in the next meeting, or electronically by the chair. Only approved
    minutes are published."""
    _require("approve", meeting)
    return _save(
        actor=actor,
        obj=meeting,
        values={
            "status": lifecycle.target("approve"),
            "minutes_approval": how,
            "minutes_approved_on": on or timezone.localdate(),
            "minutes_approved_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
        allowed=["status", "minutes_approval", "minutes_approved_on", "minutes_approved_by"],
    )


def paper_add(
    *,
    actor: Any,
    case: Case,
    title: str,
    file: UploadedFile[bytes] | None = None,
    url: str = "",
    is_public: bool = True,
    exemption_basis: str = "",
) -> CasePaper:
    if not is_public and not exemption_basis:
        raise ValidationError({"exemption_basis": ERROR_EXEMPTION_BASIS})
    if not file and not url:
        raise ValidationError({"file": ERROR_PAPER_EMPTY})
    if file and (file.size or 0) > PAPER_MAX_BYTES:
        raise ValidationError({"file": ERROR_PAPER_TOO_BIG})
    paper = CasePaper(case=case)
    values: dict[str, Any] = {
        "title": title,
        "url": url,
        "is_public": is_public,
        "exemption_basis": exemption_basis,
    }
    if file:
        values["file"] = file
    return _save(actor=actor, obj=paper, values=values, allowed=list(values))


def invitation_send(*, actor: Any, meeting: Meeting) -> int:
    """E-mail the invitation with the agenda and a calendar file to every member and substitute
    invited; returns how many were sent."""
    _require("invite", meeting)
    ics = meeting_ics(meeting, private=True)  # the invitation goes to members only
    items = list(meeting.items.select_related("treatment__case").order_by("order"))
    sent = 0
    with transaction.atomic():
        for attendance in meeting.attendance.select_related("person"):
            if not attendance.person.email:
                continue
            email_queue(
                to=attendance.person.email,
                template="cases/email/invitation",
                context={"meeting": meeting, "items": items, "person": attendance.person},
                attachments=[{"name": "mote.ics", "content": ics, "mimetype": "text/calendar"}],
                community=meeting.community,
            )
            sent += 1
        _save(
            actor=actor,
            obj=meeting,
            values={"status": lifecycle.target("invite"), "invitation_sent_at": timezone.now()},
            allowed=["status", "invitation_sent_at"],
        )
    return sent
