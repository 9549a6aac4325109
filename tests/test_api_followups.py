"""`GET /api/v1/campaigns/{id}/followups`: the same plan as the command."""

# The fixtures imported are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from .api_fixtures import api, tokens  # noqa: F401
from .test_followups_services import TUESDAY, sent_release  # noqa: F401

pytestmark = pytest.mark.django_db


def test_api_gives_the_same_plan_as_the_command(api, sent_release, capsys):
    brief, _ = sent_release
    response = api("officer").get(f"/campaigns/{brief.pk}/followups?at={TUESDAY.isoformat()}")
    assert response.status_code == 200, response.content
    call_command("plan_followups", str(brief.pk), "--at", TUESDAY.isoformat(), "--json")
    assert response.json() == json.loads(capsys.readouterr().out)
    data = response.json()
    assert {"contact_id", "channel", "window_start", "assignee", "priority", "reasons"} <= set(
        data["planned"][0]
    )
    assert data["skipped"][0]["reason_code"] == "outlet_already_planned"


def test_bad_at_is_a_400_naming_the_field(api, sent_release):
    brief, _ = sent_release
    response = api("officer").get(f"/campaigns/{brief.pk}/followups?at=tomorrow")
    assert response.status_code == 400
    assert "at" in response.json()["errors"]


def test_client_viewer_may_not_read_the_plan(api, sent_release):
    brief, _ = sent_release
    assert api("viewer").get(f"/campaigns/{brief.pk}/followups").status_code == 403


def test_unknown_campaign_is_404(api, sent_release):
    assert api("officer").get("/campaigns/999999/followups").status_code == 404
