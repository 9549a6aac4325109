"""In a real browser: a manager writes an invitation, previews it as one
recipient, queues it to a loopback SMTP server and watches the progress;
then a journalist answers from the link in the message she received, and
the manager sees her on the guest list."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from relance.campaigns.models import Recipient
from tests.browser import browser, page, signed_in  # noqa: F401

from .factories import campaign, contact, outlet, recipients

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_preview_send_and_answer_an_invitation(signed_in, cast, smtpd, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.CAMPAIGN_FROM_EMAIL = "presse@agence.example"
    m = cast["manager"]
    lyon = outlet(m, "Le Courrier de Lyon")
    claire = contact(m, "Dubois", outlet_id=lyon.pk, emails=["claire@courrier.example"])
    jean = contact(m, "Petit", first_name="Jean", outlet_id=lyon.pk, emails=["jean@lyon.example"])
    brief = campaign(
        m,
        "Inauguration du parc éolien",
        kind="event",
        event_at=(timezone.now() + timedelta(days=10)).isoformat(),
        event_place="Parc de la Crau",
        team=["officer"],
    )
    recipients(m, brief, [claire, jean])

    page = signed_in("manager")
    page.goto(f"/campaigns/{brief.pk}/message/")
    page.locator("#subject-fr").fill("Invitation pour {{ outlet }}")
    page.locator("#body-fr").fill("Bonjour {{ first_name }},\n\nVenez voir le parc.")
    page.locator("form:has(#subject-fr)").get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/campaigns/{brief.pk}/message/")
    assert "Message saved." in page.get_by_role("status").inner_text()

    page.get_by_label("As received by").select_option(label=claire.full_name)
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url("**/message/preview/**")
    assert "Invitation pour Le Courrier de Lyon" in page.content()
    assert "Bonjour Claire" in page.content()

    page.goto(f"/campaigns/{brief.pk}/sending/")
    page.get_by_role("button", name="Queue the messages").click()
    page.wait_for_url(f"**/campaigns/{brief.pk}/sending/")
    assert "2 message(s) queued." in page.get_by_role("status").inner_text()
    page.locator('[data-count="sent"]').filter(has_text="2").wait_for()
    assert len(smtpd.envelopes) == 2

    # Claire opens the invitation and answers from its "Yes" button.
    received = {
        env.rcpt_tos[0]: email.message_from_bytes(env.content, policy=email.policy.default)
        for env in smtpd.envelopes
    }
    html = received["claire@courrier.example"].get_body(("html",)).get_content()
    link = re.search(r'href="https?://[^/"]+(/p/[^"]+/rsvp/\?answer=yes)"', html).group(1)
    journalist = page.context.browser.new_context(base_url=page.url.split("/campaigns")[0])
    answer = journalist.new_page()
    answer.goto(link)
    assert answer.get_by_label("Oui, je viendrai").is_checked()
    answer.get_by_label("Personnes qui vous accompagnent").fill("1")
    answer.get_by_role("button", name="Envoyer ma réponse").click()
    answer.get_by_role("status").filter(has_text="Merci").wait_for()
    journalist.close()
    assert Recipient.objects.get(contact=claire).rsvp == "yes"

    page.goto(f"/campaigns/{brief.pk}/guests/")
    assert page.locator('[data-count="expected"]').inner_text() == "2"
    row = page.get_by_role("row").filter(has_text="Claire Dubois")
    assert "Confirmed" in row.inner_text() and "+1" in row.inner_text()
