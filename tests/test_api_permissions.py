"""Every role against every endpoint and method of the API: one table.

Columns: the cast's roles (director, manager, press officer, intern,
community manager, client viewer), then requests without a token, with a
revoked token, and with the token of a deactivated user. Each request runs
in a transaction rolled back afterwards, so every role meets the same data
(a DELETE by the director does not turn the manager's into a 404).
"""

# The fixtures imported from api_fixtures are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from relance.accounts.models import Client
from relance.campaigns.models import Recipient
from relance.coverage.models import CoverageItem
from relance.interactions.services import log

from .api_fixtures import Api, api, media, tokens  # noqa: F401
from .factories import campaign

pytestmark = pytest.mark.django_db

ROLES = (
    "director",
    "manager",
    "officer",
    "intern",
    "cm",
    "viewer",
    "anonymous",
    "revoked",
    "inactive",
)

# {name} in a path is an object of the `briefs` fixture (its id), or a username.
# `campaign` is for the viewer's client with the press officer on its team;
# `other_campaign` is another client's, which the press officer is not on.
TABLE = """
method path                                       dir man off int cm  vie ano rev ina
GET    /outlets                                   200 200 200 200 200 403 401 401 401
POST   /outlets                                   201 201 201 201 201 403 401 401 401
GET    /outlets/{lyon}                            200 200 200 200 200 403 401 401 401
PATCH  /outlets/{lyon}                            200 200 200 200 200 403 401 401 401
DELETE /outlets/{lyon}                            204 204 204 403 403 403 401 401 401
GET    /shows                                     200 200 200 200 200 403 401 401 401
POST   /shows                                     201 201 201 201 201 403 401 401 401
GET    /shows/{show}                              200 200 200 200 200 403 401 401 401
PATCH  /shows/{show}                              200 200 200 200 200 403 401 401 401
DELETE /shows/{show}                              204 204 204 403 403 403 401 401 401
GET    /contacts                                  200 200 200 200 200 403 401 401 401
POST   /contacts                                  201 201 201 201 201 403 401 401 401
GET    /contacts/{claire}                         200 200 200 200 200 403 401 401 401
PATCH  /contacts/{claire}                         200 200 200 200 200 403 401 401 401
DELETE /contacts/{claire}                         204 204 204 403 403 403 401 401 401
GET    /contacts/{claire}/relationships           200 200 200 200 200 403 401 401 401
POST   /contacts/{claire}/relationships           201 201 201 201 201 403 401 401 401
PUT    /contacts/{claire}/relationships           201 201 201 201 201 403 401 401 401
DELETE /contacts/{claire}/relationships/{officer} 204 204 204 204 204 403 401 401 401
GET    /lists                                     200 200 200 200 200 403 401 401 401
POST   /lists                                     201 201 201 201 201 403 401 401 401
GET    /lists/{static}                            200 200 200 200 200 403 401 401 401
PATCH  /lists/{static}                            200 200 200 200 200 403 401 401 401
DELETE /lists/{static}                            204 204 204 403 403 403 401 401 401
GET    /lists/{smart}/contacts                    200 200 200 200 200 403 401 401 401
POST   /lists/{static}/members                    200 200 200 200 200 403 401 401 401
DELETE /lists/{static}/members                    200 200 200 200 200 403 401 401 401
GET    /clients                                   200 200 200 200 200 200 401 401 401
POST   /clients                                   201 201 403 403 403 403 401 401 401
GET    /clients/{client}                          200 200 200 200 200 200 401 401 401
GET    /clients/{other_client}                    200 200 200 200 200 404 401 401 401
PATCH  /clients/{client}                          200 200 403 403 403 403 401 401 401
DELETE /clients/{spare_client}                    204 204 403 403 403 404 401 401 401
GET    /users                                     200 200 200 200 200 403 401 401 401
POST   /users                                     201 403 403 403 403 403 401 401 401
GET    /users/{officer}                           200 200 200 200 200 403 401 401 401
PATCH  /users/{officer}                           200 403 403 403 403 403 401 401 401
DELETE /users/{officer}                           204 403 403 403 403 403 401 401 401
GET    /campaigns                                 200 200 200 200 200 200 401 401 401
POST   /campaigns                                 201 201 201 403 403 403 401 401 401
GET    /campaigns/{campaign}                      200 200 200 200 200 200 401 401 401
GET    /campaigns/{other_campaign}                200 200 200 200 200 404 401 401 401
PATCH  /campaigns/{campaign}                      200 200 200 403 403 403 401 401 401
PATCH  /campaigns/{other_campaign}                200 200 403 403 403 404 401 401 401
DELETE /campaigns/{campaign}                      204 204 403 403 403 403 401 401 401
DELETE /campaigns/{other_campaign}                204 204 403 403 403 404 401 401 401
GET    /campaigns/{campaign}/recipients           200 200 200 200 200 403 401 401 401
POST   /campaigns/{campaign}/recipients           200 200 200 403 403 403 401 401 401
POST   /campaigns/{other_campaign}/recipients     200 200 403 403 403 404 401 401 401
PATCH  /campaigns/{campaign}/recipients/{claire}  200 200 200 403 403 403 401 401 401
GET    /campaigns/{campaign}/followups            200 200 200 200 200 403 401 401 401
GET    /interactions                              200 200 200 200 200 403 401 401 401
POST   /interactions                              201 201 201 201 201 403 401 401 401
GET    /interactions/{call}                       200 200 200 200 200 403 401 401 401
DELETE /interactions/{call}                       204 204 204 403 403 403 401 401 401
GET    /coverage                                  200 200 200 200 200 200 401 401 401
POST   /coverage                                  201 201 201 201 201 403 401 401 401
GET    /coverage/{clipping}                       200 200 200 200 200 200 401 401 401
GET    /coverage/{candidate}                      200 200 200 200 200 404 401 401 401
POST   /coverage/{candidate}/review               200 200 200 200 200 404 401 401 401
"""

# Valid bodies, so that the status says what the role may do, not what the body lacks.
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/outlets"): {"name": "Ouest Matin", "kind": "print"},
    ("PATCH", "/outlets/{lyon}"): {"audience": 120000},
    ("POST", "/shows"): lambda m: {"outlet_id": m.radio.pk, "name": "La Matinale"},
    ("PATCH", "/shows/{show}"): {"schedule_notes": "En direct"},
    ("POST", "/contacts"): {"first_name": "Léa", "last_name": "Martin"},
    ("PATCH", "/contacts/{claire}"): {"title": "Cheffe de rubrique"},
    ("POST", "/contacts/{claire}/relationships"): {"user": "manager", "strength": 2},
    ("PUT", "/contacts/{claire}/relationships"): {"user": "manager", "strength": 2},
    ("POST", "/lists"): {"name": "Nouvelle liste"},
    ("PATCH", "/lists/{static}"): {"description": "Pour le lancement"},
    ("POST", "/lists/{static}/members"): lambda m: {"contact_ids": [m.elodie.pk]},
    ("DELETE", "/lists/{static}/members"): lambda m: {"contact_ids": [m.claire.pk]},
    ("POST", "/clients"): {"name": "Nouveau Client"},
    ("PATCH", "/clients/{client}"): {"website": "https://eolia.example"},
    ("POST", "/users"): {"username": "newbie", "role": "intern"},
    ("PATCH", "/users/{officer}"): {"daily_call_capacity": 30},
    ("POST", "/campaigns"): lambda m: {"client_id": m.client.pk, "title": "Nouveau lancement"},
    ("PATCH", "/campaigns/{campaign}"): {"summary": "Mise à jour"},
    ("PATCH", "/campaigns/{other_campaign}"): {"summary": "Mise à jour"},
    ("POST", "/campaigns/{campaign}/recipients"): lambda m: {"contact_ids": [m.elodie.pk]},
    ("POST", "/campaigns/{other_campaign}/recipients"): lambda m: {"contact_ids": [m.elodie.pk]},
    ("PATCH", "/campaigns/{campaign}/recipients/{claire}"): {"rsvp": "yes"},
    ("POST", "/interactions"): lambda m: {"contact_id": m.claire.pk, "outcome": "interested"},
    ("POST", "/coverage"): lambda m: {
        "client_id": m.client.pk,
        "title": "Le lancement à la radio",
        "outlet_name": "Radio Lyon",
        "medium": "radio",
        "published_at": "2026-03-10",
    },
    ("POST", "/coverage/{candidate}/review"): {"decision": "confirmed"},
}

ROWS = [line.split() for line in TABLE.strip().splitlines()[1:]]


def _resolve(template: str, media: Any) -> str:
    def one(match: re.Match[str]) -> str:
        name = match[1]
        return str(getattr(media, name).pk) if hasattr(media, name) else name

    return re.sub(r"\{(\w+)\}", one, template)


def _answers(row: list[str], tokens: dict[str, str | None], media: Any) -> list[str]:
    method, template, *_codes = row
    path = _resolve(template, media)
    body = BODIES.get((method, template))
    if callable(body):
        body = body(media)
    got = []
    for role in ROLES:
        with transaction.atomic():
            response = Api(tokens[role]).send(method, path, body)
            transaction.set_rollback(True)
        got.append(str(response.status_code))
    return got


@pytest.fixture
def briefs(media, cast):
    """The media database plus two campaigns."""
    media.campaign = campaign(cast["manager"], client_id=media.client.pk, team=["officer"])
    media.other_campaign = campaign(
        cast["manager"], "Salon", client_id=media.other_client.pk, team=["intern"]
    )
    Recipient.objects.create(campaign=media.campaign, contact=media.claire)
    # A call the press officer logged: they and account managers may delete it.
    media.call = log(cast["officer"], {"contact_id": media.claire.pk, "outcome": "no_answer"})
    # A client with campaigns cannot be deleted: the delete row uses one without.
    media.spare_client = Client.objects.create(name="Client sans campagne")
    # Coverage of the viewer's client: one confirmed (the viewer sees it),
    # one still to review (the viewer does not).
    now = timezone.now()
    media.clipping, media.candidate = (
        CoverageItem.objects.create(
            client=media.client,
            campaign=media.campaign,
            status=status,
            source="manual",
            outlet=media.lyon,
            title=f"Le lancement ({status})",
            published_at=now,
            medium="print",
        )
        for status in ("confirmed", "candidate")
    )
    return media


def test_role_table(tokens, briefs):
    """One test over the whole table (the fixtures are built once); on failure
    the diff shows the rows whose answers differ."""
    header, *_rows = TABLE.strip().splitlines()
    width = header.index("dir")
    actual = [header] + [
        f"{row[0]:<6} {row[1]:<{width - 7}}" + " ".join(_answers(row, tokens, briefs))
        for row in ROWS
    ]
    assert "\n".join(actual) == TABLE.strip()


def test_the_table_covers_every_operation_of_the_api(client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = {
        (method.upper(), re.sub(r"\{\w+\}", "{}", path.removeprefix("/api/v1")))
        for path, item in schema["paths"].items()
        for method in item
    }
    in_table = {(r[0], re.sub(r"\{\w+\}", "{}", r[1])) for r in ROWS}
    assert operations == in_table
