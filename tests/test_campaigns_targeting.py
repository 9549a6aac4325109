"""Targeting: the core on plain data, the loader and the service on both
engines, exclusions, permissions, and the recipients API."""

# The fixtures imported from api_fixtures are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from relance.audit.models import AuditEntry
from relance.campaigns import recipients as service
from relance.campaigns import targeting
from relance.campaigns.models import Recipient, RecipientState
from relance.contacts.models import ContactEmail
from relance.contacts.services.contacts import set_relationship
from relance.contacts.services.lists import add_members, create_list

from .api_fixtures import api, tokens  # noqa: F401
from .factories import campaign, contact, outlet

NOW = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


# --- The core, on plain data --------------------------------------------------


def test_brief_terms_fold_drop_stop_words_and_stem():
    terms = targeting.brief_terms(
        "Les énergies renouvelables", "Un parc éolien pour la région", "<p>Énergie</p>"
    )
    assert terms[:2] == ["energ", "renouvel"]
    assert "les" not in terms and "pour" not in terms and "la" not in terms
    assert "eolien" in terms
    assert len(terms) == len(set(terms))
    assert targeting.brief_terms("Renewable energies", language="en") == ["renew", "energi"]


def facts(contact_id, name="X", **fields):
    return targeting.Facts(contact_id=contact_id, name=name, **fields)


def test_a_beat_found_through_stemming_scores_with_a_reason():
    terms = targeting.brief_terms("Énergies renouvelables")
    people = [
        facts(1, "Claire Dubois", beats=["Énergie"], outlet="Le Courrier"),
        facts(2, "Paul Roux", beats=["Culture"]),
    ]
    proposals = targeting.score(people, terms, {"energ": 10, "renouvel": 5}, 1000, NOW)
    assert [p.contact_id for p in proposals] == [1]
    assert "beat: Énergie" in proposals[0].reasons


def test_reasons_for_notes_relationship_responsiveness_audience():
    terms = targeting.brief_terms("Parc éolien en mer")
    f = facts(
        7,
        notes="Suit l'Éolien offshore depuis 2019",
        relationships=[("Marc", 3), ("Léa", 1)],
        past_sent=3,
        past_replied=2,
        audience=120000,
        outlet="Ouest Matin",
        editorial_line="Mer et littoral",
    )
    (p,) = targeting.score([f], terms, {}, 1000, NOW)
    assert "notes mention « éolien »" in p.reasons
    assert "knows Marc (long-standing)" in p.reasons
    assert "replied to 2 of 3 past campaigns" in p.reasons
    assert "audience 120,000" in p.reasons
    assert "Ouest Matin covers « mer »" in p.reasons
    assert 0 < p.score <= 1


def test_ranking_combines_relevance_audience_relationship_and_is_deterministic():
    terms = ["energ"]
    a = facts(1, beats=["Énergie"])
    b = facts(2, beats=["Énergie"], audience=500000)
    c = facts(3, beats=["Énergie"], relationships=[("Marc", 3)], past_sent=2, past_replied=2)
    d = facts(4, beats=["Énergie"])
    first = targeting.score([d, c, b, a], terms, {"energ": 3}, 100, NOW)
    again = targeting.score([a, b, c, d], terms, {"energ": 3}, 100, NOW)
    assert [p.contact_id for p in first] == [p.contact_id for p in again] == [3, 2, 1, 4]
    assert [p.contact_id for p in targeting.score([a, b, c, d], terms, {}, 100, NOW, 2)] == [3, 2]


def test_warnings():
    f = facts(
        1,
        opted_out=True,
        do_not_contact=True,
        paused_until=date(2026, 4, 1),
        bounced=True,
        last_sent_at=NOW - timedelta(days=3),
    )
    codes = [w.code for w in targeting.warnings_for(f, NOW)]
    assert codes == ["opted_out", "do_not_contact", "paused", "bounced", "recently_pitched"]
    old = facts(2, paused_until=date(2026, 3, 1), last_sent_at=NOW - timedelta(days=8))
    assert targeting.warnings_for(old, NOW) == []


# --- Loader and service, on the engine under test -----------------------------


@pytest.fixture
def base(cast):
    d = cast["director"]
    lyon = outlet(d, "Le Courrier de Lyon", audience=120000, editorial_line="Actualité régionale")
    people = {
        "claire": contact(d, "Dubois", outlet_id=lyon.pk, beats=["Énergie"]),
        "paul": contact(d, "Roux", first_name="Paul", beats=["Culture"]),
        "lea": contact(
            d, "Martin", first_name="Léa", notes="Spécialiste des renouvelables et de l'éolien"
        ),
        "optout": contact(d, "Opt", first_name="Olga", beats=["Énergie"], opted_out=True),
        "paused": contact(
            d, "Pause", first_name="Pia", beats=["Énergie"], paused_until="2099-01-01"
        ),
        "bounced": contact(
            d,
            "Rebond",
            first_name="Rémi",
            beats=["Énergie"],
            emails=[{"address": "remi@x.example", "is_primary": True}],
        ),
        "recent": contact(d, "Récent", first_name="Rita", beats=["Énergie"]),
    }
    ContactEmail.objects.filter(contact=people["bounced"]).update(status="bounced")
    set_relationship(d, people["claire"], cast["manager"], 3)
    brief = campaign(
        cast["manager"],
        "Énergies renouvelables : un parc éolien",
        team=["officer"],
        summary="Lancement en région",
    )
    earlier = campaign(cast["manager"], "Un autre communiqué")
    Recipient.objects.create(
        campaign=earlier,
        contact=people["recent"],
        state=RecipientState.SENT,
        sent_at=timezone.now() - timedelta(days=2),
    )
    Recipient.objects.create(
        campaign=earlier,
        contact=people["claire"],
        state=RecipientState.SENT,
        sent_at=timezone.now() - timedelta(days=30),
        replied_at=timezone.now() - timedelta(days=29),
    )
    return {"people": people, "brief": brief, "cast": cast}


def test_propose_ranks_with_reasons_and_warnings(base):
    people, brief, cast = base["people"], base["brief"], base["cast"]
    proposals = service.propose(cast["officer"], brief)
    ids = [p.contact_id for p in proposals]
    assert people["paul"].pk not in ids
    assert ids[0] == people["claire"].pk
    top = proposals[0]
    assert "beat: Énergie" in top.reasons
    assert "knows Manager (long-standing)" in top.reasons
    assert "replied to 1 of 1 past campaign" in top.reasons
    assert "audience 120,000" in top.reasons
    by_id = {p.contact_id: p for p in proposals}
    assert "notes mention « renouvelables, éolien »" in by_id[people["lea"].pk].reasons
    assert [w.code for w in by_id[people["optout"].pk].warnings] == ["opted_out"]
    assert [w.code for w in by_id[people["paused"].pk].warnings] == ["paused"]
    assert [w.code for w in by_id[people["bounced"].pk].warnings] == ["bounced"]
    assert [w.code for w in by_id[people["recent"].pk].warnings] == ["recently_pitched"]


def test_term_reads_prefetch_and_give_the_setting_back(base, monkeypatch):
    """PostgreSQL: the term reads raise effective_io_concurrency for
    themselves only (docs/performance.md, targeting)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW effective_io_concurrency")
            return cursor.fetchone()[0]

    before = setting()
    seen = []
    real = targeting._term_ids

    def spy(term: str) -> list[int]:
        seen.append(setting())
        return real(term)

    monkeypatch.setattr(targeting, "_term_ids", spy)
    assert service.propose(base["cast"]["officer"], base["brief"])
    expected = str(max(int(before), targeting.HEAP_PREFETCH)) if int(before) else before
    assert seen and set(seen) == {expected}
    assert setting() == before


def test_erased_contacts_and_recipients_are_not_proposed(base):
    people, brief, cast = base["people"], base["brief"], base["cast"]
    people["lea"].erased_at = timezone.now()
    people["lea"].save(update_fields=["erased_at"])
    service.add_recipients(cast["officer"], brief, [people["claire"].pk])
    ids = [p.contact_id for p in service.propose(cast["officer"], brief)]
    assert people["lea"].pk not in ids and people["claire"].pk not in ids


def test_add_refuses_by_reason_and_stores_score_and_reasons(base):
    people, brief, cast = base["people"], base["brief"], base["cast"]
    all_ids = [c.pk for c in people.values()]
    result = service.add_recipients(cast["officer"], brief, [*all_ids, 999_999])
    assert sorted(result.added) == sorted(
        [people["claire"].pk, people["paul"].pk, people["lea"].pk]
    )
    assert result.refused == {
        "opted_out": [people["optout"].pk],
        "paused": [people["paused"].pk],
        "bounced": [people["bounced"].pk],
        "recently_pitched": [people["recent"].pk],
    }
    assert result.unknown == [999_999]
    row = Recipient.objects.get(campaign=brief, contact=people["claire"])
    assert row.score and "beat: Énergie" in row.reasons
    assert Recipient.objects.get(campaign=brief, contact=people["paul"]).reasons == []
    again = service.add_recipients(cast["officer"], brief, [people["claire"].pk])
    assert again.added == [] and again.already == [people["claire"].pk]
    assert AuditEntry.objects.filter(action="recipients_added").exists()
    totals = service.totals(brief)
    assert totals["recipients"] == 3


def test_the_7_day_rule_is_overridden_by_a_manager_only(base):
    people, brief, cast = base["people"], base["brief"], base["cast"]
    ids = [people["recent"].pk, people["optout"].pk]
    with pytest.raises(PermissionDenied):
        service.add_recipients(cast["officer"], brief, ids, allow_recent=True)
    result = service.add_recipients(cast["manager"], brief, ids, allow_recent=True)
    assert result.added == [people["recent"].pk]
    assert result.refused == {"opted_out": [people["optout"].pk]}


def test_add_a_list_and_remove(base):
    people, brief, cast = base["people"], base["brief"], base["cast"]
    media_list = create_list(cast["manager"], {"name": "Énergie"})
    add_members(cast["manager"], media_list, [people["paul"].pk, people["optout"].pk])
    result = service.add_recipients(cast["officer"], brief, list_id=media_list.pk)
    assert result.added == [people["paul"].pk]
    assert list(result.refused) == ["opted_out"]
    assert service.remove_recipients(cast["officer"], brief, [people["paul"].pk]) == 1
    assert not brief.recipients.exists()
    with pytest.raises(ValidationError):
        service.add_recipients(cast["officer"], brief, list_id=10**9)


def test_sent_at_records_an_outside_send(base):
    people, brief, cast = base["people"], base["brief"], base["cast"]
    when = timezone.now() - timedelta(hours=2)
    service.add_recipients(cast["officer"], brief, [people["paul"].pk], sent_at=when.isoformat())
    row = Recipient.objects.get(campaign=brief, contact=people["paul"])
    assert row.state == RecipientState.SENT and row.sent_at == when
    # A sent recipient stays: it is the campaign's history.
    assert service.remove_recipients(cast["officer"], brief, [people["paul"].pk]) == 0


@pytest.mark.parametrize("role", ["intern", "cm", "viewer"])
def test_interns_and_viewers_cannot_target(base, role):
    people, brief, cast = base["people"], base["brief"], base["cast"]
    with pytest.raises(PermissionDenied):
        service.add_recipients(cast[role], brief, [people["paul"].pk])
    with pytest.raises(PermissionDenied):
        service.propose(cast[role], brief)


def test_rsvp(base):
    people, brief, cast = base["people"], base["brief"], base["cast"]
    service.add_recipients(cast["officer"], brief, [people["paul"].pk])
    row = Recipient.objects.get(campaign=brief, contact=people["paul"])
    service.set_rsvp(cast["officer"], row, "yes", 2)
    row.refresh_from_db()
    assert (row.rsvp, row.guests) == ("yes", 2) and row.rsvp_at
    with pytest.raises(ValidationError):
        service.set_rsvp(cast["officer"], row, "perhaps")
    with pytest.raises(PermissionDenied):
        service.set_rsvp(cast["intern"], row, "no")


# --- The page -------------------------------------------------------------------


def test_targeting_page_adds_and_removes(base, login):
    people, brief = base["people"], base["brief"]
    http = login("officer")
    url = reverse("campaigns:targeting", args=[brief.pk])
    page = http.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Claire Dubois" in text and "beat: Énergie" in text
    assert "pitched in the last 7 days" in text.lower() or "Pitched by the agency" in text
    response = http.post(url, {"action": "add", "contact": [people["claire"].pk]})
    assert response.status_code == 302
    assert brief.recipients.filter(contact=people["claire"]).exists()
    response = http.post(url, {"action": "remove", "contact": [people["claire"].pk]})
    assert not brief.recipients.exists()
    assert login("intern").get(url).status_code == 403


# --- The API ------------------------------------------------------------------------


def test_api_recipients(base, api):
    people, brief = base["people"], base["brief"]
    http = api("officer")
    path = f"/campaigns/{brief.pk}/recipients"
    response = http.post(path, {"contact_ids": [people["claire"].pk, people["optout"].pk]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["added"] == 1 and body["refused"] == {"opted_out": 1}
    listing = http.get(path).json()
    assert listing["count"] == 1
    item = listing["results"][0]
    assert set(item) >= {
        "contact_id",
        "state",
        "sent_at",
        "opened_at",
        "clicked_at",
        "replied_at",
        "rsvp",
    }
    assert item["contact_id"] == people["claire"].pk and item["rsvp"] is None
    assert item["state"] == "targeted" and "beat: Énergie" in item["reasons"]
    patched = http.patch(f"{path}/{people['claire'].pk}", {"rsvp": "maybe", "guests": 1})
    assert patched.status_code == 200, patched.content
    assert patched.json()["rsvp"] == "maybe"
    assert http.patch(f"{path}/{people['paul'].pk}", {"rsvp": "yes"}).status_code == 404
    assert http.post(path, {"contact_ids": ["x"]}).status_code == 400
    assert api("intern").post(path, {"contact_ids": [people["paul"].pk]}).status_code == 403
    when = "2026-01-05T10:00:00+01:00"
    sent = http.post(path, {"contact_ids": [people["paul"].pk], "sent_at": when}).json()
    assert sent["added"] == 1
