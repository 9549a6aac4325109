"""The message and sending pages: writing the message per language,
preview, queueing from the page, live progress, pause and resume, and
who gets which answer when posting."""

from __future__ import annotations

import pytest
from django.urls import reverse

from relance.contacts.models import Contact
from relance.outreach.models import CampaignMessage, OutboxMessage, OutboxState

from .factories import campaign, contact, message, outlet, recipients

pytestmark = pytest.mark.django_db


@pytest.fixture
def brief(cast, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    m = cast["manager"]
    lyon = outlet(m, "Le Courrier de Lyon")
    claire = contact(m, "Dubois", outlet_id=lyon.pk, emails=["claire@courrier.example"])
    gone = contact(m, "Parti", emails=["parti@x.example"])
    Contact.objects.filter(pk=gone.pk).update(opted_out=True)
    b = campaign(m, team=["officer"])
    recipients(m, b, [claire, gone])
    return b


def url(name, brief):
    return reverse(f"outreach:{name}", args=[brief.pk])


def test_writing_the_message_names_unknown_fields(brief, login):
    http = login("officer")
    response = http.post(
        url("message_edit", brief),
        {"language": "fr", "subject": "Bonjour {{ prenom }}", "body": "Texte"},
    )
    assert response.status_code == 200
    assert "{{ prenom }}" in response.content.decode()
    assert not CampaignMessage.objects.exists()
    response = http.post(
        url("message_edit", brief),
        {"language": "fr", "subject": "Pour {{ outlet }}", "body": "Bonjour {{ first_name }}"},
    )
    assert response.status_code == 302
    saved = CampaignMessage.objects.get()
    assert saved.body == "<p>Bonjour {{ first_name }}</p>"


def test_an_intern_reads_the_message_but_cannot_change_it(brief, cast, login):
    message(cast["manager"], brief)
    http = login("intern")
    page = http.get(url("message_edit", brief))
    assert page.status_code == 200 and b'name="subject"' not in page.content
    response = http.post(
        url("message_edit", brief), {"language": "fr", "subject": "x", "body": "y"}
    )
    assert response.status_code == 403


def test_preview_for_a_recipient(brief, cast, login):
    message(cast["manager"], brief)
    recipient = brief.recipients.get(contact__last_name="Dubois")
    page = login("intern").get(url("message_preview", brief), {"recipient": recipient.pk})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Communiqué : Le Courrier de Lyon" in text and "Bonjour Claire Dubois" in text
    other = campaign(cast["manager"], "Autre")
    stranger = recipients(cast["manager"], other, [Contact.objects.get(last_name="Parti")])[0]
    missing = login("intern").get(url("message_preview", brief), {"recipient": stranger.pk})
    assert missing.status_code == 404


def test_queueing_from_the_page_reports_who_was_left_out(
    brief, cast, login, django_capture_on_commit_callbacks, settings
):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    message(cast["manager"], brief)
    http = login("officer")
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(url("send", brief), {"at": ""}, follow=True)
    text = response.content.decode()
    assert "1 message(s) queued." in text and "opted out" in text
    assert OutboxMessage.objects.get().state == OutboxState.SENT
    progress = http.get(url("sending", brief), HTTP_HX_REQUEST="true")
    assert b'data-count="sent">1<' in progress.content
    assert b"hx-trigger" not in progress.content  # finished: no more polling


def test_progress_polls_while_sending_and_pause_resume(
    brief, cast, login, django_capture_on_commit_callbacks
):
    message(cast["manager"], brief)
    http = login("manager")
    with django_capture_on_commit_callbacks(execute=False):
        http.post(url("send", brief), {"at": ""})
    page = http.get(url("sending", brief))
    assert b'hx-trigger="every 2s"' in page.content and b"Pause" in page.content
    http.post(url("pause", brief))
    assert OutboxMessage.objects.get().state == OutboxState.PAUSED
    with django_capture_on_commit_callbacks(execute=False):
        http.post(url("resume", brief))
    assert OutboxMessage.objects.get().state == OutboxState.QUEUED


@pytest.mark.parametrize("role", ["intern", "cm", "viewer"])
@pytest.mark.parametrize("action", ["send", "pause", "resume", "requeue", "message_test"])
def test_those_who_may_not_send_get_403(role, action, brief, cast, login):
    message(cast["manager"], brief)
    assert login(role).post(url(action, brief)).status_code == 403
    assert not OutboxMessage.objects.exists()


def test_a_bad_date_is_a_message_not_a_500(brief, cast, login):
    message(cast["manager"], brief)
    response = login("manager").post(url("send", brief), {"at": "demain"}, follow=True)
    assert response.status_code == 200 and b"Not a date and time" in response.content
    assert not OutboxMessage.objects.exists()


def test_a_scheduled_send_shows_when(brief, cast, login, django_capture_on_commit_callbacks):
    message(cast["manager"], brief)
    http = login("manager")
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(url("send", brief), {"at": "2099-03-09T09:30"}, follow=True)
    text = response.content.decode()
    assert "1 message(s) scheduled." in text and "Next message due" in text
    assert OutboxMessage.objects.get().state == OutboxState.QUEUED
