"""Coverage items end to end: a feed brings articles, matching proposes the
ones about a sent campaign with their evidence and journalist, the team
confirms or rejects them, and adds what monitoring cannot see by hand."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from relance.audit.models import AuditEntry
from relance.coverage import items, services
from relance.coverage.matching import DEFAULT_THRESHOLD
from relance.coverage.models import CoverageItem, CoverageSettings, CoverageStatus

from .factories import campaign, contact, outlet
from .test_coverage_ingest import item, rss

pytestmark = pytest.mark.django_db

SENT = timezone.make_aware(datetime(2026, 3, 9, 10, 0))
ABOUT = (
    "Éolia Énergies a présenté lundi son parc éolien citoyen de Saint-Brieuc : "
    "quarante éoliennes financées par les habitants. « Une énergie produite ici, "
    "pour ceux qui vivent ici », a résumé sa directrice. Le parc alimentera "
    "vingt mille foyers dès l'automne."
)
ELSEWHERE = "Le conseil municipal a voté le budget des écoles et la rénovation du gymnase."


@pytest.fixture
def sent(cast, client_company):
    brief = campaign(
        cast["manager"],
        title="Parc éolien citoyen de Saint-Brieuc",
        summary="Quarante éoliennes financées par les habitants, vingt mille foyers alimentés.",
        key_messages=["Une énergie produite ici, pour ceux qui vivent ici"],
    )
    brief.sent_at = SENT
    brief.status = "sent"
    brief.save(update_fields=["sent_at", "status"])
    return brief


@pytest.fixture
def paper(cast):
    return outlet(cast["manager"], "Ouest Matin", audience=120_000)


@pytest.fixture
def candidate(sent, paper):
    """What matching proposed for `sent` from Ouest Matin's feed."""
    ingest(
        paper,
        item(
            "https://ouest.example/eolien",
            "Le parc éolien citoyen d’Éolia Énergies",
            content=ABOUT,
            date="Tue, 10 Mar 2026 07:00:00 +0100",
        ),
    )
    return CoverageItem.objects.get()


def ingest(paper, *entries, at=None):
    return services.ingest_feed_file(paper, rss(*entries), at=at, read_pages=False)


def test_an_article_about_the_campaign_waits_for_review_with_its_evidence(cast, sent, paper):
    author = contact(cast["manager"], "Le Gall", first_name="Yannick", outlet_id=paper.pk)
    ingest(
        paper,
        item(
            "https://ouest.example/eolien",
            "Saint-Brieuc : le parc éolien citoyen d’Éolia Énergies",
            content=ABOUT,
            author="Par Yannick Le Gall",
            date="Tue, 10 Mar 2026 07:00:00 +0100",
        ),
        item("https://ouest.example/ecoles", "Budget des écoles", content=ELSEWHERE),
    )
    [found] = CoverageItem.objects.all()
    assert found.status == CoverageStatus.CANDIDATE and found.campaign == sent
    assert found.outlet == paper and found.audience == 120_000 and found.medium == "print"
    assert found.contact == author  # the byline, matched to the journalist
    assert found.key_messages == ["Une énergie produite ici, pour ceux qui vivent ici"]
    assert found.score >= DEFAULT_THRESHOLD
    assert "Éolia Énergies" in found.evidence["names"]
    marked = [t for p in found.evidence["passages"] for t, on in p["segments"] if on]
    assert "Éolia Énergies" in marked


def test_articles_published_before_the_send_are_not_its_coverage(sent, paper):
    ingest(
        paper,
        item(
            "https://ouest.example/avant",
            "Éolia Énergies prépare un parc éolien citoyen",
            content=ABOUT,
            date="Sat, 07 Mar 2026 07:00:00 +0100",
        ),
    )
    assert not CoverageItem.objects.exists()


def test_ingest_feeds_json_lists_the_matches(tmp_path, sent, paper):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(
        rss(
            item(
                "https://ouest.example/eolien",
                "Le parc éolien citoyen d’Éolia Énergies",
                content=ABOUT,
                date="Tue, 10 Mar 2026 07:00:00 +0100",
            )
        )
    )
    out = StringIO()
    call_command(
        "ingest_feeds",
        "--feed-file",
        str(feed),
        "--outlet",
        str(paper.pk),
        "--no-pages",
        "--json",
        stdout=out,
    )
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
    [entry] = [x for x in lines if x.get("url") == "https://ouest.example/eolien"]
    assert entry["matches"][0]["campaign_id"] == sent.pk
    assert "Éolia Énergies" in entry["matches"][0]["names"]


def test_a_rejected_article_is_not_proposed_again(cast, sent, paper):
    entry = item(
        "https://ouest.example/eolien",
        "Le parc éolien d’Éolia Énergies",
        content=ABOUT,
        date="Tue, 10 Mar 2026 07:00:00 +0100",
    )
    ingest(paper, entry)
    [found] = CoverageItem.objects.all()
    items.review(cast["intern"], found, CoverageStatus.REJECTED)
    # Matching runs again over the same article (a re-poll, a new campaign).
    items.match_articles([found.article])
    assert CoverageItem.objects.get().status == CoverageStatus.REJECTED
    assert AuditEntry.objects.filter(action="review").exists()


def test_confirming_sets_tone_and_key_messages_and_checks_them(cast, sent, paper):
    ingest(
        paper,
        item(
            "https://ouest.example/eolien",
            "Le parc éolien d’Éolia Énergies",
            content=ABOUT,
            date="Tue, 10 Mar 2026 07:00:00 +0100",
        ),
    )
    found = CoverageItem.objects.get()
    with pytest.raises(ValidationError) as err:
        items.review(cast["officer"], found, "confirmed", tone="enthusiastic")
    assert "tone" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        items.review(cast["officer"], found, "confirmed", key_messages=["Un autre message"])
    assert "key_messages" in err.value.message_dict
    assert CoverageItem.objects.get().status == CoverageStatus.CANDIDATE  # nothing half-done
    items.review(cast["officer"], found, "confirmed", tone="positive", key_messages=[])
    found.refresh_from_db()
    assert (found.status, found.tone, found.key_messages) == ("confirmed", "positive", [])
    assert found.reviewed_by == cast["officer"]


def test_who_may_review_and_who_sees_what(cast, sent, paper, client_company):
    ingest(
        paper,
        item(
            "https://ouest.example/eolien",
            "Le parc éolien d’Éolia Énergies",
            content=ABOUT,
            date="Tue, 10 Mar 2026 07:00:00 +0100",
        ),
    )
    found = CoverageItem.objects.get()
    viewer = cast["viewer"]
    with pytest.raises(PermissionDenied):
        items.review(viewer, found, "confirmed")
    # A client viewer sees their client's confirmed coverage only.
    assert not items.visible_coverage(viewer).exists()
    items.review(cast["cm"], found, "confirmed")
    assert list(items.visible_coverage(viewer)) == [found]
    other = type(client_company).objects.create(name="Autre client")
    viewer.client = other
    viewer.save(update_fields=["client"])
    assert not items.visible_coverage(viewer).exists()


def test_the_threshold_rises_from_rejections_and_is_used(cast, sent, paper):
    ingest(
        paper,
        item(
            "https://ouest.example/eolien",
            "Le parc éolien d’Éolia Énergies",
            content=ABOUT,
            date="Tue, 10 Mar 2026 07:00:00 +0100",
        ),
    )
    model = CoverageItem.objects.get()
    # Earlier reviews: weak matches rejected, stronger ones confirmed.
    rows = []
    for i in range(30):
        rows.append((0.5 + i / 100, "confirmed"))
    rows += [(0.42, "rejected"), (0.45, "rejected"), (0.47, "rejected")]
    now = timezone.now()
    for n, (score, status) in enumerate(rows):
        CoverageItem.objects.create(
            client=model.client,
            campaign=None,
            status=status,
            source="feed",
            title=f"old {n}",
            published_at=now,
            medium="web",
            score=score,
            reviewed_at=now - timedelta(minutes=n),
        )
    items.review(cast["officer"], model, "confirmed")
    assert CoverageSettings.current().threshold == pytest.approx(0.471)


def test_coverage_added_by_hand_is_checked_field_by_field(cast, sent, paper):
    with pytest.raises(ValidationError) as err:
        items.add(
            cast["officer"],
            {
                "campaign_id": sent.pk,
                "title": "",
                "published_at": "10/03/2026",
                "url": "ftp://x",
                "audience": "beaucoup",
                "medium": "fax",
            },
        )
    assert set(err.value.message_dict) >= {
        "title",
        "published_at",
        "url",
        "audience",
        "medium",
        "outlet_name",
    }
    assert not CoverageItem.objects.exists()
    segment = items.add(
        cast["officer"],
        {
            "campaign_id": sent.pk,
            "outlet_name": "France Bleu Armorique",
            "title": "Le parc éolien au journal de 7 h",
            "published_at": "2026-03-10T07:00",
            "medium": "radio",
            "audience": "85000",
            "tone": "neutral",
            "key_messages": "Une énergie produite ici, pour ceux qui vivent ici",
            "summary": "Deux minutes avec la directrice du parc.",
        },
        source="file",
    )
    assert segment.status == CoverageStatus.CONFIRMED and segment.client == sent.client
    assert segment.key_messages == ["Une énergie produite ici, pour ceux qui vivent ici"]
    assert segment.audience == 85_000 and segment.outlet_label == "France Bleu Armorique"


def test_a_full_copy_needs_the_rights(cast, sent, paper, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    clipping = SimpleUploadedFile("coupure.pdf", b"%PDF-1.4 clipping", "application/pdf")
    data = {
        "campaign_id": sent.pk,
        "outlet_id": paper.pk,
        "title": "Le parc éolien en page 3",
        "published_at": "2026-03-10",
    }
    with pytest.raises(ValidationError) as err:
        items.add(cast["officer"], data, source="file", attachment=clipping)
    assert "attachment" in err.value.message_dict
    kept = items.add(
        cast["officer"], {**data, "rights_held": "on"}, source="file", attachment=clipping
    )
    assert kept.rights_held and kept.attachment.name.endswith(".pdf")
    assert kept.medium == "print"  # from the outlet


@pytest.mark.parametrize(
    ("byline", "name"),
    [
        ("Par Claire Dubois", "Claire Dubois"),
        ("Claire Dubois, avec AFP", "Claire Dubois"),
        ("By Jane Roe and John Doe", "Jane Roe"),
        ("Propos recueillis par Marc Petit", "Marc Petit"),
        ("", ""),
    ],
)
def test_bylines(byline, name):
    assert items.byline_name(byline) == name


def test_a_byline_is_matched_within_the_outlet_only(cast, paper):
    here = contact(cast["manager"], "Dubois", outlet_id=paper.pk)
    elsewhere = outlet(cast["manager"], "Le Télégramme du Soir")
    contact(cast["manager"], "Dubois", outlet_id=elsewhere.pk)
    assert items.attribute("Par Claire Dubois", paper) == here
    assert items.attribute("Dubois Claire", paper) == here
    assert items.attribute("Claire Duboi", paper) == here  # a typo
    assert items.attribute("Claire Martin", paper) is None
