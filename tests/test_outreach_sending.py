"""Sending a campaign through the outbox to a real SMTP server on loopback:
what arrives (headers, both parts, merge fields per language, attachments),
temporary and permanent errors, journalists' choices at queue and at claim
time, pause and resume, stale rows, and who may send."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from relance.campaigns.models import CampaignStatus, Recipient, RecipientState
from relance.campaigns.services import add_attachment
from relance.contacts.models import Contact, ContactEmail
from relance.outreach import compose, sending, services
from relance.outreach.models import OutboxMessage, OutboxState

from .factories import campaign, contact, message, outlet, recipients

pytestmark = pytest.mark.django_db


@pytest.fixture
def brief(cast, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.CAMPAIGN_FROM_EMAIL = "presse@agence.example"
    m = cast["manager"]
    m.first_name, m.last_name, m.phone = "Marc", "Lefèvre", "+33 4 72 00 00 00"
    m.save()
    lyon = outlet(m, "Le Courrier de Lyon")
    wire = outlet(m, "Daily Wire", country="GB", language="en")
    claire = contact(m, "Dubois", outlet_id=lyon.pk, emails=["claire@courrier.example"])
    john = contact(
        m,
        "Smith",
        first_name="John",
        outlet_id=wire.pk,
        language="en",
        emails=["john@wire.example"],
    )
    b = campaign(m, team=["officer"], language="fr")
    recipients(m, b, [claire, john])
    message(m, b, "fr")
    message(
        m,
        b,
        "en",
        subject="Release for {{ outlet }}",
        body="<p>Hello {{ first_name }},</p><ul><li>One</li></ul>"
        '<p><a href="https://eolia.example/kit">Media kit</a></p><p>{{ signature }}</p>',
    )
    add_attachment(m, b, SimpleUploadedFile("kit.pdf", b"%PDF-1.4\n%kit\n"), "Dossier")
    return b


def queue(actor, brief, capture, **kwargs):
    with capture(execute=True):
        return services.queue_campaign(actor, brief, **kwargs)


def parsed(envelope):
    return email.message_from_bytes(envelope.content, policy=email.policy.default)


def by_recipient(smtpd):
    return {env.rcpt_tos[0]: parsed(env) for env in smtpd.envelopes}


def test_messages_arrive_personalised_with_both_parts_and_the_media_kit(
    brief, cast, smtpd, django_capture_on_commit_callbacks
):
    report = queue(cast["manager"], brief, django_capture_on_commit_callbacks)
    assert report.queued == 2 and not report.left_out
    received = by_recipient(smtpd)
    assert set(received) == {"claire@courrier.example", "john@wire.example"}

    fr = received["claire@courrier.example"]
    row = OutboxMessage.objects.get(to_address="claire@courrier.example")
    assert fr["Message-ID"] == row.message_id
    assert fr["Subject"] == "Communiqué : Le Courrier de Lyon"
    assert fr["To"] == "claire@courrier.example"
    assert fr["From"].addresses[0].display_name == "Marc Lefèvre"
    assert fr["From"].addresses[0].addr_spec == "presse@agence.example"
    assert fr["Reply-To"] == "manager@agency.example"
    text = fr.get_body(("plain",)).get_content()
    html = fr.get_body(("html",)).get_content()
    assert "Bonjour Claire Dubois," in text and "Bonjour Claire Dubois," in html
    assert "Marc Lefèvre" in text and "+33 4 72 00 00 00" in text
    assert "{{" not in text + html
    [kit] = list(fr.iter_attachments())
    assert kit.get_filename() == "kit.pdf" and kit.get_content() == b"%PDF-1.4\n%kit\n"

    en = received["john@wire.example"]
    assert en["Subject"] == "Release for Daily Wire"
    en_text = en.get_body(("plain",)).get_content()
    assert "Hello John," in en_text
    assert "- One" in en_text and "Media kit <https://eolia.example/kit>" in en_text
    assert '<html lang="en">' in en.get_body(("html",)).get_content()

    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.SENT}
    assert row.server_reply.startswith("2.0.0 Ok: queued as") and row.smtp_code == 250
    assert set(Recipient.objects.values_list("state", flat=True)) == {RecipientState.SENT}
    assert Recipient.objects.filter(sent_at__isnull=True).count() == 0
    brief.refresh_from_db()
    assert brief.status == CampaignStatus.SENT and brief.sent_at is not None
    # Queueing again sends nothing twice.
    again = queue(cast["manager"], brief, django_capture_on_commit_callbacks)
    assert again.queued == 0 and again.left_out == {"already_queued": 2}
    assert len(smtpd.envelopes) == 2


def test_a_451_is_retried_later_with_back_off_and_the_same_message_id(
    brief, cast, smtpd, settings, django_capture_on_commit_callbacks
):
    settings.SEND_RETRY_SECONDS = 60
    smtpd.answers["claire@courrier.example"] = "451 4.7.1 Greylisted, try again later"
    start = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        queue(cast["manager"], brief, django_capture_on_commit_callbacks)
        row = OutboxMessage.objects.get(to_address="claire@courrier.example")
        assert row.state == OutboxState.QUEUED and row.attempts == 1
        assert row.smtp_code == 451 and "Greylisted" in row.last_error
        assert row.next_attempt_at == start + timedelta(seconds=60)
        assert [e.rcpt_tos for e in smtpd.envelopes] == [["john@wire.example"]]
        message_id = row.message_id

        # Not due yet: a task running early leaves it alone.
        assert sending.send_batch([row.pk])["claimed"] == 0
        clock.move_to(start + timedelta(seconds=61))
        sending.send_batch([row.pk])
        row.refresh_from_db()
        assert row.attempts == 2
        assert row.next_attempt_at == start + timedelta(seconds=61 + 120)  # doubled

        del smtpd.answers["claire@courrier.example"]
        clock.move_to(start + timedelta(seconds=200))
        sending.send_batch([row.pk])
    row.refresh_from_db()
    assert row.state == OutboxState.SENT and row.attempts == 3
    [arrived] = [parsed(e) for e in smtpd.envelopes if e.rcpt_tos == ["claire@courrier.example"]]
    assert arrived["Message-ID"] == message_id


def test_temporary_errors_give_up_after_the_last_attempt(
    brief, cast, smtpd, settings, django_capture_on_commit_callbacks
):
    settings.SEND_MAX_ATTEMPTS = 1
    smtpd.answers["john@wire.example"] = "421 4.3.0 Too busy"
    queue(cast["manager"], brief, django_capture_on_commit_callbacks)
    row = OutboxMessage.objects.get(to_address="john@wire.example")
    assert row.state == OutboxState.FAILED and "Too busy" in row.last_error


def test_a_550_fails_for_good_with_the_servers_answer(
    brief, cast, smtpd, django_capture_on_commit_callbacks
):
    smtpd.answers["john@wire.example"] = "550 5.1.1 No such user here"
    queue(cast["manager"], brief, django_capture_on_commit_callbacks)
    row = OutboxMessage.objects.get(to_address="john@wire.example")
    assert row.state == OutboxState.FAILED
    assert row.smtp_code == 550 and "5.1.1 No such user here" in row.last_error
    assert row.recipient.state == RecipientState.FAILED
    # The connection went on for the others.
    assert [e.rcpt_tos for e in smtpd.envelopes] == [["claire@courrier.example"]]


def test_an_unreachable_server_puts_the_whole_batch_back_in_the_queue(
    brief, cast, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    queue(cast["manager"], brief, django_capture_on_commit_callbacks)
    rows = list(OutboxMessage.objects.order_by("pk"))
    assert {r.state for r in rows} == {OutboxState.QUEUED}
    assert [r.attempts for r in rows] == [1, 0]  # only the first one was tried
    assert all(r.next_attempt_at > timezone.now() for r in rows)


def _choices_cases():
    return {
        "opted_out": {"opted_out": True},
        "do_not_contact": {"do_not_contact": True},
        "paused": {"paused_until": dt.date(2099, 1, 1)},
    }


def test_journalists_choices_are_honoured_when_queueing(
    brief, cast, smtpd, django_capture_on_commit_callbacks
):
    m = cast["manager"]
    extra = []
    for name, fields in _choices_cases().items():
        c = contact(m, name.title(), emails=[f"{name}@x.example"])
        Contact.objects.filter(pk=c.pk).update(**fields)
        extra.append(c)
    bounced = contact(m, "Bounced", emails=["bounced@x.example"])
    ContactEmail.objects.filter(contact=bounced).update(status="bounced")
    silent = contact(m, "Silent")
    recipients(m, brief, [*extra, bounced, silent])
    report = queue(m, brief, django_capture_on_commit_callbacks)
    assert report.queued == 2
    assert report.left_out == {
        "opted_out": 1,
        "do_not_contact": 1,
        "paused": 1,
        "bounced": 1,
        "no_email": 1,
    }
    assert {e.rcpt_tos[0] for e in smtpd.envelopes} == {
        "claire@courrier.example",
        "john@wire.example",
    }


@pytest.mark.parametrize("change", ["opted_out", "do_not_contact", "paused", "bounced"])
def test_a_choice_made_after_queueing_is_honoured_when_claiming(
    change, brief, cast, smtpd, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.queue_campaign(cast["manager"], brief)
    john = Contact.objects.get(last_name="Smith")
    if change == "bounced":
        ContactEmail.objects.filter(contact=john).update(status="bounced")
    else:
        Contact.objects.filter(pk=john.pk).update(**_choices_cases()[change])
    for callback in callbacks:
        callback()
    row = OutboxMessage.objects.get(contact=john)
    assert row.state == OutboxState.SKIPPED and row.last_error == change
    assert row.recipient.state == RecipientState.TARGETED
    assert [e.rcpt_tos for e in smtpd.envelopes] == [["claire@courrier.example"]]


def test_pause_and_resume(brief, cast, smtpd, django_capture_on_commit_callbacks):
    m = cast["manager"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.queue_campaign(m, brief)
    assert services.pause(m, brief) == 2
    for callback in callbacks:  # the worker runs the tasks: nothing to claim
        callback()
    assert smtpd.envelopes == []
    assert services.progress(brief)["paused"] == 2
    # Rows queued while paused wait too.
    late = contact(m, "Late", emails=["late@x.example"])
    recipients(m, brief, [late])
    queue(m, brief, django_capture_on_commit_callbacks)
    assert smtpd.envelopes == [] and services.progress(brief)["paused"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resume(m, brief) == 3
    assert len(smtpd.envelopes) == 3
    assert services.progress(brief)["sent"] == 3


def test_rows_left_sending_by_a_dead_worker(brief, cast, smtpd, django_capture_on_commit_callbacks):
    m = cast["manager"]
    with django_capture_on_commit_callbacks(execute=False):
        services.queue_campaign(m, brief)
    ids = list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))
    _token, rows = sending.claim(ids)  # ...and the worker dies before sending
    assert len(rows) == 2
    assert sending.mark_stale() == {"uncertain": 0, "requeued": 0}  # not stale yet
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.mark_stale(timeout=-1) == {"uncertain": 1, "requeued": 1}
    first, second = OutboxMessage.objects.order_by("pk")
    # The first may have been in the SMTP exchange: never re-sent by itself.
    assert first.state == OutboxState.UNCERTAIN
    assert second.state == OutboxState.SENT  # never started: queued again, sent
    assert len(smtpd.envelopes) == 1
    # A person decides to send it again.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue(m, brief) == 1
    first.refresh_from_db()
    assert first.state == OutboxState.SENT and len(smtpd.envelopes) == 2


def test_a_scheduled_send_waits_for_its_time(
    brief, cast, smtpd, django_capture_on_commit_callbacks
):
    at = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_campaign", str(brief.pk), "--at", at.isoformat())
    assert smtpd.envelopes == []
    brief.refresh_from_db()
    assert brief.status == CampaignStatus.SCHEDULED
    ids = list(OutboxMessage.objects.values_list("pk", flat=True))
    assert sending.send_batch(ids)["claimed"] == 0
    with time_machine.travel(at + timedelta(seconds=1)):
        sending.send_batch(ids)
    assert len(smtpd.envelopes) == 2


@pytest.mark.parametrize("role", ["intern", "cm", "viewer", "outsider"])
def test_only_senders_may_queue_pause_or_resume(role, brief, cast):
    for action in (services.queue_campaign, services.pause, services.resume, services.requeue):
        with pytest.raises(PermissionDenied):
            action(cast[role], brief)
    with pytest.raises(PermissionDenied):
        services.send_test(cast[role], brief)
    assert not OutboxMessage.objects.exists()


def test_a_press_officer_sends_only_the_campaigns_they_are_on(cast, brief):
    other = campaign(cast["manager"], "Autre campagne")
    message(cast["manager"], other)
    with pytest.raises(PermissionDenied):
        services.queue_campaign(cast["officer"], other)
    assert services.can_send(cast["officer"], brief)
    assert services.can_send(cast["director"], other)


def test_unknown_merge_fields_are_named_and_templates_never_run(brief, cast):
    with pytest.raises(ValidationError) as error:
        message(cast["manager"], brief, "fr", subject="Bonjour {{ firstname }}")
    assert "{{ firstname }}" in str(error.value.message_dict["subject"])
    with pytest.raises(ValidationError) as error:
        message(cast["manager"], brief, "fr", body="{% load static %}{{ settings.SECRET_KEY }}")
    assert "settings.SECRET_KEY" in str(error.value.message_dict["body"])
    rendered = compose.render(
        "{{ first_name }}",
        "<p>{{ first_name }}</p>",
        compose.merge_values(
            first_name="<b>Zoé</b>\r\nBcc: x@y", last_name="", outlet="", show="", signature=""
        ),
    )
    assert rendered.html == "<p>&lt;b&gt;Zoé&lt;/b&gt;\r\nBcc: x@y</p>"
    assert "\n" not in rendered.subject


def test_a_message_cannot_be_sent_before_it_is_written(cast, settings, tmp_path):
    b = campaign(cast["manager"])
    with pytest.raises(ValidationError):
        services.queue_campaign(cast["manager"], b)


def test_a_test_send_goes_to_oneself_only(brief, cast, smtpd):
    assert services.send_test(cast["officer"], brief) == "officer@agency.example"
    [envelope] = smtpd.envelopes
    assert envelope.rcpt_tos == ["officer@agency.example"]
    received = parsed(envelope)
    assert received["Subject"].startswith("[Test] Communiqué : ")
    assert not OutboxMessage.objects.exists()
    assert Recipient.objects.filter(state=RecipientState.SENT).count() == 0


def test_plain_text_from_html():
    text = compose.html_to_text(
        "<h2>Titre</h2><p>Un <strong>parc</strong><br>éolien</p><ol><li>un</li><li>deux</li></ol>"
        '<p><a href="mailto:a@b.example">a@b.example</a> et <a href="https://x.example">site</a></p>'
    )
    assert text == (
        "Titre\n\nUn parc\néolien\n\n1. un\n2. deux\n\na@b.example et site <https://x.example>\n"
    )


def test_a_worker_stopped_between_two_messages_gives_back_the_rest(
    brief, cast, smtpd, monkeypatch, django_capture_on_commit_callbacks
):
    """A second Ctrl-C (or SIGTERM) makes the worker exit in the middle of a
    task: the message being exchanged stays 'sending' (uncertain later), the
    ones not started go back to the queue at once."""
    with django_capture_on_commit_callbacks(execute=False):
        services.queue_campaign(cast["manager"], brief)
    ids = list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))
    real = sending.Transport.send_bytes

    def interrupted(self, *args):
        real(self, *args)
        raise SystemExit(1)  # after the server accepted the first message

    monkeypatch.setattr(sending.Transport, "send_bytes", interrupted)
    enqueued = []
    monkeypatch.setattr(sending, "enqueue", lambda ids, at=None: enqueued.append(ids))
    with pytest.raises(SystemExit):
        sending.send_batch(ids)
    first, second = OutboxMessage.objects.order_by("pk")
    assert first.state == OutboxState.SENDING  # accepted, not recorded: uncertain later
    assert second.state == OutboxState.QUEUED and second.claim_token == ""
    assert enqueued == [[second.pk]]  # with a task of its own
    assert len(smtpd.envelopes) == 1
