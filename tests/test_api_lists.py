"""/api/v1/lists: static lists, saved searches and their members."""

# The fixtures imported from api_fixtures are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

import pytest

from relance.contacts.models import MediaList, MediaListMember

from .api_fixtures import api, media, tokens  # noqa: F401

pytestmark = pytest.mark.django_db


def members(api, list_id: int, **params) -> list[str]:
    response = api().get(f"/lists/{list_id}/contacts", **params)
    assert response.status_code == 200, response.content
    return [c["last_name"] for c in response.json()["results"]]


def test_lists_as_the_api_shows_them(api, media):
    listed = api().get("/lists").json()
    assert [ml["name"] for ml in listed["results"]] == ["Radios", "Énergie Rhône"]
    static = api().get(f"/lists/{media.static.pk}").json()
    assert static == {
        **static,
        "kind": "static",
        "members_count": 1,
        "created_by": "director",
        "filters": {},
        "client_id": None,
    }
    smart = api().get(f"/lists/{media.smart.pk}").json()
    assert smart == {
        **smart,
        "kind": "smart",
        "members_count": None,
        "filters": {"kind": ["radio"]},
    }
    assert [ml["name"] for ml in api().get("/lists", kind="smart").json()["results"]] == ["Radios"]
    assert api().get("/lists", search="rhône").json()["count"] == 1


def test_static_list_members(api, media):
    path = f"/lists/{media.static.pk}/members"
    assert members(api, media.static.pk) == ["Dubois"]
    response = api("intern").post(path, {"contact_ids": [media.elodie.pk, media.claire.pk]})
    assert response.status_code == 200
    assert response.json() == {"count": 1}  # Claire was already in
    assert members(api, media.static.pk) == ["Dubois", "Tremblay"]
    response = api("intern").delete(path, {"contact_ids": [media.claire.pk]})
    assert response.json() == {"count": 1}
    assert members(api, media.static.pk) == ["Tremblay"]
    # Unknown ids are ignored, not errors: the list holds what exists.
    assert api().post(path, {"contact_ids": [999999]}).json() == {"count": 0}


def test_adding_every_result_of_a_search(api, media):
    path = f"/lists/{media.static.pk}/members"
    response = api().post(path, {"filters": {"search": "ecologie"}})
    assert response.status_code == 200, response.content
    assert response.json() == {"count": 1}  # Marc; Claire was a member already
    assert members(api, media.static.pk) == ["Dubois", "Lefèvre"]
    assert api().post(path, {"filters": {"role": ["researcher"]}}).json() == {"count": 1}
    response = api().post(path, {"filters": {"role": "chef"}})
    assert response.status_code == 400 and "chef" in response.json()["errors"]["__all__"][0]
    assert api().post(path, {"filters": {}}).status_code == 400


def test_smart_lists_are_re_evaluated(api, media):
    assert members(api, media.smart.pk) == ["Tremblay"]
    api().post("/contacts", {"last_name": "Nouvel", "outlet_id": media.radio.pk})
    assert members(api, media.smart.pk) == ["Nouvel", "Tremblay"]
    response = api().post(f"/lists/{media.smart.pk}/members", {"contact_ids": [media.claire.pk]})
    assert response.status_code == 400  # a saved search has no fixed members


def test_list_crud(api, media):
    response = api("cm").post(
        "/lists",
        {
            "name": "Journalistes énergie",
            "kind": "smart",
            "description": "Pour Éolia",
            "filters": {"search": "énergie", "role": ["journalist"]},
            "client_id": media.client.pk,
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["filters"] == {"q": "énergie", "role": ["journalist"]}
    assert created["client_id"] == media.client.pk
    assert members(api, created["id"]) == ["Dubois"]
    path = f"/lists/{created['id']}"
    patched = api("cm").patch(path, {"filters": {"beat": ["Culture"]}, "client_id": None})
    assert patched.status_code == 200, patched.content
    assert (
        patched.json()["filters"] == {"beat": ["Culture"]} and patched.json()["client_id"] is None
    )
    assert members(api, created["id"]) == ["Tremblay"]
    assert api("cm").delete(path).status_code == 204
    assert not MediaList.objects.filter(pk=created["id"]).exists()
    assert api().get(path).status_code == 404


def test_deleting_a_list_keeps_its_contacts(api, media):
    assert api().delete(f"/lists/{media.static.pk}").status_code == 204
    assert not MediaListMember.objects.exists()
    assert api().get(f"/contacts/{media.claire.pk}").status_code == 200


INVALID_LISTS = [
    ({"name": ""}, "name"),
    ({"name": "Énergie Rhône"}, "name"),  # another list has this name
    ({"name": "X", "kind": "dynamic"}, "kind"),
    ({"name": "X", "kind": "smart"}, "filters"),  # a saved search needs a filter
    ({"name": "X", "kind": "smart", "filters": {"role": "chef"}}, "filters"),
    ({"name": "X", "filters": {"role": 3}}, "filters"),
    ({"name": "X", "filters": {"role": ["a", None]}}, "filters"),
    ({"name": "X", "filters": "journalist"}, "filters"),
    ({"name": "X", "client_id": 999999}, "client_id"),
]


def test_invalid_lists_are_400(api, media):
    for body, field in INVALID_LISTS:
        response = api().post("/lists", body)
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["errors"], (body, response.json())
    assert MediaList.objects.count() == 2
    response = api().patch(f"/lists/{media.static.pk}", {"kind": "smart"})
    assert response.status_code == 400 and "kind" in response.json()["errors"]
    response = api().patch(f"/lists/{media.static.pk}", {"name": "Radios"})
    assert response.status_code == 400 and "name" in response.json()["errors"]
