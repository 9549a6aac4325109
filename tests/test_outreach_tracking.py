"""Opens and clicks, through messages really sent to a loopback SMTP server:
links go through a signed redirect that counts the click and goes on to
the address, a pixel counts opens (once on the history, however often it
loads), the agency can switch either off, tampered or old links never give
a 500, and nothing is tracked in test sends or for people who opted out."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from relance.accounts.models import Agency
from relance.campaigns.models import Recipient
from relance.contacts.models import Contact
from relance.contacts.services.contacts import set_opt_out
from relance.interactions.models import Interaction
from relance.outreach import services
from relance.outreach.models import TrackedLink

from .test_outreach_preferences import path
from .test_outreach_sending import brief, by_recipient, queue  # noqa: F401

pytestmark = pytest.mark.django_db

KIT = "https://eolia.example/kit"


@pytest.fixture
def delivered(brief, cast, smtpd, django_capture_on_commit_callbacks):  # noqa: F811
    queue(cast["manager"], brief, django_capture_on_commit_callbacks)
    return by_recipient(smtpd)


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def click_link(html: str) -> str:
    return re.search(r'href="(https?://[^"]+/t/c/[^"]+/)"', html).group(1)


def pixel_link(html: str) -> str:
    return re.search(r'<img src="(https?://[^"]+/t/o/[^"]+\.gif)"', html).group(1)


def john() -> Recipient:
    return Recipient.objects.get(contact__last_name="Smith")


def test_links_go_through_the_redirect_which_counts_each_click(delivered):
    message = delivered["john@wire.example"]
    html = html_of(message)
    assert KIT not in html  # the address is behind the redirect in the HTML part
    assert KIT in message.get_body(("plain",)).get_content()  # the text part reads plainly
    link = click_link(html)
    http = HttpClient()
    assert http.head(path(link)).status_code == 302  # a link checker: sent on, not counted
    assert john().clicks == 0
    response = http.get(path(link))
    assert response.status_code == 302 and response["Location"] == KIT
    assert response["Cache-Control"] == "no-store"
    http.get(path(link))
    row = john()
    assert row.clicks == 2 and row.clicked_at is not None
    assert row.opened_at is not None  # a click shows the message was opened
    assert TrackedLink.objects.get(url=KIT).clicks == 2
    history = Interaction.objects.filter(contact=row.contact).values_list("outcome", flat=True)
    assert sorted(history) == ["clicked", "opened", "sent"]
    clicked = Interaction.objects.get(contact=row.contact, outcome="clicked")
    assert clicked.details == {"url": KIT} and clicked.campaign_id == row.campaign_id


def test_the_pixel_counts_opens_and_records_the_first_once(delivered):
    link = pixel_link(html_of(delivered["claire@courrier.example"]))
    http = HttpClient()
    for _ in range(3):
        response = http.get(path(link))
        assert response.status_code == 200 and response["Content-Type"] == "image/gif"
        assert response.content.startswith(b"GIF89a")
    row = Recipient.objects.get(contact__last_name="Dubois")
    assert row.opens == 3 and row.opened_at is not None
    assert Interaction.objects.filter(contact=row.contact, outcome="opened").count() == 1


def test_tampered_links_get_a_page_or_the_pixel_never_an_error(delivered):
    html = html_of(delivered["john@wire.example"])
    http = HttpClient()
    bad_click = path(click_link(html)).replace("/t/c/", "/t/c/x")
    response = http.get(bad_click)
    assert response.status_code == 400 and b"link" in response.content.lower()
    bad_pixel = path(pixel_link(html)).replace("/t/o/", "/t/o/x")
    assert http.get(bad_pixel).content.startswith(b"GIF89a")
    assert http.get("/t/c/nothing-at-all/").status_code == 400
    assert john().clicks == 0 and john().opens == 0


def test_an_old_link_still_leads_to_the_address_without_counting(delivered):
    link = path(click_link(html_of(delivered["john@wire.example"])))
    with time_machine.travel(timezone.now() + timedelta(days=200)):
        response = HttpClient().get(link)
    assert response.status_code == 302 and response["Location"] == KIT
    assert john().clicks == 0


def test_nothing_is_recorded_for_someone_who_opted_out(delivered):
    html = html_of(delivered["john@wire.example"])
    set_opt_out(None, Contact.objects.get(last_name="Smith"), True, by_journalist=True)
    http = HttpClient()
    assert http.get(path(click_link(html)))["Location"] == KIT
    http.get(path(pixel_link(html)))
    row = john()
    assert (row.clicks, row.opens, row.opened_at) == (0, 0, None)


def test_the_agency_can_switch_tracking_off(brief, cast, smtpd, django_capture_on_commit_callbacks):  # noqa: F811
    agency = Agency.current()
    agency.track_opens = agency.track_clicks = False
    agency.save()
    queue(cast["manager"], brief, django_capture_on_commit_callbacks)
    html = html_of(by_recipient(smtpd)["john@wire.example"])
    assert f'href="{KIT}"' in html
    assert "/t/o/" not in html and "/t/c/" not in html
    assert not TrackedLink.objects.exists()


def test_switching_off_stops_counting_what_older_messages_carry(delivered):
    html = html_of(delivered["john@wire.example"])
    agency = Agency.current()
    agency.track_opens = agency.track_clicks = False
    agency.save()
    http = HttpClient()
    assert http.get(path(click_link(html)))["Location"] == KIT
    http.get(path(pixel_link(html)))
    assert (john().clicks, john().opens) == (0, 0)


def test_a_test_send_is_never_tracked(brief, cast, smtpd):  # noqa: F811
    manager = cast["manager"]
    manager.email = "marc@agence.example"
    manager.save()
    services.send_test(manager, brief, "en")
    html = html_of(by_recipient(smtpd)["marc@agence.example"])
    assert f'href="{KIT}"' in html
    assert "/t/" not in html


def test_the_sending_page_says_opens_are_approximate(delivered, login, brief):  # noqa: F811
    HttpClient().get(path(pixel_link(html_of(delivered["claire@courrier.example"]))))
    page = login("manager").get(f"/campaigns/{brief.pk}/sending/").content.decode()
    assert "Opened (approximate)" in page
    assert re.search(r'data-count="opened">\s*1<', page)
    assert re.search(r'data-count="delivered">\s*2<', page)
