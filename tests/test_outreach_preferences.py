"""The journalist's links in every campaign message: List-Unsubscribe with
one-click POST (RFC 8058), a footer link to a preference page without an
account, choices that apply at once and that the agency cannot override,
and clear pages for altered or expired links (never a 500)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.utils import timezone

from relance.audit.models import AuditEntry
from relance.contacts.models import Beat, Contact
from relance.contacts.services.contacts import set_opt_out
from relance.outreach import links, services

from .factories import campaign, message, recipients
from .test_outreach_sending import brief, by_recipient, queue  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(brief, cast, smtpd, django_capture_on_commit_callbacks):  # noqa: F811
    queue(cast["manager"], brief, django_capture_on_commit_callbacks)
    return by_recipient(smtpd)


def link_in(text: str) -> str:
    return re.search(r"https?://\S+/p/[^/\s]+/", text).group(0)


def path(url: str) -> str:
    return url.split("://", 1)[1].partition("/")[2].join(["/", ""])


def test_every_message_carries_the_unsubscribe_headers_and_the_footer(delivered):
    claire = delivered["claire@courrier.example"]
    assert claire["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = claire["List-Unsubscribe"].strip("<>")
    assert unsubscribe.endswith("/unsubscribe/")
    text = claire.get_body(("plain",)).get_content()
    html = claire.get_body(("html",)).get_content()
    assert "Vos préférences" in text and link_in(text) in html
    john = delivered["john@wire.example"].get_body(("plain",)).get_content()
    assert "Your preferences" in john  # the footer speaks the message's language


def test_one_click_unsubscribe_is_the_journalists_own_and_final(delivered, cast, brief):  # noqa: F811
    url = delivered["claire@courrier.example"]["List-Unsubscribe"].strip("<>")
    http = HttpClient(enforce_csrf_checks=True)
    assert http.get(path(url)).status_code == 200  # a GET only asks
    claire = Contact.objects.get(last_name="Dubois")
    assert not claire.opted_out
    response = http.post(path(url), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "désinscrit" in response.content.decode()
    claire.refresh_from_db()
    assert claire.opted_out and claire.opted_out_source == "self"
    with pytest.raises(ValidationError):
        set_opt_out(cast["manager"], claire, False)
    # The agency's next campaign leaves her out.
    m = cast["manager"]
    following = campaign(m, "Salon de l'énergie", team=["officer"])
    recipients(m, following, [claire])
    message(m, following, "fr")
    assert services.queue_campaign(m, following).left_out["opted_out"] == 1


def test_the_preference_page_records_the_journalists_choices(delivered):
    url = link_in(delivered["claire@courrier.example"].get_body(("plain",)).get_content())
    http = HttpClient()
    page = http.get(path(url))
    assert page.status_code == 200 and "Vos préférences" in page.content.decode()
    energy = Beat.objects.create(name="Énergie", key="energie")
    back = timezone.localdate() + timedelta(days=20)
    response = http.post(
        path(url),
        {
            "no_calls": "on",
            "paused_until": back.isoformat(),
            "language": "en",
            "beats": [energy.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "your choices are saved" in response.content.decode()  # now in English
    claire = Contact.objects.get(last_name="Dubois")
    assert not claire.accepts_phone and claire.paused_until == back and claire.language == "en"
    assert list(claire.beats.values_list("name", flat=True)) == ["Énergie"]
    entry = AuditEntry.objects.filter(action="preferences").get()
    assert entry.changes["by"] == "journalist" and entry.actor is None


def test_bad_choices_are_explained_not_saved(delivered):
    url = link_in(delivered["claire@courrier.example"].get_body(("plain",)).get_content())
    http = HttpClient()
    past = (timezone.localdate() - timedelta(days=2)).isoformat()
    response = http.post(path(url), {"paused_until": past, "language": "fr"})
    assert response.status_code == 400
    assert "à partir d’aujourd’hui" in response.content.decode()
    too_long = (timezone.localdate() + timedelta(days=800)).isoformat()
    response = http.post(path(url), {"paused_until": too_long, "language": "fr"})
    assert response.status_code == 400
    assert Contact.objects.get(last_name="Dubois").paused_until is None


def test_altered_and_expired_links_answer_a_clear_page(delivered):
    url = link_in(delivered["claire@courrier.example"].get_body(("plain",)).get_content())
    token = path(url).split("/")[2]
    http = HttpClient()
    altered = http.get(f"/p/{token[:-2]}xx/")
    assert altered.status_code == 400
    assert http.post("/p/nonsense/unsubscribe/").status_code == 400
    with time_machine.travel(timezone.now() + timedelta(days=links.LINK_DAYS + 1)):
        expired = http.get(path(url))
    assert expired.status_code == 410
    assert "trop ancien" in expired.content.decode() or "too old" in expired.content.decode()
