"""The coverage pages: the review queue with its highlighted passages and
one-click answers, a campaign's coverage, adding coverage by hand; who
sees and does what; bad input answered with the field, never a 500."""

# The fixtures imported are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from relance.coverage.models import CoverageItem, CoverageStatus

from .test_coverage_items import candidate, paper, sent  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_the_queue_shows_the_evidence_and_answers_in_one_click(login, candidate):
    http = login("intern")
    page = http.get(reverse("coverage:review"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<mark>Éolia Énergies</mark>" in html and "Ouest Matin" in html
    answer = http.post(
        reverse("coverage:review_item", args=[candidate.pk]),
        {"decision": "confirmed", "tone": "positive"},
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 200 and "Confirmed" in answer.content.decode()
    candidate.refresh_from_db()
    assert (candidate.status, candidate.tone) == ("confirmed", "positive")
    assert "<mark>" not in http.get(reverse("coverage:review")).content.decode()


def test_a_bad_answer_says_why_and_changes_nothing(login, candidate):
    http = login("officer")
    answer = http.post(
        reverse("coverage:review_item", args=[candidate.pk]),
        {"decision": "maybe"},
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 200 and "Choose confirm or reject." in answer.content.decode()
    assert CoverageItem.objects.get().status == CoverageStatus.CANDIDATE


def test_client_viewers_never_see_the_queue_nor_candidates(login, candidate, sent):
    viewer = login("viewer")
    assert viewer.get(reverse("coverage:review")).status_code == 403
    assert (
        viewer.post(
            reverse("coverage:review_item", args=[candidate.pk]), {"decision": "confirmed"}
        ).status_code
        == 403
    )
    page = viewer.get(reverse("coverage:campaign", args=[sent.pk]))
    assert page.status_code == 200
    assert "Éolia Énergies</a>" not in page.content.decode()  # a candidate: not shown
    candidate.status = CoverageStatus.CONFIRMED
    candidate.save()
    assert (
        candidate.title in viewer.get(reverse("coverage:campaign", args=[sent.pk])).content.decode()
    )


def test_coverage_added_by_hand_from_the_page(login, sent, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    http = login("officer")
    form = http.get(reverse("coverage:add") + f"?campaign={sent.pk}")
    assert form.status_code == 200
    assert "Une énergie produite ici" in form.content.decode()  # its key messages to tick
    bad = http.post(
        reverse("coverage:add"),
        {"campaign_id": sent.pk, "title": "", "published_at": "hier", "action": "save"},
    )
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "A coverage item needs a title." in body and "YYYY-MM-DD" in body
    assert not CoverageItem.objects.exists()
    done = http.post(
        reverse("coverage:add"),
        {
            "campaign_id": sent.pk,
            "title": "Le parc éolien en page 3",
            "outlet_name": "Le Télégramme",
            "published_at": "2026-03-11",
            "medium": "print",
            "key_messages": ["Une énergie produite ici, pour ceux qui vivent ici"],
            "rights_held": "on",
            "attachment": SimpleUploadedFile("p3.pdf", b"%PDF-1.4 x", "application/pdf"),
            "action": "save",
        },
    )
    assert done.status_code == 302 and done["Location"] == reverse(
        "coverage:campaign", args=[sent.pk]
    )
    added = CoverageItem.objects.get()
    assert added.source == "file" and added.status == "confirmed" and added.attachment
    listing = http.get(reverse("coverage:campaign", args=[sent.pk])).content.decode()
    assert "Le parc éolien en page 3" in listing
    copy = http.get(reverse("coverage:attachment", args=[added.pk]))
    assert copy.status_code == 200 and b"".join(copy.streaming_content) == b"%PDF-1.4 x"


def test_reading_a_page_that_cannot_be_fetched_names_the_address(login, sent):
    http = login("officer")
    answer = http.post(
        reverse("coverage:add"),
        {"campaign_id": sent.pk, "url": "http://127.0.0.1:1/article", "action": "fetch"},
    )
    assert answer.status_code == 200
    assert "Refused to fetch http://127.0.0.1:1/article" in answer.content.decode()
    assert "a loopback address" in answer.content.decode()


def test_the_campaign_page_links_to_its_coverage(login, sent):
    page = login("manager").get(reverse("campaigns:campaign_detail", args=[sent.pk]))
    assert reverse("coverage:campaign", args=[sent.pk]) in page.content.decode()
