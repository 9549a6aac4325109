"""`/api/v1/coverage`: the same coverage as the pages, the same rules: the
team lists, adds and reviews; a client viewer reads their client's
confirmed coverage only; bad input is a 400 naming the field."""

# The fixtures imported are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

import pytest

from relance.accounts.models import Client
from relance.coverage.models import CoverageItem

from .api_fixtures import api, tokens  # noqa: F401
from .test_coverage_items import candidate, paper, sent  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_team_lists_and_reviews_candidates(api, candidate, sent):
    officer = api("officer")
    listed = officer.get("/coverage", status="candidate", campaign_id=sent.pk)
    assert listed.status_code == 200, listed.content
    [row] = listed.json()["results"]
    assert row["outlet"] == "Ouest Matin" and "Éolia Énergies" in row["names"]
    assert row["audience"] == 120_000 and row["status"] == "candidate"
    done = officer.post(
        f"/coverage/{candidate.pk}/review", {"decision": "confirmed", "tone": "positive"}
    )
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["tone"]) == ("confirmed", "positive")


def test_a_client_viewer_reads_confirmed_coverage_of_their_client_only(api, candidate):
    viewer = api("viewer")
    assert viewer.get("/coverage").json()["results"] == []
    assert viewer.get(f"/coverage/{candidate.pk}").status_code == 404
    assert viewer.post(
        f"/coverage/{candidate.pk}/review", {"decision": "confirmed"}
    ).status_code in (403, 404)
    candidate.status = "confirmed"
    candidate.save()
    assert [r["id"] for r in viewer.get("/coverage").json()["results"]] == [candidate.pk]
    assert viewer.post("/coverage", {"title": "x", "published_at": "2026-03-10"}).status_code == 403


def test_adding_coverage_checks_every_field(api, sent):
    officer = api("officer")
    bad = officer.post(
        "/coverage",
        {"campaign_id": sent.pk, "title": "", "published_at": "demain", "url": "ftp://x"},
    )
    assert bad.status_code == 400
    assert {"title", "published_at", "url", "outlet_name"} <= set(bad.json()["errors"])
    wrong_type = officer.post(
        "/coverage", {"title": "x", "published_at": "2026-03-10", "audience": "lots"}
    )
    assert wrong_type.status_code == 400
    assert not CoverageItem.objects.exists()
    other = Client.objects.create(name="Autre client")
    mismatch = officer.post(
        "/coverage",
        {
            "client_id": other.pk,
            "campaign_id": sent.pk,
            "title": "x",
            "outlet_name": "Y",
            "published_at": "2026-03-10",
        },
    )
    assert mismatch.status_code == 400 and "campaign_id" in mismatch.json()["errors"]
    made = officer.post(
        "/coverage",
        {
            "campaign_id": sent.pk,
            "title": "Le parc éolien au 19/20",
            "outlet_name": "France 3 Bretagne",
            "medium": "tv",
            "published_at": "2026-03-10T19:10:00+01:00",
            "audience": 300000,
            "key_messages": ["Une énergie produite ici, pour ceux qui vivent ici"],
        },
    )
    assert made.status_code == 201, made.content
    assert made.json()["status"] == "confirmed" and made.json()["medium"] == "tv"
