"""/api/v1/users, /api/v1/clients and `relance create-api-token`."""

# The fixtures imported from api_fixtures are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from relance import cli
from relance.accounts.models import ApiToken, Client, User
from relance.audit.models import AuditEntry

from .api_fixtures import Api, api, media, tokens  # noqa: F401

pytestmark = pytest.mark.django_db


# --- Users ------------------------------------------------------------------


def test_users_as_the_api_shows_them(api, cast):
    listed = api("intern").get("/users").json()
    assert [u["username"] for u in listed["results"]] == [
        "cm",
        "director",
        "intern",
        "manager",
        "officer",
        "outsider",
        "viewer",
    ]
    officer = api("intern").get("/users/officer").json()
    assert officer == {
        **officer,
        "username": "officer",
        "role": "press_officer",
        "daily_call_capacity": 25,
        "first_name": "Officer",
        "email": "officer@agency.example",
        "language": "en",
        "is_active": True,
        "client_id": None,
    }
    assert "password" not in officer
    assert api().get("/users/viewer").json()["client_id"] == cast["viewer"].client_id
    assert [u["username"] for u in api().get("/users", role="intern").json()["results"]] == [
        "intern"
    ]
    assert api().get("/users", is_active="false").json()["results"][0]["username"] == "outsider"
    assert api().get("/users", search="MANAG").json()["count"] == 1
    assert api().get("/users/nobody").status_code == 404


def test_director_creates_a_user_without_password(api):
    response = api().post(
        "/users",
        {
            "username": "lea",
            "role": "press_officer",
            "first_name": "Léa",
            "email": "lea@agency.example",
            "daily_call_capacity": 30,
            "language": "fr",
            "phone": "06 12 34 56 78",
        },
    )
    assert response.status_code == 201, response.content
    lea = User.objects.get(username="lea")
    assert not lea.has_usable_password()  # she sets it through "forgot your password"
    assert lea.phone == "+33612345678" and lea.daily_call_capacity == 30
    assert AuditEntry.objects.filter(action="create", target_type="user").exists()


def test_director_creates_a_user_with_a_password_and_a_client_viewer(api, media):
    response = api().post(
        "/users", {"username": "paul", "role": "manager", "password": "un-long-mot-de-passe-2026"}
    )
    assert response.status_code == 201
    assert User.objects.get(username="paul").check_password("un-long-mot-de-passe-2026")
    response = api().post(
        "/users",
        {"username": "client2", "role": "client_viewer", "client_id": media.other_client.pk},
    )
    assert response.status_code == 201 and response.json()["client_id"] == media.other_client.pk


INVALID_USERS = [
    ({"username": "x", "role": "chef"}, "role"),
    ({"username": "", "role": "intern"}, "username"),
    ({"username": "avec espace", "role": "intern"}, "username"),
    ({"username": "OFFICER", "role": "intern"}, "username"),  # taken, whatever the case
    ({"username": "x", "role": "intern", "email": "pas-une-adresse"}, "email"),
    ({"username": "x", "role": "intern", "daily_call_capacity": 500}, "daily_call_capacity"),
    ({"username": "x", "role": "intern", "language": "de"}, "language"),
    ({"username": "x", "role": "intern", "time_zone": "Mars/Olympus"}, "time_zone"),
    ({"username": "x", "role": "intern", "phone": "12"}, "phone"),
    ({"username": "x", "role": "intern", "password": "123"}, "password"),
    ({"username": "x", "role": "client_viewer"}, "client_id"),
    ({"username": "x", "role": "client_viewer", "client_id": 999999}, "client_id"),
    ({"username": "x", "role": "intern", "client_id": 1}, "client_id"),
    ({"username": "x"}, "role"),
    ({"username": "x", "role": "intern", "is_superuser": True}, "is_superuser"),
]


def test_invalid_users_are_400(api, media):
    for body, field in INVALID_USERS:
        if body.get("client_id") == 1:
            body = {**body, "client_id": media.client.pk}
        response = api().post("/users", body)
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["errors"], (body, response.json())
    assert not User.objects.filter(username="x").exists()


def test_update_and_deactivate_a_user(api, cast, tokens):
    response = api().patch("/users/officer", {"role": "manager", "daily_call_capacity": 10})
    assert response.status_code == 200
    assert response.json()["role"] == "manager" and response.json()["daily_call_capacity"] == 10
    response = api().patch("/users/officer", {"password": "nouveau-mot-de-passe-2026"})
    assert response.status_code == 200
    assert User.objects.get(username="officer").check_password("nouveau-mot-de-passe-2026")
    entry = AuditEntry.objects.filter(target_type="user", action="update").first()
    assert "nouveau" not in str(entry.changes)
    # Leaving: the account and its tokens stop working, the row stays.
    assert api().delete("/users/officer").status_code == 204
    assert User.objects.get(username="officer").is_active is False
    assert Api(tokens["officer"]).get("/outlets").status_code == 401
    assert api().patch("/users/officer", {"is_active": True}).json()["is_active"] is True


def test_the_agency_keeps_an_active_director(api, cast):
    response = api().patch("/users/director", {"role": "manager"})
    assert response.status_code == 400 and "role" in response.json()["errors"]
    response = api().delete("/users/director")
    assert response.status_code == 400
    api().post("/users", {"username": "boss2", "role": "director"})
    assert api().patch("/users/director", {"role": "manager"}).status_code == 200


def test_nobody_deactivates_themselves(api, cast):
    api().post("/users", {"username": "boss2", "role": "director"})
    response = api().delete("/users/director")
    assert response.status_code == 400 and "is_active" in response.json()["errors"]


def test_a_viewer_promoted_to_the_team_leaves_the_client(api, cast):
    body = api().patch("/users/viewer", {"role": "press_officer"}).json()
    assert body["role"] == "press_officer" and body["client_id"] is None


# --- Clients ----------------------------------------------------------------


def test_clients_crud(api, media):
    listed = api("intern").get("/clients").json()
    assert [c["name"] for c in listed["results"]] == ["Autre Client", "Éolia Énergies"]
    assert api().get("/clients", search="éolia").json()["count"] == 1
    response = api("manager").post(
        "/clients",
        {
            "name": "Brasserie du Nord",
            "language": "fr",
            "website": "https://brasserie.example",
            "description": "Bières artisanales",
            "primary_color": "#aa3300",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    path = f"/clients/{created['id']}"
    assert api("manager").patch(path, {"language": "en"}).json()["language"] == "en"
    assert api("manager").delete(path).status_code == 204
    assert not Client.objects.filter(pk=created["id"]).exists()


def test_a_client_viewer_sees_only_their_client(api, media):
    listed = api("viewer").get("/clients").json()
    assert [c["name"] for c in listed["results"]] == ["Éolia Énergies"]
    assert api("viewer").get(f"/clients/{media.client.pk}").status_code == 200
    assert api("viewer").get(f"/clients/{media.other_client.pk}").status_code == 404
    assert api("viewer").patch(f"/clients/{media.client.pk}", {"name": "X"}).status_code == 403


INVALID_CLIENTS = [
    ({"name": ""}, "name"),
    ({"name": "ÉOLIA énergies"}, "name"),  # the same client, typed otherwise
    ({"name": "X", "language": "de"}, "language"),
    ({"name": "X", "website": "pas une url"}, "website"),
    ({"name": "X", "primary_color": "rouge"}, "primary_color"),
    ({"name": "X" * 201}, "name"),
]


def test_invalid_clients_are_400(api, media):
    for body, field in INVALID_CLIENTS:
        response = api().post("/clients", body)
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["errors"], (body, response.json())
    assert Client.objects.count() == 2


def test_a_client_with_active_viewers_is_not_deleted(api, media):
    response = api().delete(f"/clients/{media.client.pk}")
    assert response.status_code == 400
    assert "viewer" in response.json()["detail"]
    assert User.objects.filter(username="viewer").exists()


# --- create-api-token -------------------------------------------------------


def test_create_api_token_prints_a_working_token(cast, media):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "manager", "--name", "CRM sync", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert token.startswith("rl_") and "\n" not in token
    row = ApiToken.objects.get(digest=ApiToken.hash(token))
    assert row.user.username == "manager" and row.name == "CRM sync"
    assert token not in err.getvalue()
    assert Api(token).get("/contacts").status_code == 200


def test_create_api_token_for_an_unknown_user_fails_clearly(cast):
    with pytest.raises(CommandError) as exc:
        call_command("create_api_token", "nobody")
    assert exc.value.returncode == 1
    assert "nobody" in str(exc.value)
    with pytest.raises(CommandError):
        call_command("create_api_token", "outsider")  # deactivated


def test_relance_create_api_token_exits_1_for_an_unknown_user(cast, monkeypatch, capsys):
    # The command closes database connections on exit; keep the test's open.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exc:
        cli.main(["relance", "create-api-token", "nobody"])
    assert exc.value.code == 1
    assert "nobody" in capsys.readouterr().err
    cli.main(["relance", "create-api-token", "intern"])
    assert capsys.readouterr().out.strip().startswith("rl_")
