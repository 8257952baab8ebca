"""The privacy guard in model validation: a deviation, its events, themes and categories refuse
identity numbers, phone numbers and e-mail addresses in `full_clean()` whoever calls it, while
the report form keeps its summary of findings and never loses the draft."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from helsefellesskap.deviations import guard
from helsefellesskap.deviations.forms import ReportForm
from helsefellesskap.deviations.models import Deviation, Event, Theme

from .factories import DeviationFactory

pytestmark = pytest.mark.django_db

FNR = "15087545692"  # valid check digits: 15 August 1975


def _refused(row) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    return refused.value.message_dict


def test_a_deviation_refuses_patient_data_in_every_text(dev_world):
    deviation = DeviationFactory.build(
        community=dev_world.community,
        reporting_party=dev_world.municipality,
        concerned_party=dev_world.hospital,
        handling_party=dev_world.hospital,
        category=dev_world.category,
        reporter=dev_world.nurse,
        number="2026-0001",
        description=f"Gjelder {FNR[:6]}\u200b{FNR[6:]}",
        immediate_action="Ringte 912\u00a034\u00a0567",
        improvement_proposal="Skriv til ola (at) example (dot) no",
        answer=f"Pasient {FNR[:6]}\u2013{FNR[6:]}",
        measures_taken="post@sykehuset-ålesund.no",
    )
    errors = _refused(deviation)
    assert set(errors) == set(Deviation.guarded_fields)
    assert errors["description"] == [
        str(guard.MESSAGES["national_id"]) % {"label": "Hva skjedde", "excerpt": "15•••••••••"}
    ]
    assert "telefonnummer" in errors["immediate_action"][0]
    assert "e-postadresse" in errors["improvement_proposal"][0]
    assert "«Svar»" in errors["answer"][0]
    for field in Deviation.guarded_fields:
        setattr(deviation, field, "Pasienten kom hjem uten epikrise 12.03.2024 kl. 14:30.")
    deviation.full_clean()


def test_a_number_split_over_two_texts_is_refused_in_both(dev_world):
    deviation = DeviationFactory.build(
        community=dev_world.community,
        concerned_party=dev_world.hospital,
        handling_party=dev_world.hospital,
        reporting_party=dev_world.municipality,
        category=dev_world.category,
        reporter=dev_world.nurse,
        description=f"Pasienten født {FNR[:6]}",
        immediate_action=f"{FNR[6:]} fikk ikke med epikrise",
    )
    errors = _refused(deviation)
    assert set(errors) == {"description", "immediate_action"}
    assert errors["description"] == errors["immediate_action"]
    assert "«Hva skjedde» og «Hva ble gjort straks»" in errors["description"][0]
    assert "15•••• … •••••" in errors["description"][0]


def test_an_event_refuses_patient_data_in_its_text(dev_world, report):
    event = Event(
        deviation=report(),
        actor=dev_world.nurse,
        party=dev_world.municipality,
        action="comment",
        text="Datter har mob. ９１２３４５６７",
    )
    assert "«Tekst»" in _refused(event)["text"][0]
    event.text = "Vi tar det opp i fagrådet."
    event.full_clean()


def test_a_theme_refuses_an_obfuscated_address_and_names_only_warn(dev_world):
    theme = Theme(community=dev_world.community, title="Epikrise", description="ola[at]nav[dot]no")
    assert "e-postadresse" in _refused(theme)["description"][0]
    theme.description = "Kari Nordmann sin utskrivning"
    theme.full_clean()  # a likely name is not refused by the model: the service asks


def test_other_field_errors_and_the_guard_are_reported_together(dev_world):
    theme = Theme(community=dev_world.community, title="", follow_up=f"fnr {FNR}")
    errors = _refused(theme)
    assert set(errors) >= {"title", "follow_up"}


def _report_data(dev_world, **overrides):
    return {
        "concerned_party": dev_world.hospital.pk,
        "category": dev_world.category.pk,
        "kind": "patient",
        "occurred_on": "2026-01-05",
        "description": "Pasienten kom hjem uten epikrise.",
        "consequence_physical": "none",
        "consequence_psychological": "none",
        "immediate_action": "",
        "improvement_proposal": "",
        "message_type": "",
        "message_sent_at": "",
        "sender_her": "",
        "receiver_her": "",
        **overrides,
    }


def test_the_report_form_leaves_the_texts_to_the_service(dev_world):
    """The form does not refuse the texts itself, so the service's guard can list every finding
    above the form and ask about names; the model's guard runs again when the row is saved."""
    data = _report_data(dev_world, description=f"Gjelder {FNR}")
    form = ReportForm(data, community=dev_world.community)
    assert form.is_valid(), form.errors


def test_the_report_page_lists_every_finding_masked_and_keeps_the_draft(client, dev_world):
    page = reverse("deviations:report", args=[dev_world.community.slug])
    client.force_login(dev_world.nurse)
    description = f"Pasienten født {FNR[:6]},"
    immediate_action = f"personnr {FNR[6:]}. Datter: 912\u200b34\u200b567"
    response = client.post(
        page,
        _report_data(dev_world, description=description, immediate_action=immediate_action),
    )
    assert response.status_code == 200
    assert "Avviket er ikke sendt" in response.text
    assert "«Hva skjedde?» og «Hva ble gjort straks?»" in response.text
    assert "15•••• … •••••" in response.text
    assert "91••••••" in response.text
    assert FNR[6:] not in response.text.replace(immediate_action, "")  # only in the draft
    assert 'href="#id_description"' in response.text
    assert 'href="#id_immediate_action"' in response.text
    assert description in response.text and "personnr" in response.text  # the draft is kept
    assert not Deviation.objects.exists()
