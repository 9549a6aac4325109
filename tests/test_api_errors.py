"""What the API answers to bad input and bad credentials: JSON errors with
the right status, never a 500; and its OpenAPI description."""

# The fixtures imported from api_fixtures are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from relance.accounts.models import ApiToken
from relance.contacts.models import Contact

from .api_fixtures import Api, api, media, tokens  # noqa: F401

pytestmark = pytest.mark.django_db


def test_openapi_lists_every_resource(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Relance API" and schema["info"]["version"] == "1"
    assert schema["info"]["description"]
    assert set(schema["paths"]) == {
        "/api/v1/" + p
        for p in (
            "outlets",
            "outlets/{id}",
            "shows",
            "shows/{id}",
            "contacts",
            "contacts/{id}",
            "contacts/{id}/relationships",
            "contacts/{id}/relationships/{username}",
            "lists",
            "lists/{id}",
            "lists/{id}/contacts",
            "lists/{id}/members",
            "clients",
            "clients/{id}",
            "users",
            "users/{username}",
            "campaigns",
            "campaigns/{id}",
            "campaigns/{id}/recipients",
            "campaigns/{id}/recipients/{contact_id}",
            "campaigns/{id}/followups",
            "interactions",
            "interactions/{id}",
            "coverage",
            "coverage/{id}",
            "coverage/{id}/review",
        )
    }
    contact = schema["components"]["schemas"]["ContactOut"]["properties"]
    for name in (
        "first_name",
        "outlet_id",
        "email",
        "emails",
        "phone",
        "beats",
        "opted_out",
        "email_status",
        "paused_until",
        "created_at",
    ):
        assert name in contact
    security = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in security.values())
    assert client.get("/api/v1/docs").status_code == 200


# --- Authentication ---------------------------------------------------------


def test_without_token_401_with_a_hint(media):
    response = Api().get("/contacts")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_bad_credentials_are_401(media):
    for header in (
        "Bearer nope",
        "Bearer ",
        "Bearer rl_" + "x" * 500,
        "Token abc",
        "Basic Zm9vOmJhcg==",
        "Bearer \u00e9t\u00e9",
    ):
        response = Api().http.get("/api/v1/contacts", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json()["detail"]


def test_revoked_and_deactivated_tokens_are_401(api, media, cast, tokens):
    assert Api(tokens["revoked"]).get("/outlets").status_code == 401
    assert Api(tokens["inactive"]).get("/outlets").status_code == 401
    cast["cm"].is_active = False
    cast["cm"].save()
    assert api("cm").get("/outlets").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(api, media, cast):
    row, token = ApiToken.issue(cast["officer"], "cli")
    assert row.last_used_at is None
    Api(token).get("/outlets")
    first = ApiToken.objects.get(pk=row.pk).last_used_at
    assert first is not None
    Api(token).get("/outlets")
    assert ApiToken.objects.get(pk=row.pk).last_used_at == first
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=first - timedelta(minutes=5))
    Api(token).get("/outlets")
    assert ApiToken.objects.get(pk=row.pk).last_used_at > first - timedelta(seconds=1)


def test_a_signed_in_browser_can_read_and_must_send_csrf_to_write(login, media):
    browser = login("officer")
    assert browser.get("/api/v1/outlets").status_code == 200
    browser_csrf = Api(http=type(browser)(enforce_csrf_checks=True))
    browser_csrf.http.force_login(media.claire.created_by)  # the director
    response = browser_csrf.post("/outlets", {"name": "Sans jeton"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# --- Bad input: 400, never 500 --------------------------------------------------


def test_malformed_json_is_400(api, media):
    for raw in (b"{", b"not json", b"\xff\xfe", b"{'single': 'quotes'}", b"[" * 100000):
        response = api().send("POST", "/contacts", raw=raw)
        assert response.status_code == 400, raw[:20]
        assert response.json()["errors"]["__all__"]


def test_a_body_that_is_not_an_object_is_400(api, media):
    for body in ([1, 2], "text", 42, None, True, [], {"": 1}):
        raw = json.dumps(body).encode()
        for method, path in (
            ("POST", "/contacts"),
            ("PATCH", f"/contacts/{media.claire.pk}"),
            ("POST", f"/lists/{media.static.pk}/members"),
        ):
            response = api().send(method, path, raw=raw)
            assert response.status_code == 400, (method, path, body, response.content)
            assert response.json()["detail"]


def test_an_empty_body_is_400(api, media):
    response = api().send("POST", "/outlets", raw=b"")
    assert response.status_code == 400
    assert response.json()["errors"] == {"__all__": ["Send a JSON object in the request body."]}


def test_missing_and_mistyped_fields_name_the_field(api, media):
    response = api().post("/outlets", {"kind": "print"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["This field is required."]}
    response = api().post(
        "/outlets",
        {"name": "X", "audience": "beaucoup", "tier": 9, "feed_urls": "http://x", "unknown": 1},
    )
    errors = response.json()["errors"]
    assert set(errors) == {"audience", "tier", "feed_urls", "unknown"}
    assert errors["unknown"] == ["Unknown field."]
    assert errors["audience"] == ["Expected a whole number."]


# Wrong types and sizes, sent to every field at once (the request validation
# reports them together)…
FUZZ_VALUES = [
    None,
    True,
    -1,
    0,
    2**63,
    10**40,
    1.5,
    "",
    "x" * 5000,
    "\x00",
    "a\x00b",
    "\ud800",
    [],
    {},
    [None],
    {"a": None},
    "é" * 300,
    " Ⅻ𝔘😀\t ",
]
# …then, field by field, values of the right type that the database or the
# services could still choke on (column lengths, integer ranges).
EXTREMES = {
    "string": ["x" * 5000],
    "integer": [2**62],
    "array": [["x" * 5000]],
    "object": [{"x" * 300: "y" * 5000}],
}


def _field_types(schema: dict, name: str) -> dict[str, str]:
    types = {}
    for field, spec in schema[name]["properties"].items():
        options = spec.get("anyOf", [spec])
        kinds = [o.get("type") or ("string" if "$ref" in o else None) for o in options]
        types[field] = next((k for k in kinds if k and k != "null"), "string")
    return types


def _fuzz(client: Api, method: str, path: str, types: dict[str, str], ok: int) -> None:
    for value in FUZZ_VALUES:
        response = client.send(method, path, {field: value for field in types})
        assert response.status_code == 400, (path, value, response.content)
    for field, kind in types.items():
        for value in EXTREMES.get(kind, []):
            response = client.send(method, path, {field: value})
            assert response.status_code in (ok, 400), (path, field, response.content)


RESOURCES = {
    "outlets": "Outlet",
    "shows": "Show",
    "contacts": "Contact",
    "lists": "List",
    "clients": "Client",
    "users": "User",
}


def test_fuzzed_writes_never_500(api, media):
    schema = Api().http.get("/api/v1/openapi.json").json()["components"]["schemas"]
    client = api()
    targets = {
        "outlets": f"/outlets/{media.lyon.pk}",
        "shows": f"/shows/{media.show.pk}",
        "contacts": f"/contacts/{media.claire.pk}",
        "lists": f"/lists/{media.static.pk}",
        "clients": f"/clients/{media.client.pk}",
        "users": "/users/officer",
    }
    for resource, name in RESOURCES.items():
        _fuzz(client, "POST", f"/{resource}", _field_types(schema, name + "In"), 201)
        _fuzz(client, "PATCH", targets[resource], _field_types(schema, name + "Patch"), 200)


def test_fuzzed_query_strings_never_500(api, media):
    client = api()
    values = ["", "abc", "-1", "0", str(2**63), "9" * 40, "\x00", "%", "'", "1.5", "é" * 300]
    filters = [
        "search",
        "q",
        "role",
        "kind",
        "periodicity",
        "country",
        "region",
        "language",
        "beat",
        "owner",
        "opted_out",
        "outlet",
        "list",
        "vip",
        "sort",
        "outlet_id",
        "client_id",
        "is_active",
    ]
    paths = (
        "/contacts",
        "/outlets",
        "/shows",
        "/lists",
        "/clients",
        "/users",
        f"/lists/{media.smart.pk}/contacts",
        f"/contacts/{media.claire.pk}/relationships",
    )
    for path in paths:
        for value in values:
            for params in ({"page": value, "page_size": value}, dict.fromkeys(filters, value)):
                response = client.get(path, **params)
                assert response.status_code in (200, 400), (path, value, response.content)
    # One at a time too on the contact search, where one bad value among good
    # ones reaches the deepest code.
    for param in filters:
        for value in ("9" * 40, "\x00", "-1"):
            response = client.get("/contacts", **{param: value})
            assert response.status_code in (200, 400), (param, value, response.content)


def test_fuzzed_ids_in_paths_never_500(api, media):
    client = api()
    for bad in ("abc", "-1", "0", str(2**63), "9" * 40, "1.5", "%00", "%20"):
        for path in (
            f"/contacts/{bad}",
            f"/outlets/{bad}",
            f"/shows/{bad}",
            f"/lists/{bad}",
            f"/clients/{bad}",
            f"/users/{bad}",
            f"/lists/{bad}/contacts",
            f"/contacts/{media.claire.pk}/relationships/{bad}",
        ):
            for method in ("GET", "PATCH", "DELETE"):
                response = client.send(method, path, {})
                assert response.status_code in (400, 404, 405), (method, path, response.content)
    assert Contact.objects.filter(pk=media.claire.pk).exists()


def test_bad_member_lists_are_400(api, media):
    path = f"/lists/{media.static.pk}/members"
    for body in (
        {"contact_ids": ["a"]},
        {"contact_ids": [2**63]},
        {"contact_ids": "1,2"},
        {"contact_ids": list(range(1, 10_002))},
        {},
        {"contact_ids": [1], "filters": {}},
        {"filters": {"role": 5}},
        {"filters": {"role": "chef"}},
        {"filters": {}},
    ):
        response = api().post(path, body)
        assert response.status_code == 400, (str(body)[:60], response.content)


def test_timestamps_carry_an_offset(api, media):
    created = api().get(f"/outlets/{media.lyon.pk}").json()["created_at"]
    parsed = timezone.datetime.fromisoformat(created)
    assert parsed.utcoffset() is not None
