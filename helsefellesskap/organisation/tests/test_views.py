import datetime

import pytest
from django.urls import reverse

from helsefellesskap.organisation.models import Body, Membership, MunicipalRegion

from .factories import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"organisation:{name}", args=args)


PUBLIC_PAGES = ["community", "bodies", "parties", "contacts", "representation"]


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_pages_open_for_visitors(client, world, page):
    response = client.get(url(page, world.community.slug))
    assert response.status_code == 200
    assert world.community.short_name in response.text


def test_visitor_sees_a_public_body_and_its_members_but_not_history(client, world):
    MembershipFactory(
        body=world.council,
        person=PersonFactory(community=world.community, given_name="Tidligere", family_name="Tor"),
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 12, 31),
    )
    response = client.get(url("body", world.community.slug, world.council.slug))
    assert response.status_code == 200
    assert "Leder" in response.text
    assert "Tidligere Tor" not in response.text
    assert "Tidligere medlemmer" not in response.text


def test_member_sees_history(client, world):
    MembershipFactory(
        body=world.council,
        person=PersonFactory(community=world.community, given_name="Tidligere", family_name="Tor"),
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 12, 31),
    )
    client.force_login(world.member)
    response = client.get(url("body", world.community.slug, world.council.slug))
    assert "Tidligere Tor" in response.text


def test_internal_body_is_hidden_from_visitors_and_outsiders(client, world):
    page = url("body", world.community.slug, world.internal_group.slug)
    response = client.get(page)
    assert response.status_code == 302 and "/konto/logg-inn/" in response["Location"]
    client.force_login(world.outsider)
    assert client.get(page).status_code == 404
    assert "Intern arbeidsgruppe" not in client.get(url("bodies", world.community.slug)).text


def test_internal_body_is_visible_to_members(client, world):
    client.force_login(world.member)
    page = url("body", world.community.slug, world.internal_group.slug)
    assert client.get(page).status_code == 200
    assert "Intern arbeidsgruppe" in client.get(url("bodies", world.community.slug)).text


def test_member_of_one_community_cannot_see_the_other_communitys_internal_body(client, world):
    client.force_login(world.member)
    response = client.get(url("body", world.other_community.slug, world.other_body.slug))
    assert response.status_code == 404
    assert "Annen intern gruppe" not in response.text


def test_contact_list_hides_private_details_from_the_public(client, world):
    private = Membership.objects.get(person__user=world.member).person
    private.phone = "+47 400 00 000"
    private.save()
    response = client.get(url("contacts", world.community.slug))
    assert private.email not in response.text
    assert "400 00 000" not in response.text
    client.force_login(world.member)
    response = client.get(url("contacts", world.community.slug))
    assert private.email in response.text


def test_contact_list_shows_public_contacts_to_everyone(client, world):
    person = Membership.objects.get(person__user=world.secretariat).person
    person.is_public_contact = True
    person.save()
    response = client.get(url("contacts", world.community.slug))
    assert person.email in response.text


ADMIN_PAGES = [
    ("people", lambda w: [w.community.slug]),
    ("person_create", lambda w: [w.community.slug]),
    ("invitation_create", lambda w: [w.community.slug]),
    ("membership_create", lambda w: [w.community.slug, w.council.slug]),
    ("membership_edit", lambda w: [w.community.slug, _chair_seat(w).pk]),
    ("membership_end", lambda w: [w.community.slug, _chair_seat(w).pk]),
]


def _chair_seat(world):
    return Membership.objects.get(body=world.council, role=Membership.Role.CHAIR)


@pytest.mark.parametrize("name,args", ADMIN_PAGES)
def test_secretariat_pages_refuse_everyone_but_the_secretariat(client, world, name, args):
    page = url(name, *args(world))
    assert client.get(page).status_code == 302  # anonymous: to the login page
    client.force_login(world.outsider)
    assert client.get(page).status_code == 404
    client.force_login(world.chair)
    assert client.get(page).status_code == 403
    client.force_login(world.member)
    # A read-only page takes no POST at all (405); a form page refuses the member (403).
    assert client.post(page, {}).status_code == (405 if name == "people" else 403)
    client.force_login(world.secretariat)
    assert client.get(page).status_code == 200
    client.force_login(world.admin)
    assert client.get(page).status_code == 200


def test_secretariat_cannot_manage_another_community(client, world):
    client.force_login(world.secretariat)
    assert client.get(url("people", world.other_community.slug)).status_code == 404


def test_membership_of_another_community_is_not_reachable_through_this_one(client, world):
    foreign = Membership.objects.get(body=world.other_body)
    client.force_login(world.secretariat)
    assert client.get(url("membership_edit", world.community.slug, foreign.pk)).status_code == 404


def _membership_post(world, **overrides):
    person = PersonFactory(community=world.community, given_name="Nina", family_name="Nyberg")
    data = {
        "person": person.pk,
        "role": "member",
        "representation": "municipalities",
        "party": world.municipality.pk,
        "region": "",
        "start_date": "2025-03-01",
        "end_date": "",
        "note": "",
    }
    data.update(overrides)
    return data


def test_secretariat_adds_a_membership(client, world):
    client.force_login(world.secretariat)
    response = client.post(
        url("membership_create", world.community.slug, world.council.slug), _membership_post(world)
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Nina Nyberg er lagt til" in page.text
    assert Membership.objects.filter(person__given_name="Nina", body=world.council).exists()


def test_a_bad_term_is_explained_and_what_was_typed_is_kept(client, world):
    client.force_login(world.secretariat)
    data = _membership_post(world, end_date="2025-01-01", note="Ny fra mars")
    response = client.post(url("membership_create", world.community.slug, world.council.slug), data)
    assert response.status_code == 200
    assert "Sluttdatoen kan ikke være før startdatoen." in response.text
    assert 'value="Ny fra mars"' in response.text
    assert 'value="2025-01-01"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert not Membership.objects.filter(person__given_name="Nina").exists()


def test_a_second_chair_is_explained(client, world):
    client.force_login(world.secretariat)
    data = _membership_post(world, role="chair")
    response = client.post(url("membership_create", world.community.slug, world.council.slug), data)
    assert response.status_code == 200
    assert "har allerede en leder i denne perioden" in response.text


def test_end_a_membership_moves_it_to_history(client, world):
    seat = _chair_seat(world)
    client.force_login(world.secretariat)
    response = client.post(
        url("membership_end", world.community.slug, seat.pk), {"end_date": "2024-12-31"}
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.end_date == datetime.date(2024, 12, 31)
    page = client.get(url("body", world.community.slug, world.council.slug))
    history = page.text.split("Tidligere medlemmer")[-1]
    assert seat.person.full_name in history


def test_end_date_before_start_is_refused(client, world):
    seat = _chair_seat(world)
    client.force_login(world.secretariat)
    response = client.post(
        url("membership_end", world.community.slug, seat.pk), {"end_date": "2000-01-01"}
    )
    assert response.status_code == 200
    assert "Sluttdatoen kan ikke være før startdatoen." in response.text


def test_form_choices_only_offer_this_communitys_people_and_parties(client, world):
    PersonFactory(community=world.other_community, given_name="Fremmed", family_name="Person")
    client.force_login(world.secretariat)
    response = client.get(url("membership_create", world.community.slug, world.council.slug))
    assert "Fremmed Person" not in response.text
    response = client.post(
        url("membership_create", world.community.slug, world.council.slug),
        _membership_post(world, person=Membership.objects.get(body=world.other_body).person_id),
    )
    assert response.status_code == 200
    assert "Velg et gyldig valg" in response.text


def test_representation_overview_flags_missing_user_representative_and_gp(client, world):
    response = client.get(url("representation", world.community.slug))
    row = response.text.split("Fagråd for pasientsamarbeid")[1].split("</tr>")[0]
    assert row.count('data-color="danger"') == 2  # no user representative, no GP


def test_parties_grouped_by_region(client, world):
    from .factories import RegionFactory

    region = RegionFactory(community=world.community, name="Namdalen")
    world.municipality.region = region
    world.municipality.save()
    response = client.get(url("parties", world.community.slug))
    assert "<caption>Namdalen</caption>" in response.text
    assert "5001" in response.text


def test_list_pages_stay_under_20_queries(client, world, django_assert_max_num_queries):
    for _ in range(30):
        MembershipFactory(body=world.council, representation="user")
    client.force_login(world.member)
    with django_assert_max_num_queries(20):
        client.get(url("body", world.community.slug, world.council.slug))
    with django_assert_max_num_queries(20):
        client.get(url("contacts", world.community.slug))
    with django_assert_max_num_queries(20):
        client.get(url("representation", world.community.slug))


def test_secretariat_moves_a_municipality_to_another_region(client, world):
    from .factories import RegionFactory

    region = RegionFactory(community=world.community, name="Innherred")
    page = url("party_edit", world.community.slug, world.municipality.pk)
    client.force_login(world.member)
    assert client.get(page).status_code == 403
    client.force_login(world.outsider)
    assert client.get(page).status_code == 404
    client.force_login(world.secretariat)
    data = {
        "name": "Testby kommune",
        "kind": "municipality",
        "municipality_number": "50x1",
        "region": region.pk,
        "population": "1200",
        "website": "",
        "note": "Flyttet",
    }
    response = client.post(page, data)
    assert response.status_code == 200
    assert "Kommunenummeret må bestå av fire sifre" in response.text
    assert 'value="1200"' in response.text
    world.municipality.refresh_from_db()
    assert world.municipality.region is None
    response = client.post(page, {**data, "municipality_number": "5001"})
    assert response.status_code == 302
    world.municipality.refresh_from_db()
    assert world.municipality.region == region
    listing = client.get(url("parties", world.community.slug)).text
    table = listing.split("<caption>Innherred")[1].split("</table>")[0]
    assert "Testby kommune" in table


def test_secretariat_adds_a_region(client, world):
    client.force_login(world.secretariat)
    page = url("region_create", world.community.slug)
    response = client.post(page, {"name": "Fosen", "order": 3})
    assert response.status_code == 302
    assert MunicipalRegion.objects.filter(community=world.community, name="Fosen").exists()
    response = client.post(page, {"name": "Fosen", "order": 4})
    assert response.status_code == 200
    assert "finnes allerede" in response.text


def test_secretariat_creates_and_edits_a_body(client, world):
    page = url("body_create", world.community.slug)
    client.force_login(world.chair)
    assert client.get(page).status_code == 403
    client.force_login(world.secretariat)
    data = {
        "name": "Arbeidsgruppe for legevakt",
        "short_name": "AG legevakt",
        "slug": "nytt",
        "kind": "working_group",
        "parent": world.council.pk,
        "mandate": "Utrede felles legevakt.",
        "period_start": "2025-01-01",
        "period_end": "2024-06-30",
        "is_public": "on",
        "order": "5",
    }
    response = client.post(page, data)
    assert response.status_code == 200
    assert "Perioden kan ikke slutte før den begynner." in response.text
    assert "Denne kortadressen er reservert." in response.text
    assert "Utrede felles legevakt." in response.text
    response = client.post(page, {**data, "slug": "ag-legevakt", "period_end": "2026-06-30"})
    assert response.status_code == 302
    body = Body.objects.get(community=world.community, slug="ag-legevakt")
    assert body.parent == world.council
    edit = url("body_edit", world.community.slug, body.slug)
    response = client.post(edit, {**data, "slug": "ag-legevakt", "period_end": "", "order": "6"})
    assert response.status_code == 302
    body.refresh_from_db()
    assert body.period_end is None
    assert body.order == 6


def test_a_body_cannot_be_its_own_parent_in_the_form(client, world):
    client.force_login(world.secretariat)
    response = client.get(url("body_edit", world.community.slug, world.council.slug))
    assert f'<option value="{world.council.pk}"' not in response.text
    assert f'<option value="{world.other_body.pk}"' not in response.text


def test_an_internal_parent_and_its_members_stay_hidden_from_the_public(client, world):
    council = world.council
    council.parent = world.internal_group
    council.save()
    MembershipFactory(body=world.internal_group, representation="user")
    for page in (
        url("bodies", world.community.slug),
        url("body", world.community.slug, council.slug),
    ):
        assert "Intern arbeidsgruppe" not in client.get(page).text
    public = client.get(url("community", world.community.slug)).context["summary"]
    client.force_login(world.member)
    members = client.get(url("community", world.community.slug)).context["summary"]
    assert members["members"] == public["members"] + 1


def test_ended_seats_are_history(client, world):
    from django.core.exceptions import ValidationError

    from helsefellesskap.organisation import services

    old = MembershipFactory(
        body=world.council,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 12, 31),
    )
    with pytest.raises(ValidationError):
        services.membership_update(actor=world.secretariat, membership=old, end_date=None)
    old.refresh_from_db()
    assert old.end_date == datetime.date(2021, 12, 31)


def test_a_duplicate_email_is_explained_on_the_field(client, world):
    existing = Membership.objects.get(person__user=world.member).person
    client.force_login(world.secretariat)
    response = client.post(
        url("person_create", world.community.slug),
        {"given_name": "Ny", "family_name": "Person", "email": existing.email},
    )
    assert response.status_code == 200
    assert "Det finnes allerede en person med denne e-postadressen." in response.text


def test_a_body_cannot_end_up_under_itself(world):
    from django.core.exceptions import ValidationError

    from .factories import BodyFactory

    child = BodyFactory(community=world.community, parent=world.council)
    world.council.parent = child
    with pytest.raises(ValidationError):
        world.council.full_clean()
