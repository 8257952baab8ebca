import datetime
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from helsefellesskap.cases import services
from helsefellesskap.cases.models import Meeting

pytestmark = pytest.mark.django_db


def url(name, w, *args):
    return reverse(f"cases:{name}", args=[w.community.slug, *args])


def test_draft_minutes_are_for_members_approved_minutes_for_everyone(client, meeting_world):
    w = meeting_world
    services.item_record(
        actor=w.secretariat,
        item=w.item,
        decision="Rutinen vedtas.",
        outcome="decided",
        unanimous=True,
    )
    services.meeting_held(actor=w.secretariat, meeting=w.meeting)
    pdf = url("minutes_pdf", w, w.meeting.pk)
    assert client.get(pdf).status_code == 302  # anonymous: log in
    client.force_login(w.outsider)
    assert client.get(pdf).status_code == 404
    client.force_login(w.member)
    response = client.get(pdf)
    assert response.status_code == 200
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.getvalue())).pages).split()
    )
    assert "UTKAST" in text and "Rutinen vedtas." in text
    client.logout()
    page = client.get(url("meeting", w, w.meeting.pk))
    assert "Rutinen vedtas." not in page.text  # the decision waits for approved minutes
    services.minutes_approve(
        actor=w.chair, meeting=w.meeting, how="electronic", on=datetime.date(2026, 4, 2)
    )
    response = client.get(pdf)
    assert response.status_code == 200
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.getvalue())).pages).split()
    )
    assert "UTKAST" not in text
    assert f"{w.case.number} Rutine for utskrivning" in text  # the public title
    assert "Ny rutine for utskrivning" not in text
    client.force_login(w.member)
    member_pdf = client.get(pdf)
    member_text = " ".join(
        " ".join(
            p.extract_text() for p in PdfReader(io.BytesIO(member_pdf.getvalue())).pages
        ).split()
    )
    assert f"{w.case.number} Ny rutine for utskrivning" in member_text
    client.logout()
    assert "Vedtak: Rutinen vedtas." in text
    assert "Vedtaket var enstemmig." in text
    assert "Dokumentet er elektronisk godkjent 2.4.2026" in text
    assert "Rutinen vedtas." in client.get(url("meeting", w, w.meeting.pk)).text


def test_shielded_papers_never_reach_the_public(client, meeting_world, settings, tmp_path):
    w = meeting_world
    settings.MEDIA_ROOT = tmp_path
    public = services.paper_add(
        actor=w.secretariat,
        case=w.case,
        title="Saksframlegg",
        file=SimpleUploadedFile("framlegg.pdf", b"%PDF-1.4 offentlig"),
    )
    secret = services.paper_add(
        actor=w.secretariat,
        case=w.case,
        title="Vedlegg om enkeltsak",
        file=SimpleUploadedFile("vedlegg.pdf", b"%PDF-1.4 hemmelig"),
        is_public=False,
        exemption_basis="offentleglova § 13",
    )
    services.item_record(actor=w.secretariat, item=w.item, decision="Vedtatt.", outcome="decided")
    services.meeting_held(actor=w.secretariat, meeting=w.meeting)
    services.minutes_approve(actor=w.secretariat, meeting=w.meeting, how="next_meeting")
    case_page = client.get(w.case.get_absolute_url())
    assert case_page.status_code == 200
    assert "Saksframlegg" in case_page.text and "Vedlegg om enkeltsak" not in case_page.text
    assert "Ny rutine for utskrivning" not in case_page.text  # the public title is used
    assert client.get(url("paper", w, public.key)).status_code == 200
    assert client.get(url("paper", w, secret.key)).status_code == 302
    client.force_login(w.outsider)
    assert client.get(url("paper", w, secret.key)).status_code == 404
    client.force_login(w.member)
    response = client.get(url("paper", w, secret.key))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 hemmelig"


def test_an_exempt_paper_needs_its_legal_basis(meeting_world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.paper_add(
            actor=meeting_world.secretariat,
            case=meeting_world.case,
            title="X",
            url="https://example.no/x",
            is_public=False,
        )
    assert "skjermingshjemmel" in str(error.value)


def test_unpublished_cases_are_hidden_from_the_public(client, meeting_world):
    w = meeting_world
    listing = client.get(url("cases", w))
    assert w.case.number not in listing.text
    assert client.get(w.case.get_absolute_url()).status_code == 404
    client.force_login(w.member)
    assert w.case.number in client.get(url("cases", w)).text


def test_invitation_mail_has_the_agenda_and_a_calendar_file(client, meeting_world):
    w = meeting_world
    client.force_login(w.secretariat)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url("meeting_action", w, w.meeting.pk, "invite"))
    assert response.status_code == 302
    assert {m.to[0] for m in mail.outbox} == {"leder@example.no", "medlem@example.no"}
    message = mail.outbox[0]
    assert "Innkalling: Møte i fagrådet 30.3.2026" in message.subject
    assert w.case.number in message.body
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("mote.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    start = event.decoded("dtstart").astimezone(timezone.get_default_timezone())
    assert (start.hour, start.minute) == (10, 0)  # 10:00 in Oslo (summer time: 08:00 UTC)
    assert str(event.decoded("dtstart").tzinfo) == "Europe/Oslo"
    assert event.decoded("dtstart").astimezone(datetime.UTC).hour == 8  # summer time
    w.meeting.refresh_from_db()
    assert w.meeting.status == Meeting.Status.INVITED


def test_a_member_reports_absence_and_the_secretariat_calls_a_substitute(client, meeting_world):
    from helsefellesskap.organisation.tests.factories import MembershipFactory, PersonFactory

    w = meeting_world
    substitute = PersonFactory(community=w.community, given_name="Vera", family_name="Vara")
    MembershipFactory(body=w.council, person=substitute, role="substitute")
    client.force_login(w.member)
    assert client.post(url("absence", w, w.meeting.pk)).status_code == 302
    absent = w.meeting.attendance.get(person__user=w.member)
    assert absent.status == "absent"
    client.force_login(w.member)
    assert (
        client.post(
            url("meeting_action", w, w.meeting.pk, "substitute"),
            {"absent": absent.pk, "person": substitute.pk},
        ).status_code
        == 403
    )
    client.force_login(w.secretariat)
    client.post(
        url("meeting_action", w, w.meeting.pk, "substitute"),
        {"absent": absent.pk, "person": substitute.pk},
    )
    called = w.meeting.attendance.get(person=substitute)
    assert called.status == "substitute" and called.substitute_for == absent.person


def test_routing_is_for_au_and_the_secretariat(client, case_world):
    from helsefellesskap.organisation.tests.factories import MembershipFactory

    w = case_world
    case = w.make_case()
    route = url("case_route", w, case.slug)
    client.force_login(w.member)
    assert client.post(route, {"bodies": [w.asu.pk]}).status_code == 403
    MembershipFactory(body=w.au, person=w.chair.people.get())
    client.force_login(w.chair)
    assert client.post(route, {"bodies": [w.psu.pk, w.asu.pk, w.council.pk]}).status_code == 302
    chain = [t.body.pk for t in case.treatments.order_by("order")]
    assert chain == [w.council.pk, w.asu.pk, w.psu.pk]  # climbs: council, ASU, PSU


def test_the_case_page_warns_about_the_mandate(client, case_world):
    w = case_world
    case = w.make_case(decision_kind="action_plan")
    services.case_route(actor=w.secretariat, case=case, bodies=[w.psu])
    client.force_login(w.member)
    page = client.get(case.get_absolute_url())
    assert "Vedtaksmyndighet" in page.text
    assert "etter innstilling fra ASU" in page.text


def test_case_pages_of_other_communities(client, case_world):
    w = case_world
    case = w.make_case()
    other = reverse("cases:case", args=[w.other_community.slug, case.slug])
    client.force_login(w.secretariat)
    assert client.get(other).status_code == 404
    assert client.get(url("case_create", w)).status_code == 200
    client.force_login(w.chair)
    assert client.get(url("case_create", w)).status_code == 403


def test_meeting_pages_stay_under_20_queries(client, meeting_world, django_assert_max_num_queries):
    w = meeting_world
    for _ in range(10):
        case = w.make_case()
        (t,) = services.case_route(actor=w.secretariat, case=case, bodies=[w.council])
        services.agenda_add(actor=w.secretariat, meeting=w.meeting, treatment=t)
    client.force_login(w.secretariat)
    for page in [
        url("meeting", w, w.meeting.pk),
        url("meetings", w),
        url("cases", w),
        w.case.get_absolute_url(),
    ]:
        with django_assert_max_num_queries(20):
            assert client.get(page).status_code == 200


def test_follow_ups_come_back_on_the_next_agenda(client, case_world):
    w = case_world
    case = w.make_case()
    client.force_login(w.secretariat)
    response = client.post(
        url("follow_up_add", w, case.slug),
        {
            "description": "Lage felles rutine",
            "owner_body": w.council.pk,
            "owner_person": "",
            "due_on": "2026-12-01",
            "measure_lineage": "",
        },
    )
    assert response.status_code == 302
    follow_up = case.follow_ups.get()
    start = timezone.make_aware(datetime.datetime(2026, 12, 3, 10, 0))
    meeting = services.meeting_create(
        actor=w.secretariat,
        community=w.community,
        bodies=[w.council],
        title="Neste møte",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    assert meeting.items.filter(kind="follow_up").exists()
    done = url("follow_up_done", w, case.slug, follow_up.pk)
    client.force_login(w.member)
    assert client.post(done).status_code == 403
    client.force_login(w.secretariat)
    assert client.post(done).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done_on == timezone.localdate()


def test_the_public_never_sees_unapproved_decisions_internal_bodies_or_secret_titles(
    client, meeting_world
):
    w = meeting_world
    services.paper_add(
        actor=w.secretariat,
        case=w.case,
        title="Saksframlegg",
        url="https://example.no/framlegg.pdf",
    )  # makes the case public
    services.item_record(
        actor=w.secretariat,
        item=w.item,
        decision="Hemmelig vedtak",
        outcome="decided",
        dissent="Kommune X",
    )
    page = client.get(w.case.get_absolute_url())
    assert "Hemmelig vedtak" not in page.text and "Kommune X" not in page.text
    assert "publiseres når protokollen er godkjent" in page.text
    (internal,) = services.case_route(actor=w.secretariat, case=w.case, bodies=[w.internal_group])
    services.treatment_record(
        actor=w.secretariat, treatment=internal, outcome="decided", decision="Intern beslutning"
    )
    assert "Intern arbeidsgruppe" not in client.get(w.case.get_absolute_url()).text
    assert "Intern arbeidsgruppe" not in client.get(url("cases", w)).text
    # The public search looks in the public title only.
    assert w.case.number in client.get(url("cases", w) + "?q=Rutine").text
    assert w.case.number not in client.get(url("cases", w) + "?q=Ny+rutine").text


def test_exempt_items_are_hidden_in_the_public_minutes(client, meeting_world):
    w = meeting_world
    services.item_record(
        actor=w.secretariat,
        item=w.item,
        decision="Unntatt vedtak",
        outcome="decided",
        is_exempt=True,
        exemption_basis="offentleglova § 13",
    )
    services.meeting_held(actor=w.secretariat, meeting=w.meeting)
    services.minutes_approve(actor=w.secretariat, meeting=w.meeting, how="next_meeting")
    response = client.get(url("minutes_pdf", w, w.meeting.pk))
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.getvalue())).pages).split()
    )
    assert "Unntatt vedtak" not in text and "Ny rutine for utskrivning" not in text
    assert "Sak unntatt offentlighet" in text and "offentleglova § 13" in text


def test_the_video_link_is_only_in_members_calendars(client, meeting_world):
    w = meeting_world
    services.meeting_update(
        actor=w.secretariat, meeting=w.meeting, video_url="https://video.example.no/rom-42"
    )
    ics = url("meeting_ics", w, w.meeting.pk)
    assert "rom-42" not in client.get(ics).getvalue().decode()
    client.force_login(w.member)
    assert "rom-42" in client.get(ics).getvalue().decode()


def test_a_meeting_with_approved_minutes_cannot_be_changed(client, meeting_world):
    from django.core.exceptions import ValidationError

    w = meeting_world
    services.meeting_held(actor=w.secretariat, meeting=w.meeting)
    services.minutes_approve(actor=w.secretariat, meeting=w.meeting, how="next_meeting")
    for call in [
        lambda: services.invitation_send(actor=w.secretariat, meeting=w.meeting),
        lambda: services.meeting_held(actor=w.secretariat, meeting=w.meeting),
        lambda: services.item_record(actor=w.secretariat, item=w.item, decision="Endret"),
        lambda: services.treatment_record(
            actor=w.secretariat, treatment=w.treatment, decision="Endret"
        ),
        lambda: services.minutes_approve(actor=w.secretariat, meeting=w.meeting, how="electronic"),
        lambda: services.meeting_update(actor=w.secretariat, meeting=w.meeting, title="Ny"),
    ]:
        with pytest.raises(ValidationError):
            call()
    client.force_login(w.member)
    client.post(url("absence", w, w.meeting.pk))
    assert w.meeting.attendance.get(person__user=w.member).status == "invited"
    w.meeting.refresh_from_db()
    assert w.meeting.status == Meeting.Status.APPROVED


def test_adding_a_body_to_a_meeting_invites_its_members(meeting_world):
    from helsefellesskap.organisation.tests.factories import MembershipFactory, PersonFactory

    w = meeting_world
    newcomer = PersonFactory(community=w.community, given_name="Nora", family_name="Ny")
    MembershipFactory(body=w.asu, person=newcomer)
    services.meeting_update(actor=w.secretariat, meeting=w.meeting, bodies=[w.council, w.asu])
    assert w.meeting.attendance.filter(person=newcomer).exists()
    assert w.meeting.attendance.count() == 3


def test_a_postponed_case_comes_back_on_a_new_agenda(meeting_world):
    w = meeting_world
    services.item_record(actor=w.secretariat, item=w.item, outcome="postponed")
    w.case.refresh_from_db()
    assert w.case.status != "decided"
    start = w.meeting.starts_at + datetime.timedelta(days=30)
    later = services.meeting_create(
        actor=w.secretariat,
        community=w.community,
        bodies=[w.council],
        title="Neste møte",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    from helsefellesskap.cases.forms import AgendaAddForm

    assert w.treatment in AgendaAddForm(meeting=later).fields["treatment"].queryset
    item = services.agenda_add(actor=w.secretariat, meeting=later, treatment=w.treatment)
    assert item.treatment != w.treatment and item.treatment.body == w.council
    assert w.treatment not in AgendaAddForm(meeting=later).fields["treatment"].queryset
    services.item_record(actor=w.secretariat, item=item, outcome="decided", decision="Vedtatt")
    w.case.refresh_from_db()
    assert w.case.status == "decided"


def test_papers_must_be_documents(meeting_world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.paper_add(
            actor=meeting_world.secretariat,
            case=meeting_world.case,
            title="Side",
            file=SimpleUploadedFile("side.html", b"<html>"),
        )
