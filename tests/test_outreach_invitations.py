"""Invitations to events and press conferences, sent to a loopback SMTP
server: answer buttons that open the RSVP page (the answer is recorded only
when confirmed), a calendar file that parses as a real event in the right
time zone, the journalist's answer on the guest list and the history, the
guest list's counts, exports and phone answers, and clear pages for bad
input, old events and altered links."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from relance.audit.models import AuditEntry
from relance.campaigns.models import Recipient
from relance.interactions.models import Interaction

from .factories import campaign, contact, message, outlet, recipients
from .test_outreach_preferences import path
from .test_outreach_sending import by_recipient, queue

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
EVENT_AT = datetime(2031, 3, 12, 10, 30, tzinfo=PARIS)


@pytest.fixture
def invitation(cast, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    m = cast["manager"]
    m.email, m.first_name, m.last_name = "marc@agence.example", "Marc", "Lefèvre"
    m.save()
    lyon = outlet(m, "Le Courrier de Lyon")
    people = [
        contact(m, "Dubois", outlet_id=lyon.pk, emails=["claire@courrier.example"]),
        contact(m, "Martin", first_name="Léa", outlet_id=lyon.pk, emails=["lea@courrier.example"]),
        contact(m, "Petit", first_name="Jean", outlet_id=lyon.pk, emails=["jean@courrier.example"]),
    ]
    brief = campaign(
        m,
        "Inauguration du parc éolien",
        kind="event",
        event_at=EVENT_AT.isoformat(),
        event_place="Parc éolien de la Crau",
        summary="Visite du parc avec la directrice générale.",
        team=["officer"],
    )
    recipients(m, brief, people)
    message(m, brief, "fr", subject="Invitation", body="<p>Bonjour {{ first_name }},</p>")
    return brief


@pytest.fixture
def delivered(invitation, cast, smtpd, django_capture_on_commit_callbacks):
    queue(cast["manager"], invitation, django_capture_on_commit_callbacks)
    return by_recipient(smtpd)


def rsvp_link(message, answer: str) -> str:
    html = message.get_body(("html",)).get_content()
    return path(re.search(rf'href="(https?://[^"]+/rsvp/\?answer={answer})"', html).group(1))


def answer_page(message) -> str:
    return rsvp_link(message, "yes").split("?")[0]


def test_the_invitation_carries_answer_buttons_and_a_calendar_file(delivered, invitation):
    claire = delivered["claire@courrier.example"]
    html = claire.get_body(("html",)).get_content()
    text = claire.get_body(("plain",)).get_content()
    for answer in ("yes", "maybe", "no"):
        assert f"/rsvp/?answer={answer}" in html and f"/rsvp/?answer={answer}" in text
    assert "Serez-vous des nôtres" in text
    (ics,) = [p for p in claire.iter_attachments() if p.get_filename() == "invitation.ics"]
    assert ics.get_content_type() == "text/calendar"
    assert ics.get_param("method") == "PUBLISH" and ics.get_content_charset() == "utf-8"
    calendar = icalendar.Calendar.from_ical(ics.get_content())
    assert calendar["METHOD"] == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    assert event["SUMMARY"] == "Inauguration du parc éolien"
    assert event["LOCATION"] == "Parc éolien de la Crau"
    assert event.decoded("DTSTART") == EVENT_AT
    assert event.decoded("DTSTART").tzinfo.key == "Europe/Paris"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=2)
    assert event["UID"].startswith(f"campaign-{invitation.pk}@")
    assert "mailto:marc@agence.example" in str(event["ORGANIZER"])
    assert calendar.walk("VTIMEZONE"), "the time zone travels with the event"
    # The same event for every guest: the same UID, so calendars update it.
    john = delivered["lea@courrier.example"]
    (other,) = [p for p in john.iter_attachments() if p.get_filename() == "invitation.ics"]
    assert (
        icalendar.Calendar.from_ical(other.get_content()).walk("VEVENT")[0]["UID"] == event["UID"]
    )


def test_a_release_has_no_answer_buttons_nor_calendar(
    cast, smtpd, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    m = cast["manager"]
    release = campaign(m, team=["officer"])
    recipients(m, release, [contact(m, "Dubois", emails=["claire@courrier.example"])])
    message(m, release, "fr")
    queue(m, release, django_capture_on_commit_callbacks)
    claire = by_recipient(smtpd)["claire@courrier.example"]
    assert "/rsvp/" not in claire.get_body(("html",)).get_content()
    assert not [p for p in claire.iter_attachments() if p.get_filename() == "invitation.ics"]


def test_the_buttons_open_the_page_and_only_a_confirmation_answers(delivered):
    claire = delivered["claire@courrier.example"]
    http = HttpClient()
    page = http.get(rsvp_link(claire, "yes"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Inauguration du parc éolien" in body and "Parc éolien de la Crau" in body
    assert re.search(r'value="yes"[^>]*checked', body)
    row = Recipient.objects.get(contact__last_name="Dubois")
    assert row.rsvp == ""  # a scanner following the link answers nothing
    response = http.post(
        answer_page(claire), {"answer": "yes", "guests": "2", "note": "Avec un photographe"}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.rsvp, row.guests, row.rsvp_note) == ("yes", 2, "Avec un photographe")
    said = Interaction.objects.get(contact=row.contact, outcome="rsvp_yes")
    assert said.details["guests"] == 2 and said.notes == "Avec un photographe"
    assert said.direction == "in" and said.user is None
    assert AuditEntry.objects.filter(action="rsvp", changes__by="journalist").exists()
    # The same answer again (a double click) changes nothing more.
    http.post(answer_page(claire), {"answer": "yes", "guests": "2", "note": "Avec un photographe"})
    assert Interaction.objects.filter(contact=row.contact, outcome="rsvp_yes").count() == 1
    # Changing one's mind is recorded as such.
    http.post(answer_page(claire), {"answer": "no"})
    row.refresh_from_db()
    assert (row.rsvp, row.guests) == ("no", 0)
    assert Interaction.objects.filter(contact=row.contact, outcome="rsvp_no").count() == 1


def test_bad_answers_are_refused_by_field_without_writing(delivered):
    claire = delivered["claire@courrier.example"]
    http = HttpClient()
    response = http.post(answer_page(claire), {"answer": "yes", "guests": "beaucoup"})
    assert response.status_code == 400
    assert "nombre entier" in response.content.decode()  # in the journalist's language
    response = http.post(answer_page(claire), {"guests": "1"})
    assert response.status_code == 400
    response = http.post(answer_page(claire), {"answer": "yes", "guests": "99"})
    assert response.status_code == 400
    assert Recipient.objects.get(contact__last_name="Dubois").rsvp == ""


def test_after_the_event_the_page_says_so_and_refuses_answers(delivered, invitation):
    claire = delivered["claire@courrier.example"]
    soon = timezone.now() + timedelta(days=2)
    type(invitation).objects.filter(pk=invitation.pk).update(event_at=soon)
    with time_machine.travel(soon + timedelta(hours=3)):
        http = HttpClient()
        page = http.get(rsvp_link(claire, "yes"))
        assert page.status_code == 200 and "déjà eu lieu" in page.content.decode()
        assert http.post(answer_page(claire), {"answer": "yes"}).status_code == 400
    assert Recipient.objects.get(contact__last_name="Dubois").rsvp == ""


def test_an_altered_link_gets_a_clear_page(delivered):
    page = answer_page(delivered["claire@courrier.example"])
    broken = page.replace("/p/", "/p/x", 1)
    assert HttpClient().get(broken).status_code == 400
    assert HttpClient().post(broken, {"answer": "yes"}).status_code == 400


def test_the_page_offers_the_calendar_file(delivered):
    page = answer_page(delivered["claire@courrier.example"])
    response = HttpClient().get(page + "event.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == EVENT_AT


def test_a_montreal_manager_invites_in_montreal_time(cast, invitation):
    from relance.outreach.invitations import ics

    manager = invitation.manager
    manager.time_zone = "America/Montreal"
    manager.save()
    event = icalendar.Calendar.from_ical(ics(invitation)).walk("VEVENT")[0]
    start = event.decoded("DTSTART")
    assert start.tzinfo.key == "America/Montreal"
    assert start == EVENT_AT and start.hour == 5  # 10:30 in Paris, 05:30 in Montreal


def test_the_guest_list_counts_answers_and_takes_phone_answers(delivered, login, invitation):
    http = HttpClient()
    http.post(answer_page(delivered["claire@courrier.example"]), {"answer": "yes", "guests": "1"})
    http.post(answer_page(delivered["lea@courrier.example"]), {"answer": "maybe"})
    officer = login("officer")
    page = officer.get(f"/campaigns/{invitation.pk}/guests/").content.decode()
    assert re.search(r'data-count="yes">1<', page)
    assert re.search(r'data-count="expected">2<', page)  # Claire and her companion
    assert re.search(r'data-count="maybe">1<', page)
    assert re.search(r'data-count="no_answer">1<', page)
    assert "Dubois" in page and "Petit" in page
    confirmed = officer.get(f"/campaigns/{invitation.pk}/guests/?status=yes").content.decode()
    assert "Dubois" in confirmed and "Petit" not in confirmed
    # Jean says yes on the phone, with a camera crew of two.
    jean = Recipient.objects.get(contact__last_name="Petit")
    response = officer.post(
        f"/campaigns/{invitation.pk}/guests/{jean.pk}/answer/", {"answer": "yes", "guests": "2"}
    )
    assert response.status_code == 302
    jean.refresh_from_db()
    assert (jean.rsvp, jean.guests) == ("yes", 2)
    call = Interaction.objects.get(contact=jean.contact, outcome="rsvp_yes")
    assert call.channel == "phone" and call.user.username == "officer"
    page = officer.get(f"/campaigns/{invitation.pk}/guests/").content.decode()
    assert re.search(r'data-count="expected">5<', page)
    bad = officer.post(
        f"/campaigns/{invitation.pk}/guests/{jean.pk}/answer/", {"answer": "yes", "guests": "x"}
    )
    assert bad.status_code == 302
    jean.refresh_from_db()
    assert jean.guests == 2  # refused, with a message, nothing changed


def test_a_client_viewer_reads_the_counts_not_the_names(delivered, login, invitation):
    HttpClient().post(answer_page(delivered["claire@courrier.example"]), {"answer": "yes"})
    page = login("viewer").get(f"/campaigns/{invitation.pk}/guests/").content.decode()
    assert re.search(r'data-count="yes">1<', page)
    assert "Dubois" not in page


def test_exports_for_the_door(delivered, login, invitation):
    http = HttpClient()
    http.post(answer_page(delivered["claire@courrier.example"]), {"answer": "yes", "guests": "1"})
    http.post(answer_page(delivered["lea@courrier.example"]), {"answer": "no"})
    manager = login("manager")
    response = manager.get(f"/campaigns/{invitation.pk}/guests/export.csv")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Name", "Outlet", "Role", "Answer"]
    assert rows[1][0] == "Claire Dubois" and rows[1][3] == "Confirmed" and rows[1][5] == "2"
    assert [r[0] for r in rows[1:]] == ["Claire Dubois", "Léa Martin", "Jean Petit"]
    pdf = manager.get(f"/campaigns/{invitation.pk}/guests/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert login("intern").get(f"/campaigns/{invitation.pk}/guests/export.csv").status_code == 403
    assert manager.get(f"/campaigns/{invitation.pk}/guests/export.xls").status_code == 404


def test_a_release_has_no_guest_list(login, cast):
    release = campaign(cast["manager"])
    assert login("manager").get(f"/campaigns/{release.pk}/guests/").status_code == 404


def test_the_preview_shows_the_answer_buttons(invitation, login):
    page = login("manager").get(f"/campaigns/{invitation.pk}/message/preview/").content.decode()
    assert "answer=yes" in page


def test_an_event_end_before_its_start_is_refused(invitation, cast):
    from django.core.exceptions import ValidationError

    from relance.campaigns.services import update_campaign

    with pytest.raises(ValidationError) as caught:
        update_campaign(
            cast["manager"], invitation, {"event_ends_at": (EVENT_AT - timedelta(hours=1))}
        )
    assert "event_ends_at" in caught.value.message_dict
    update_campaign(cast["manager"], invitation, {"event_ends_at": EVENT_AT + timedelta(hours=5)})
    invitation.refresh_from_db()
    assert invitation.event_end - invitation.event_at == timedelta(hours=5)
    assert timezone.is_aware(invitation.event_end)
