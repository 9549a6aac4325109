"""In a real browser: a press officer works through "My calls today" with
the keyboard only — opens the first call (the warm contact), logs
"voicemail" with a key, comes back to a list without it, moves down, opens
the next and logs "declined" — and the list re-orders each time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from relance.campaigns.models import Recipient
from relance.followups.models import FollowUp
from relance.interactions.models import Interaction
from tests.browser import browser, page, signed_in  # noqa: F401

from .factories import campaign, contact, outlet, recipients

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_caller_works_through_her_calls_with_the_keyboard(signed_in, cast):
    m, officer = cast["manager"], cast["officer"]
    now = timezone.now()
    brief = campaign(m, "Le parc éolien en mer", talking_points=["62 éoliennes au large"])
    people = []
    for i, (name, priority, warm) in enumerate(
        [("Dubois", 0.9, False), ("Roux", 0.3, True), ("Petit", 0.6, False)]
    ):
        media = outlet(m, f"Média {i}")
        person = contact(m, name, outlet_id=media.pk, phones=[f"+33 4 78 00 00 0{i + 1}"])
        people.append((person, priority, warm))
    for r in recipients(m, brief, [p for p, _, _ in people]):
        r.state, r.sent_at = "sent", now - timedelta(days=1)
        r.save()
    for person, priority, warm in people:
        FollowUp.objects.create(
            campaign=brief,
            contact=person,
            channel="phone",
            window_start=now - timedelta(minutes=5),
            window_end=now + timedelta(hours=2),
            assignee=officer,
            priority=priority,
            warm=warm,
            planned_at=now,
        )
    dubois, roux, petit = (p for p, _, _ in people)

    page = signed_in("officer")
    page.goto("/calls/")
    names = page.locator("[data-call] .call-name")
    # Warm first to get into the rhythm, then by priority.
    assert names.all_inner_texts() == [roux.full_name, dubois.full_name, petit.full_name]

    page.keyboard.press("o")
    page.wait_for_url("**/calls/*/")
    assert "62 éoliennes au large" in page.locator(".opening-line").inner_text()
    assert page.locator(f'a[href="tel:{roux.phones.first().number}"]').count() == 1
    page.keyboard.press("6")  # voicemail / no answer
    page.wait_for_url("**/calls/")
    assert names.all_inner_texts() == [dubois.full_name, petit.full_name]

    page.keyboard.press("j")  # the focus moves down to Petit
    page.keyboard.press("Enter")
    page.wait_for_url("**/calls/*/")
    assert petit.full_name in page.locator("h1").inner_text()
    page.keyboard.press("3")  # reached: declined
    page.wait_for_url("**/calls/")
    assert names.all_inner_texts() == [dubois.full_name]

    outcomes = dict(
        Interaction.objects.filter(campaign=brief, channel="phone").values_list(
            "contact_id", "outcome"
        )
    )
    assert outcomes == {roux.pk: "no_answer", petit.pk: "declined"}
    assert Recipient.objects.filter(campaign=brief).count() == 3
