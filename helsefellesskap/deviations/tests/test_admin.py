"""The Django admin only shows the routine's rows: the secretariat's pages are the way to edit
them (they pass the privacy guard and write the audit trail). And the models refuse patient data
whoever validates them."""

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.deviations import guard, services
from helsefellesskap.deviations.models import Category, DeviationSettings, Handler, Theme

from .factories import CategoryFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def _url(row, view):
    meta = row._meta
    if view == "add":
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[row.pk])


def test_the_admin_cannot_add_change_or_delete_the_routines_rows(client, dev_world):
    theme = ThemeFactory(community=dev_world.community, title="Epikrise mangler")
    rows = [
        theme,
        Category.objects.filter(community=dev_world.community).first(),
        Handler.objects.filter(community=dev_world.community).first(),
        services.settings_for(dev_world.community),
    ]
    client.force_login(dev_world.admin)
    entries = AuditEntry.objects.count()
    for row in rows:
        assert client.get(_url(row, "change")).status_code == 200, row  # shown, read only
        assert client.get(_url(row, "add")).status_code == 403, row
        assert client.post(_url(row, "change"), {"title": "Endret"}).status_code == 403, row
        assert client.post(_url(row, "delete"), {"post": "yes"}).status_code == 403, row
        assert type(row).objects.filter(pk=row.pk).exists(), row
    theme.refresh_from_db()
    assert theme.title == "Epikrise mangler"
    assert AuditEntry.objects.count() == entries
    assert DeviationSettings.objects.filter(community=dev_world.community).count() == 1


def test_a_theme_refuses_an_identity_number_in_full_clean(dev_world):
    theme = Theme(community=dev_world.community, title="Epikrise", follow_up="Se 15087545692")
    with pytest.raises(ValidationError) as refused:
        theme.full_clean()
    [message] = refused.value.message_dict["follow_up"]
    assert message == str(guard.MESSAGES["national_id"]) % {
        "label": "Oppfølging",
        "excerpt": "15•••••••••",
    }
    theme.follow_up = "Tatt opp i fagrådet."
    theme.full_clean()  # and accepts the text once it is gone


def test_a_category_refuses_phone_numbers_and_e_mail_in_full_clean(dev_world):
    category = CategoryFactory.build(community=dev_world.community, name="Ring 73 86 00 00")
    with pytest.raises(ValidationError) as refused:
        category.full_clean()
    assert "telefonnummer" in refused.value.message_dict["name"][0]
    category.name, category.description = "Legemidler", "Skriv til ola@example.no"
    with pytest.raises(ValidationError) as refused:
        category.full_clean()
    assert "e-postadresse" in refused.value.message_dict["description"][0]


def test_a_name_in_a_theme_only_needs_the_services_confirmation(dev_world):
    theme = Theme(community=dev_world.community, title="Kari Nordmann sin utskrivning")
    theme.full_clean()  # a likely name is not refused by the model: the service asks


FNR = "15087545692"  # valid check digits: 15 August 1975


@pytest.mark.parametrize(
    ("model", "factory", "values"),
    [
        (Theme, ThemeFactory, {"title": "Epikrise", "follow_up": f"Se {FNR}", "status": "open"}),
        (
            Category,
            CategoryFactory,
            {"name": "Legemidler", "description": f"Ring {FNR}", "order": 0},
        ),
    ],
    ids=["theme", "category"],
)
def test_a_superuser_cannot_store_an_identity_number_through_the_admin(
    client, dev_world, model, factory, values
):
    """The finding: the admin stored themes and categories without the guard. It only shows
    them now; a superuser's add and change both answer 403 and store nothing."""
    row = factory(community=dev_world.community)
    before = model.objects.count()
    client.force_login(dev_world.admin)
    data = {**values, "community": dev_world.community.pk}
    assert client.post(_url(row, "add"), data).status_code == 403
    assert client.post(_url(row, "change"), data).status_code == 403
    assert model.objects.count() == before
    row.refresh_from_db()
    assert FNR not in " ".join(row.guarded_texts().values())


@pytest.mark.parametrize("model", [Theme, Category], ids=["theme", "category"])
def test_the_admins_form_would_refuse_it_through_the_model(rf, dev_world, model):
    """Should the admin ever edit these rows, its ModelForm validates through the model, whose
    guard refuses the number (spelled with a zero-width space) and points at the field."""
    request = rf.get("/")
    request.user = dev_world.admin
    form_class = admin.site._registry[model].get_form(request)
    text_field = model.guarded_fields[1]
    first = model.guarded_fields[0]
    data = {
        first: "Samhandling i helger",
        text_field: f"Gjelder {FNR[:6]}\u200b{FNR[6:]}",
        "community": dev_world.community.pk,
        "status": "open",
        "order": 0,
    }
    form = form_class(data=data)
    assert not form.is_valid()
    [message] = form.errors[text_field]
    assert "fødselsnummer («15•••••••••»)" in message
    form = form_class(data={**data, text_field: "Tatt opp i fagrådet."})
    assert form.is_valid(), form.errors
