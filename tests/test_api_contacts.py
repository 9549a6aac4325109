"""/api/v1/contacts and /contacts/{id}/relationships: reading, filtering,
paging, writing through the services, and what the API refuses."""

# The fixtures imported from api_fixtures are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relance.accounts.models import Language
from relance.contacts.models import (
    Beat,
    Contact,
    ContactBeat,
    ContactEmail,
    ContactPhone,
    Relationship,
)
from relance.contacts.services.contacts import reindex_ids

from .api_fixtures import api, media, tokens  # noqa: F401

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["last_name"] for c in response.json()["results"]]


def test_a_contact_as_the_api_shows_it(api, media):
    body = api("officer").get(f"/contacts/{media.claire.pk}").json()
    assert body["id"] == media.claire.pk
    assert body["first_name"] == "Claire" and body["last_name"] == "Dubois"
    assert body["outlet_id"] == media.lyon.pk and body["outlet"] == "Le Courrier de Lyon"
    assert body["email"] == "claire.dubois@courrier.example"
    assert body["emails"] == [
        {
            "address": "claire.dubois@courrier.example",
            "label": "",
            "is_primary": True,
            "status": "valid",
        }
    ]
    assert body["email_status"] == "valid"
    assert body["phone"] == "+33612345678"
    assert body["phones"] == [{"number": "+33612345678", "label": "", "is_primary": True}]
    assert sorted(body["beats"]) == ["Écologie", "Énergie"]
    assert body["vip"] is True and body["opted_out"] is False and body["accepts_phone"] is True
    assert body["role"] == "journalist" and body["language"] == "fr"
    assert body["legal_basis"] == "legitimate_interest"
    # ISO-8601 with the offset of the reader's time zone (Europe/Paris).
    created = datetime.fromisoformat(body["created_at"])
    assert created.utcoffset() == created.astimezone(ZoneInfo("Europe/Paris")).utcoffset()
    assert body["created_at"][-6:] in ("+01:00", "+02:00")


def test_show_and_outlet_of_a_contact(api, media):
    body = api().get(f"/contacts/{media.elodie.pk}").json()
    assert body["show_id"] == media.show.pk and body["show"] == "Le 15-18"
    assert body["phone"] == "+15145550134"


def test_list_shape_and_pagination(api, media):
    page1 = api().get("/contacts", page_size=2).json()
    assert page1["count"] == 3 and page1["count_capped"] is False
    assert page1["page"] == 1 and page1["page_size"] == 2
    assert page1["previous"] is None
    assert page1["next"].startswith("http://testserver/api/v1/contacts?")
    assert [c["last_name"] for c in page1["results"]] == ["Dubois", "Lefèvre"]
    page2 = api().get("/contacts", page=2, page_size=2).json()
    assert [c["last_name"] for c in page2["results"]] == ["Tremblay"]
    assert page2["next"] is None and "page=1" in page2["previous"]
    # Past the end: an empty page (a client looping until `next` is null stops).
    assert api().get("/contacts", page=9, page_size=2).json()["results"] == []


def test_next_link_keeps_the_filters(api, media):
    page = api().get("/contacts", page_size=1, search="ecologie").json()
    assert page["count"] == 2
    assert "search=ecologie" in page["next"] and "page=2" in page["next"]


def test_search_ignores_accents_and_case(api, media):
    assert names(api().get("/contacts", search="ecologie")) == ["Dubois", "Lefèvre"]
    assert names(api().get("/contacts", search="ÉCOLO")) == ["Dubois", "Lefèvre"]
    assert names(api().get("/contacts", q="elodie")) == ["Tremblay"]  # `q` works too
    assert names(api().get("/contacts", search="montreal")) == ["Tremblay"]


def test_filters_are_those_of_the_contacts_page(api, media, cast):
    assert names(api().get("/contacts", country="CA")) == ["Tremblay"]
    assert names(api().get("/contacts", role="researcher")) == ["Tremblay"]
    assert names(api().get("/contacts", role=["researcher", "journalist"])) == [
        "Dubois",
        "Lefèvre",
        "Tremblay",
    ]
    assert names(api().get("/contacts", kind="radio")) == ["Tremblay"]
    assert names(api().get("/contacts", periodicity="monthly")) == ["Lefèvre"]
    assert names(api().get("/contacts", beat="energie")) == ["Dubois"]
    assert names(api().get("/contacts", opted_out="yes")) == ["Lefèvre"]
    assert names(api().get("/contacts", opted_out="no", vip="yes")) == ["Dubois"]
    assert names(api().get("/contacts", owner="officer")) == ["Dubois"]
    assert names(api().get("/contacts", outlet=media.lyon.pk)) == ["Dubois"]
    assert names(api().get("/contacts", list=media.static.pk)) == ["Dubois"]
    assert names(api().get("/contacts", sort="-name")) == ["Tremblay", "Lefèvre", "Dubois"]


def test_unknown_filter_values_answer_400_listing_them(api, media):
    response = api().get("/contacts", role=["chef", "journalist"], kind="papier", sort="nope")
    assert response.status_code == 400
    messages = response.json()["errors"]["__all__"]
    assert len(messages) == 3
    assert any("chef" in m for m in messages) and any("papier" in m for m in messages)
    for bad in ({"outlet": "abc"}, {"list": "-1"}, {"outlet": "9" * 30}, {"vip": "maybe"}):
        assert api().get("/contacts", **bad).status_code == 400, bad


def test_create_with_every_field(api, media):
    response = api("intern").post(
        "/contacts",
        {
            "first_name": "Léa",
            "last_name": "Martin",
            "role": "host",
            "title": "Animatrice",
            "outlet_id": media.radio.pk,
            "show_id": media.show.pk,
            "email": "lea.martin@radio.example",
            "emails": [{"address": "lea@perso.example", "label": "perso"}],
            "phone": "438 555 0199",
            "phones": [{"number": "514 555 0134", "label": "bureau"}],
            "beats": ["Musique", "musique", "Cinéma"],
            "language": "fr",
            "social": {"x": "@leamartin", "bluesky": "lea.example"},
            "accepts_phone": False,
            "preferred_channel": "email",
            "best_hours": "9h30-11h30",
            "paused_until": "2026-08-31",
            "do_not_contact": False,
            "vip": True,
            "notes": "Préfère les courriels",
            "legal_basis": "consent",
            "source": "Salon 2026",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "lea.martin@radio.example"
    assert [e["address"] for e in body["emails"]] == [
        "lea.martin@radio.example",
        "lea@perso.example",
    ]
    # Numbers without a prefix are read in the outlet's country (Canada).
    assert body["phone"] == "+14385550199"
    assert body["beats"] == ["Cinéma", "Musique"]
    assert body["best_hours"] == "09:30-11:30"
    assert body["paused_until"] == "2026-08-31"
    assert body["social"] == {"x": "@leamartin", "bluesky": "lea.example"}
    assert Contact.objects.get(pk=body["id"]).created_by.username == "intern"


def test_patch_changes_only_what_is_sent(api, media):
    response = api().patch(f"/contacts/{media.claire.pk}", {"title": "Cheffe", "vip": False})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Cheffe" and body["vip"] is False
    assert body["email"] == "claire.dubois@courrier.example"
    assert sorted(body["beats"]) == ["Écologie", "Énergie"]
    # A new primary e-mail keeps the others.
    body = api().patch(f"/contacts/{media.claire.pk}", {"email": "c.dubois@new.example"}).json()
    assert body["email"] == "c.dubois@new.example"
    assert len(body["emails"]) == 2


def test_delete(api, media):
    assert api("officer").delete(f"/contacts/{media.claire.pk}").status_code == 204
    assert not Contact.objects.filter(pk=media.claire.pk).exists()
    assert api("officer").get(f"/contacts/{media.claire.pk}").status_code == 404


INVALID_CONTACTS = [
    ({"last_name": "X", "email": "pas-une-adresse"}, "email"),
    ({"last_name": "X", "emails": [{"address": "a@"}]}, "emails"),
    ({"last_name": "X", "phone": "12"}, "phone"),
    ({"last_name": "X", "role": "chef"}, "role"),
    ({"last_name": "X", "language": "de"}, "language"),
    ({"last_name": "X", "outlet_id": 999999}, "outlet_id"),
    ({"last_name": "X", "show_id": 999999}, "show_id"),
    ({"last_name": "X", "best_hours": "tard"}, "best_hours"),
    ({"last_name": "X", "social": {"myspace": "x"}}, "social"),
    ({"last_name": "X", "paused_until": "demain"}, "paused_until"),
    ({"last_name": "X", "preferred_channel": "pigeon"}, "preferred_channel"),
    ({"first_name": "", "last_name": ""}, "last_name"),
    ({"last_name": "X", "colour": "red"}, "colour"),
    ({"last_name": "X", "vip": "maybe"}, "vip"),
    ({"last_name": "X", "accepts_phone": None}, "accepts_phone"),
    ({"last_name": "X", "outlet_id": "abc"}, "outlet_id"),
    ({"last_name": "X", "beats": "Culture"}, "beats"),
    ({"last_name": "X", "emails": [{"address": "a" * 250 + "@x.example"}]}, "emails.0.address"),
    ({"last_name": "X" * 101}, "last_name"),
]


def test_invalid_writes_answer_400_naming_the_field(api, media):
    for body, field in INVALID_CONTACTS:
        for response in (
            api().post("/contacts", body),
            api().patch(f"/contacts/{media.claire.pk}", body),
        ):
            assert response.status_code == 400, (body, response.content)
            data = response.json()
            assert data["detail"]
            assert field in data["errors"], (body, data)
            assert all(isinstance(m, str) and m for m in data["errors"][field])
    assert Contact.objects.count() == 3  # nothing written
    media.claire.refresh_from_db()
    assert media.claire.last_name == "Dubois"


def test_show_of_another_outlet_is_refused(api, media):
    response = api().post(
        "/contacts", {"last_name": "X", "outlet_id": media.lyon.pk, "show_id": media.show.pk}
    )
    assert response.status_code == 400
    assert "another outlet" in response.json()["errors"]["show_id"][0]


def test_messages_come_in_the_users_language(api, media, cast):
    cast["manager"].language = Language.FR
    cast["manager"].save()
    response = api("manager").post("/contacts", {"last_name": "X", "email": "non"})
    assert response.status_code == 400
    assert response["Content-Language"] == "fr"
    assert api("officer").post("/contacts", {"last_name": "X"}).get("Content-Language") == "en"


def test_an_opt_out_made_by_the_journalist_cannot_be_cleared(api, media):
    response = api("director").patch(f"/contacts/{media.marc.pk}", {"opted_out": False})
    assert response.status_code == 400
    assert "unsubscribed themselves" in response.json()["errors"]["opted_out"][0]
    media.marc.refresh_from_db()
    assert media.marc.opted_out is True


def test_an_agency_opt_out_can_be_lifted(api, media):
    assert api().patch(f"/contacts/{media.claire.pk}", {"opted_out": True}).json()["opted_out"]
    body = api().patch(f"/contacts/{media.claire.pk}", {"opted_out": False}).json()
    assert body["opted_out"] is False


def test_missing_contacts_are_404(api, media):
    for path in ("/contacts/999999", "/contacts/0", f"/contacts/{2**63}", f"/contacts/{10**30}"):
        assert api().get(path).status_code == 404, path
        assert api().patch(path, {"title": "x"}).status_code == 404, path
        assert api().delete(path).status_code == 404, path
        assert api().get(path + "/relationships").status_code == 404, path


def test_erased_contacts_are_not_visible(api, media):
    Contact.objects.filter(pk=media.elodie.pk).update(erased_at="2026-01-01T00:00:00Z")
    assert api().get(f"/contacts/{media.elodie.pk}").status_code == 404
    assert "Tremblay" not in names(api().get("/contacts"))


# --- Relationships -------------------------------------------------------------


def test_relationships_crud(api, media):
    path = f"/contacts/{media.claire.pk}/relationships"
    listed = api().get(path).json()
    assert listed["count"] == 1
    (rel,) = listed["results"]
    assert rel["user"] == "officer" and rel["strength"] == 3 and rel["notes"] == "Déjeuner en mai"
    response = api().post(path, {"user": "manager", "strength": 2, "notes": "Ancien collègue"})
    assert response.status_code == 201
    assert response.json() == {**response.json(), "user": "manager", "strength": 2}
    assert api().put(path, {"user": "manager", "strength": 1}).status_code == 200
    assert Relationship.objects.get(contact=media.claire, user__username="manager").strength == 1
    assert api().delete(f"{path}/manager").status_code == 204
    assert api().delete(f"{path}/manager").status_code == 404
    assert api().delete(f"{path}/nobody").status_code == 404


INVALID_RELATIONSHIPS = [
    ({"user": "manager", "strength": 7}, "strength"),
    ({"user": "manager", "strength": -1}, "strength"),
    ({"user": "manager", "strength": "fort"}, "strength"),
    ({"user": "nobody", "strength": 2}, "user"),
    ({"user": "viewer", "strength": 2}, "user"),  # client viewers are not the team
    ({"user": "outsider", "strength": 2}, "user"),  # deactivated
    ({"strength": 2}, "user"),
    ({"user": "manager"}, "strength"),
]


def test_invalid_relationships_are_400(api, media):
    for body, field in INVALID_RELATIONSHIPS:
        response = api().post(f"/contacts/{media.claire.pk}/relationships", body)
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["errors"], body
    assert Relationship.objects.count() == 1


# --- Query count ----------------------------------------------------------------


def _many_contacts(cast, media, n: int) -> None:
    beat = Beat.objects.create(name="Énergie solaire", key="energie solaire")
    contacts = Contact.objects.bulk_create(
        Contact(first_name=f"P{i}", last_name=f"Nom{i:03}", outlet=media.lyon) for i in range(n)
    )
    ContactEmail.objects.bulk_create(
        ContactEmail(contact=c, address=f"p{c.pk}@x.example", is_primary=True) for c in contacts
    )
    ContactPhone.objects.bulk_create(
        ContactPhone(contact=c, number=f"+336123{c.pk:05}", is_primary=True) for c in contacts
    )
    ContactBeat.objects.bulk_create(ContactBeat(contact=c, beat=beat) for c in contacts)
    Relationship.objects.bulk_create(
        Relationship(contact=c, user=cast["manager"], strength=2) for c in contacts
    )
    reindex_ids([c.pk for c in contacts])  # filters read the full-text index


def test_contacts_list_makes_a_fixed_number_of_queries(api, media, cast):
    _many_contacts(cast, media, 120)
    client = api("manager")
    client.get("/contacts", page_size=1)  # the token's last_used_at is written once
    counts = {}
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/contacts", page_size=size)
        assert len(response.json()["results"]) == size
        counts[size] = len(queries)
    assert counts[10] == counts[100]
    assert counts[10] <= 10, counts


def test_list_members_makes_a_fixed_number_of_queries(api, media, cast):
    _many_contacts(cast, media, 60)
    client = api("manager")
    smart = client.post(
        "/lists", {"name": "Lyon", "kind": "smart", "filters": {"outlet": str(media.lyon.pk)}}
    ).json()
    client.get("/contacts", page_size=1)
    counts = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/lists/{smart['id']}/contacts", page_size=size)
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
