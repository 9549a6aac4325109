"""/api/v1/outlets and /api/v1/shows."""

# The fixtures imported from api_fixtures are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

import pytest

from relance.audit.models import AuditEntry
from relance.contacts.models import Contact, Outlet, Show

from .api_fixtures import api, media, tokens  # noqa: F401

pytestmark = pytest.mark.django_db


def outlet_names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [o["name"] for o in response.json()["results"]]


def test_outlet_as_the_api_shows_it(api, media):
    body = api("intern").get(f"/outlets/{media.mag.pk}").json()
    assert body == {
        **body,
        "id": media.mag.pk,
        "name": "Terre Vivante Mag",
        "kind": "print",
        "periodicity": "monthly",
        "language": "fr",
        "country": "FR",
        "timezone": "Europe/Paris",
        "tier": 2,
        "lead_time_days": 45,
        "closing_weekday": None,
        "feed_urls": [],
    }


def test_outlet_filters_and_accent_insensitive_search(api, media):
    assert outlet_names(api().get("/outlets")) == [
        "Le Courrier de Lyon",
        "Radio Montréal",
        "Terre Vivante Mag",
    ]
    assert outlet_names(api().get("/outlets", search="montreal")) == ["Radio Montréal"]
    assert outlet_names(api().get("/outlets", search="MONTRÉ")) == ["Radio Montréal"]
    assert outlet_names(api().get("/outlets", q="lyon")) == ["Le Courrier de Lyon"]
    assert outlet_names(api().get("/outlets", kind="radio")) == ["Radio Montréal"]
    assert outlet_names(api().get("/outlets", kind=["radio", "print"], country="fr")) == [
        "Le Courrier de Lyon",
        "Terre Vivante Mag",
    ]
    assert outlet_names(api().get("/outlets", periodicity="monthly")) == ["Terre Vivante Mag"]
    assert outlet_names(api().get("/outlets", region="qc")) == ["Radio Montréal"]
    assert outlet_names(api().get("/outlets", language="fr", page_size=1)) == [
        "Le Courrier de Lyon"
    ]
    assert api().get("/outlets", kind="papier").status_code == 400
    assert api().get("/outlets", language="de").status_code == 400


def test_outlet_crud(api, media):
    response = api("cm").post(
        "/outlets",
        {
            "name": "Le Devoir",
            "kind": "print",
            "periodicity": "daily",
            "country": "CA",
            "region": "QC",
            "city": "Montréal",
            "audience": 350000,
            "tier": 1,
            "closing_weekday": 4,
            "website": "https://www.ledevoir.example",
            "feed_urls": ["https://www.ledevoir.example/rss"],
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["timezone"] == "America/Montreal"  # from the country
    assert created["tier"] == 1 and created["closing_weekday"] == 4
    path = f"/outlets/{created['id']}"
    patched = api("cm").patch(path, {"audience": 360000, "notes": "Cahier Culture le samedi"})
    assert patched.status_code == 200
    assert patched.json()["audience"] == 360000 and patched.json()["name"] == "Le Devoir"
    assert AuditEntry.objects.filter(target_type="outlet", action="update").exists()
    assert api("cm").delete(path).status_code == 403  # community managers do not delete
    assert api("officer").delete(path).status_code == 204
    assert api().get(path).status_code == 404


def test_renaming_an_outlet_through_the_api_updates_contact_search(api, media):
    api().patch(f"/outlets/{media.lyon.pk}", {"name": "Le Progrès"})
    found = api().get("/contacts", search="progres").json()["results"]
    assert [c["last_name"] for c in found] == ["Dubois"]
    assert found[0]["outlet"] == "Le Progrès"


def test_deleting_an_outlet_keeps_its_contacts(api, media):
    assert api().delete(f"/outlets/{media.lyon.pk}").status_code == 204
    assert Contact.objects.get(pk=media.claire.pk).outlet_id is None


INVALID_OUTLETS = [
    ({"name": ""}, "name"),
    ({"name": "X", "kind": "journal"}, "kind"),
    ({"name": "X", "periodicity": "hebdo"}, "periodicity"),
    ({"name": "X", "country": "France"}, "country"),
    ({"name": "X", "timezone": "Mars/Olympus"}, "timezone"),
    ({"name": "X", "closing_weekday": 7}, "closing_weekday"),
    ({"name": "X", "lead_time_days": 400}, "lead_time_days"),
    ({"name": "X", "website": "ftp://x.example"}, "website"),
    ({"name": "X", "website": "https://x.example/" + "a" * 200}, "website"),
    ({"name": "X", "feed_urls": ["pas une url"]}, "feed_urls"),
    ({"name": "X", "audience": -5}, "audience"),
]


def test_invalid_outlets_are_400(api, media):
    for body, field in INVALID_OUTLETS:
        for response in (
            api().post("/outlets", body),
            api().patch(f"/outlets/{media.lyon.pk}", body),
        ):
            assert response.status_code == 400, (body, response.content)
            assert field in response.json()["errors"], body
    assert Outlet.objects.count() == 3
    assert Outlet.objects.get(pk=media.lyon.pk).name == "Le Courrier de Lyon"


def test_shows(api, media):
    listed = api().get("/shows", outlet_id=media.radio.pk).json()
    assert [s["name"] for s in listed["results"]] == ["Le 15-18"]
    assert listed["results"][0] == {
        **listed["results"][0],
        "outlet": "Radio Montréal",
        "air_days": [0, 1, 2, 3, 4],
        "air_start": "15:00:00",
        "air_end": "18:00:00",
    }
    assert api().get("/shows", search="15").json()["count"] == 1
    assert api().get("/shows", outlet_id=media.lyon.pk).json()["count"] == 0
    response = api("intern").post(
        "/shows",
        {
            "outlet_id": media.radio.pk,
            "name": "La Matinale",
            "air_days": [0, 1, 2, 3, 4],
            "air_start": "06:00",
            "air_end": "09:00",
        },
    )
    assert response.status_code == 201, response.content
    show = response.json()
    assert show["outlet_id"] == media.radio.pk and show["air_start"] == "06:00:00"
    path = f"/shows/{show['id']}"
    assert (
        api("intern").patch(path, {"schedule_notes": "Direct"}).json()["schedule_notes"] == "Direct"
    )
    assert api("intern").delete(path).status_code == 403
    assert api("manager").delete(path).status_code == 204
    assert not Show.objects.filter(pk=show["id"]).exists()


INVALID_SHOWS = [
    ({"name": "X"}, "outlet_id"),
    ({"outlet_id": 999999, "name": "X"}, "outlet_id"),
    ({"outlet_id": "radio", "name": "X"}, "outlet_id"),
    ({"outlet_id": 1, "name": ""}, "name"),
    ({"outlet_id": 1, "name": "Le 15-18"}, "name"),  # duplicate in the outlet
    ({"outlet_id": 1, "name": "X", "air_days": [9]}, "air_days"),
    ({"outlet_id": 1, "name": "X", "air_start": "midi"}, "air_start"),
    ({"outlet_id": 1, "name": "X", "air_start": "10:00", "air_end": "09:00"}, "air_end"),
]


def test_invalid_shows_are_400(api, media):
    for body, field in INVALID_SHOWS:
        if body.get("outlet_id") == 1:
            body = {**body, "outlet_id": media.radio.pk}
        response = api().post("/shows", body)
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["errors"], body
    assert Show.objects.count() == 1


def test_a_show_does_not_move_to_another_outlet(api, media):
    response = api().patch(f"/shows/{media.show.pk}", {"outlet_id": media.lyon.pk})
    assert response.status_code == 400
    assert "outlet_id" in response.json()["errors"]
    same = api().patch(f"/shows/{media.show.pk}", {"outlet_id": media.radio.pk, "name": "Le 16-19"})
    assert same.status_code == 200 and same.json()["name"] == "Le 16-19"
