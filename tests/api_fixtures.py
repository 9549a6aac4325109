"""Fixtures for the API tests: an HTTP client speaking JSON with a bearer
token per member of the cast, and a small media database.

Import the fixtures a module uses: `from .api_fixtures import api, media`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client as HttpClient
from django.utils import timezone

from relance.accounts.models import ApiToken, Client, User
from relance.contacts.services.contacts import set_opt_out, set_relationship
from relance.contacts.services.lists import add_members, create_list
from relance.contacts.services.outlets import create_show

from .factories import contact, outlet

PREFIX = "/api/v1"


@dataclass
class Api:
    """`api.get("/contacts", search="x")`, `api.post("/contacts", {...})`…"""

    token: str | None = None
    http: HttpClient | None = None

    def __post_init__(self) -> None:
        self.http = self.http or HttpClient()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.http.get(PREFIX + path, params, headers=self._headers())  # type: ignore[union-attr]

    def send(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None) -> Any:
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        return self.http.generic(  # type: ignore[union-attr]
            method, PREFIX + path, data, content_type="application/json", headers=self._headers()
        )

    def post(self, path: str, body: Any = None) -> Any:
        return self.send("POST", path, body)

    def put(self, path: str, body: Any = None) -> Any:
        return self.send("PUT", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self.send("PATCH", path, body)

    def delete(self, path: str, body: Any = None) -> Any:
        return self.send("DELETE", path, body)


@pytest.fixture
def tokens(cast) -> dict[str, str | None]:
    """A working token per cast member, plus the ones that must not work."""
    # The contact-read budget lives in the cache: every test starts at zero.
    cache.clear()
    out: dict[str, str | None] = {}
    for username, user in cast.items():
        if username != "outsider":
            out[username] = ApiToken.issue(user, "tests")[1]
    out["anonymous"] = None
    row, out["revoked"] = ApiToken.issue(cast["officer"], "revoked")
    row.revoked_at = timezone.now()
    row.save()
    out["inactive"] = ApiToken.issue(cast["outsider"], "inactive user")[1]
    return out


@pytest.fixture
def api(tokens):
    """api("manager") -> an Api client authenticated as the manager."""
    return lambda who="director": Api(tokens[who])


@pytest.fixture
def media(cast, client_company):
    d = cast["director"]
    lyon = outlet(d, "Le Courrier de Lyon", region="Auvergne-Rhône-Alpes", city="Lyon")
    radio = outlet(
        d, "Radio Montréal", kind="radio", country="CA", region="QC", periodicity="continuous"
    )
    mag = outlet(d, "Terre Vivante Mag", periodicity="monthly", lead_time_days=45)
    show = create_show(
        d,
        radio,
        {"name": "Le 15-18", "air_days": [0, 1, 2, 3, 4], "air_start": "15:00", "air_end": "18:00"},
    )
    claire = contact(
        d,
        "Dubois",
        first_name="Claire",
        outlet_id=lyon.pk,
        beats=["Écologie", "Énergie"],
        email="claire.dubois@courrier.example",
        phone="06 12 34 56 78",
        vip=True,
    )
    elodie = contact(
        d,
        "Tremblay",
        first_name="Élodie",
        outlet_id=radio.pk,
        show_id=show.pk,
        role="researcher",
        phone="514 555 0134",
        beats=["Culture"],
    )
    marc = contact(
        d,
        "Lefèvre",
        first_name="Marc",
        outlet_id=mag.pk,
        beats=["Sciences"],
        notes="Suit l'écologie urbaine",
        email="marc@terre.example",
    )
    # Marc unsubscribed himself: nobody in the agency can undo that.
    set_opt_out(None, marc, True, by_journalist=True)
    set_relationship(d, claire, cast["officer"], 3, "Déjeuner en mai")
    static = create_list(d, {"name": "Énergie Rhône", "kind": "static"})
    add_members(d, static, [claire.pk])
    smart = create_list(d, {"name": "Radios", "kind": "smart", "filters": {"kind": ["radio"]}})
    other_client = Client.objects.create(name="Autre Client")
    return SimpleNamespace(
        lyon=lyon,
        radio=radio,
        mag=mag,
        show=show,
        claire=claire,
        elodie=elodie,
        marc=marc,
        static=static,
        smart=smart,
        client=client_company,
        other_client=other_client,
    )


def member(username: str) -> User:
    return User.objects.get(username=username)
