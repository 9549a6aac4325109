"""In a real browser on a phone-sized screen: at the door of the event, an
intern finds a guest by typing part of her name (accents aside), taps
"Came", and the count of arrivals goes up; a second tap undoes it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from relance.campaigns.models import Recipient
from tests.browser import browser, page, signed_in  # noqa: F401

from .factories import campaign, contact, outlet, recipients

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_in_on_a_phone(signed_in, cast):
    m = cast["manager"]
    lyon = outlet(m, "Le Courrier de Lyon, édition du Grand Lyon et de la Métropole")
    guests = [
        contact(m, "Dubois", outlet_id=lyon.pk),
        contact(m, "Roux", first_name="Léa", outlet_id=lyon.pk),
        contact(m, "Petit", first_name="Jean-Baptiste-Marie", outlet_id=lyon.pk),
    ]
    brief = campaign(
        m,
        "Inauguration du parc éolien",
        kind="press_conference",
        event_at=(timezone.now() + timedelta(hours=1)).isoformat(),
        event_place="Parc de la Crau",
    )
    for r, answer in zip(recipients(m, brief, guests), ("yes", "", "maybe"), strict=True):
        r.state, r.sent_at, r.rsvp = "sent", timezone.now() - timedelta(days=3), answer
        r.save()

    page = signed_in("intern")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"/campaigns/{brief.pk}/checkin/")
    assert page.locator('[data-count="confirmed"]').inner_text() == "1"
    assert page.locator('[data-count="came"]').inner_text() == "0"
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # Big enough to tap with a thumb.
    box = page.get_by_role("button", name="Léa Roux came").bounding_box()
    assert box["height"] >= 44

    page.get_by_label("Find a guest").fill("lea")
    rows = page.locator("#checkin-list > li:visible")
    assert rows.count() == 1
    assert "Léa Roux" in rows.first.inner_text()

    page.get_by_role("button", name="Léa Roux came").click()
    page.locator('[data-count="came"]').filter(has_text="1").wait_for()
    assert page.locator('[data-count="unannounced"]').inner_text() == "1"
    undo = page.get_by_role("button", name="Léa Roux came: undo")
    assert undo.get_attribute("aria-pressed") == "true"
    # The filter still holds after the row was swapped.
    assert page.locator("#checkin-list > li:visible").count() == 1
    lea = Recipient.objects.get(campaign=brief, contact=guests[1])
    assert lea.attended_at is not None and lea.checked_in_by == cast["intern"]

    undo.click()
    page.locator('[data-count="came"]').filter(has_text="0").wait_for()
    page.get_by_label("Find a guest").fill("")
    assert page.locator("#checkin-list > li:visible").count() == 3
    page.get_by_label("Find a guest").fill("zzz")
    assert page.get_by_text("Nobody by that name on the list.").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
