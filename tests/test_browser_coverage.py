"""In a real browser: a press officer opens the coverage review queue,
reads the highlighted passage, confirms one article with its tone and
rejects another, each with one click and without leaving the page; then
the campaign's report shows the confirmed piece."""

from __future__ import annotations

import pytest

from relance.coverage.models import CoverageItem
from tests.browser import browser, page, signed_in  # noqa: F401

from .test_coverage_ingest import item
from .test_coverage_items import ABOUT, SENT, ingest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_review_two_candidates_then_read_the_report(signed_in, cast):
    from .factories import campaign, outlet

    brief = campaign(
        cast["manager"],
        title="Parc éolien citoyen de Saint-Brieuc",
        summary="Quarante éoliennes financées par les habitants, vingt mille foyers alimentés.",
        key_messages=["Une énergie produite ici, pour ceux qui vivent ici"],
    )
    brief.sent_at, brief.status = SENT, "sent"
    brief.save(update_fields=["sent_at", "status"])
    paper = outlet(cast["manager"], "Ouest Matin", audience=120_000)
    ingest(
        paper,
        item(
            "https://ouest.example/eolien",
            "Le parc éolien citoyen d’Éolia Énergies",
            content=ABOUT,
            date="Tue, 10 Mar 2026 07:00:00 +0100",
        ),
        item(
            "https://ouest.example/eolien-2",
            "Éolia Énergies : les éoliennes des habitants",
            content=ABOUT.replace("lundi", "mardi") + " Le chantier commence en juin.",
            date="Wed, 11 Mar 2026 07:00:00 +0100",
        ),
    )
    first, second = CoverageItem.objects.order_by("published_at")
    page = signed_in("officer")
    page.goto("/coverage/review/")
    row = page.locator(f"#candidate-{first.pk}")
    assert row.locator("mark").first.inner_text() == "Éolia Énergies"
    row.get_by_label("Tone").select_option("positive")
    row.get_by_role("button", name="Confirm").click()
    page.locator(f"#candidate-{first.pk} [role=status]").wait_for()
    assert "Confirmed" in page.locator(f"#candidate-{first.pk}").inner_text()
    page.locator(f"#candidate-{second.pk}").get_by_role("button", name="Not coverage").click()
    page.locator(f"#candidate-{second.pk} [role=status]").wait_for()
    assert page.url.endswith("/coverage/review/")  # answered in place
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.tone, second.status) == ("confirmed", "positive", "rejected")

    page.goto(f"/campaigns/{brief.pk}/report/")
    assert page.get_by_role("heading", name=brief.title).is_visible()
    assert "Le parc éolien citoyen d’Éolia Énergies" in page.content()
    assert "Éolia Énergies : les éoliennes des habitants" not in page.content()
    assert page.locator("svg[role=img]").count() == 4
