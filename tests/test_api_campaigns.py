"""`/api/v1/campaigns`: the brief through the API."""

# The fixtures imported from api_fixtures are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

import pytest

from relance.accounts.models import Client
from relance.campaigns.models import Campaign

from .api_fixtures import api, tokens  # noqa: F401
from .factories import campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_client(db):
    return Client.objects.create(name="Autre Client", language="en")


def test_create_read_update_delete(api, cast, client_company):
    body = {
        "client_id": client_company.pk,
        "title": "Conférence de presse",
        "kind": "press_conference",
        "summary": "Résultats annuels",
        "body": "<p onclick='x()'>Texte</p><script>alert(1)</script>",
        "key_messages": ["Croissance de 12 %"],
        "talking_points": ["Interview du PDG possible"],
        "embargo_until": "2026-03-09T08:00:00+01:00",
        "event_at": "2026-03-10T10:00:00+01:00",
        "event_place": "Paris",
        "manager": "manager",
        "team": ["officer", "intern"],
    }
    response = api("officer").post("/campaigns", body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["body"] == "<p>Texte</p>"
    assert data["manager"] == "manager" and data["team"] == ["intern", "officer"]
    assert data["language"] == "fr" and data["status"] == "draft" and data["sent_at"] is None
    assert data["event_at"] == "2026-03-10T10:00:00+01:00"
    assert data["created_by"] == "officer" and data["attachments"] == []
    pk = data["id"]
    assert api("cm").get(f"/campaigns/{pk}").json()["talking_points"] == [
        "Interview du PDG possible"
    ]
    response = api("officer").patch(f"/campaigns/{pk}", {"title": "Conférence annuelle"})
    assert response.status_code == 200 and response.json()["title"] == "Conférence annuelle"
    assert api("manager").delete(f"/campaigns/{pk}").status_code == 204
    assert not Campaign.objects.filter(pk=pk).exists()


def test_language_defaults_to_the_clients_and_manager_to_the_caller(api, other_client):
    response = api("officer").post("/campaigns", {"client_id": other_client.pk, "title": "News"})
    assert response.status_code == 201
    assert response.json()["language"] == "en" and response.json()["manager"] == "officer"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"title": "Sans client"}, {"client_id"}),
        ({"client_id": 999999, "title": "X"}, {"client_id"}),
        ({"client_id": "{client}", "title": ""}, {"title"}),
        ({"client_id": "{client}", "title": "X", "kind": "webinar"}, {"kind"}),
        ({"client_id": "{client}", "title": "X", "kind": "event"}, {"event_at", "event_place"}),
        ({"client_id": "{client}", "title": "X", "event_at": "2026-01-01T10:00:00Z"}, {"event_at"}),
        ({"client_id": "{client}", "title": "X", "event_at": "tomorrow"}, {"event_at"}),
        ({"client_id": "{client}", "title": "X", "key_messages": "one"}, {"key_messages"}),
        ({"client_id": "{client}", "title": "X", "talking_points": [3]}, {"talking_points.0"}),
        ({"client_id": "{client}", "title": "X", "manager": "cm"}, {"manager"}),
        ({"client_id": "{client}", "title": "X", "team": ["ghost"]}, {"team"}),
        ({"client_id": "{client}", "title": "X", "sent_at": None}, {"sent_at"}),
        ({"client_id": "{client}", "title": "X\x00"}, {"title"}),
        ({"client_id": "{client}", "title": "X" * 201}, {"title"}),
    ],
)
def test_bad_input_is_400_with_field_messages(api, client_company, body, fields):
    body = {k: (client_company.pk if v == "{client}" else v) for k, v in body.items()}
    response = api("manager").post("/campaigns", body)
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == fields
    assert not Campaign.objects.exists()


def test_patch_null_is_refused_where_a_value_is_needed(api, cast):
    c = campaign(cast["manager"])
    for field in ("title", "kind", "manager", "client_id"):
        response = api().patch(f"/campaigns/{c.pk}", {field: None})
        assert response.status_code == 400 and field in response.json()["errors"], field
    response = api().patch(f"/campaigns/{c.pk}", {"embargo_until": None, "team": []})
    assert response.status_code == 200


def test_list_filters_and_paginates(api, cast, client_company, other_client):
    campaign(cast["manager"], title="Parc éolien")
    campaign(
        cast["manager"],
        title="Salon",
        client_id=other_client.pk,
        kind="event",
        event_at="2026-05-01T10:00",
        event_place="Lyon",
    )
    for i in range(3):
        campaign(cast["manager"], title=f"Brève {i}")
    data = api("intern").get("/campaigns", page_size=2).json()
    assert data["count"] == 5 and len(data["results"]) == 2 and data["next"]
    assert [r["title"] for r in api().get("/campaigns", search="EOLIEN").json()["results"]] == [
        "Parc éolien"
    ]
    assert [r["title"] for r in api().get("/campaigns", kind="event").json()["results"]] == [
        "Salon"
    ]
    assert api().get("/campaigns", client_id=other_client.pk).json()["count"] == 1
    assert api().get("/campaigns", status="draft").json()["count"] == 5
    assert api().get("/campaigns", kind="webinar").status_code == 400


def test_a_client_viewer_reads_only_their_clients_campaigns(api, cast, other_client):
    mine = campaign(cast["manager"], title="Le nôtre")
    theirs = campaign(cast["manager"], title="Le leur", client_id=other_client.pk)
    viewer = api("viewer")
    assert [r["id"] for r in viewer.get("/campaigns").json()["results"]] == [mine.pk]
    assert viewer.get(f"/campaigns/{mine.pk}").status_code == 200
    assert viewer.get(f"/campaigns/{theirs.pk}").status_code == 404
    assert viewer.get("/campaigns", client_id=other_client.pk).json()["count"] == 0
    assert viewer.patch(f"/campaigns/{theirs.pk}", {"title": "x"}).status_code == 404
    assert viewer.patch(f"/campaigns/{mine.pk}", {"title": "x"}).status_code == 403
    assert viewer.post("/campaigns", {"client_id": mine.client_id, "title": "x"}).status_code == 403


def test_a_press_officer_updates_only_campaigns_they_are_on(api, cast):
    other = campaign(cast["manager"])
    response = api("officer").patch(f"/campaigns/{other.pk}", {"title": "x"})
    assert response.status_code == 403
    assert api("officer").delete(f"/campaigns/{other.pk}").status_code == 403


def test_attachments_are_listed_with_a_download_link(api, cast, settings, tmp_path):
    import io

    from relance.campaigns.services import add_attachment

    settings.DATA_DIR = tmp_path
    c = campaign(cast["manager"])
    add_attachment(cast["manager"], c, io.BytesIO(b"%PDF-1.4\n"), "Dossier", name="d.pdf")
    data = api().get(f"/campaigns/{c.pk}").json()
    (item,) = data["attachments"]
    assert item["title"] == "Dossier" and item["content_type"] == "application/pdf"
    assert item["url"].startswith("http://testserver/campaigns/")
