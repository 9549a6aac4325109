"""Password reset by e-mail: in the recipient's language, with links on
RELANCE_BASE_URL, rate-limited, never telling which addresses exist; once
through a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import socket

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from relance.accounts.models import User
from relance.audit.models import AuditEntry
from tests.conftest import PASSWORD

BASE_URL = "https://relance.example.org"
LINK = re.compile(re.escape(BASE_URL) + r"/reset/[^/\s\"<]+/[^/\s\"<]+/")
NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.BASE_URL = BASE_URL


def request_reset(address: str, ip: str = "127.0.0.1", **extra):
    return HttpClient().post(reverse("password_reset"), {"email": address}, REMOTE_ADDR=ip, **extra)


def html_part(message) -> str:
    return next(body for body, kind in message.alternatives if kind == "text/html")


def set_new_password(link: str) -> HttpClient:
    """Follow the e-mailed link like a browser and choose a new password."""
    http = HttpClient()
    path = link.removeprefix(BASE_URL)
    response = http.get(path)
    # Django swaps the token for a session marker, so it never sits in the URL
    # (and in referrers) while the person types.
    assert response.status_code == 302
    form_url = response["Location"]
    assert response.status_code == 302 and "set-password" in form_url
    response = http.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse(
        "password_reset_complete"
    )
    return http


def can_log_in(username: str, password: str) -> bool:
    http = HttpClient()
    http.post(reverse("login"), {"username": username, "password": password})
    return "_auth_user_id" in http.session


def test_reset_email_is_in_the_users_language_with_a_working_link(cast):
    officer = cast["officer"]
    officer.language = "fr"
    officer.save()
    # The visitor's browser says English: the e-mail follows the account.
    response = request_reset("OFFICER@agency.example", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["officer@agency.example"]
    assert message.subject == "Réinitialisation de votre mot de passe Relance"
    assert '<html lang="fr">' in html_part(message)
    assert "officer" in message.body  # the username, for people who forgot it
    link = LINK.search(message.body).group(0)
    assert link in html_part(message)

    set_new_password(link)
    assert can_log_in("officer", NEW_PASSWORD)
    assert not can_log_in("officer", PASSWORD)
    assert AuditEntry.objects.filter(action="password_reset", target_id=officer.pk).exists()
    # The link works once.
    assert HttpClient().get(link.removeprefix(BASE_URL)).status_code == 200
    assert b"This link no longer works" in HttpClient().get(link.removeprefix(BASE_URL)).content


def test_english_users_get_english_mail_even_from_a_french_browser(cast):
    request_reset("manager@agency.example", HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="en">' in html_part(mail.outbox[0])


def test_unknown_or_inactive_addresses_get_no_mail_and_the_same_page(cast):
    cast["outsider"].email = "outsider@agency.example"
    cast["outsider"].save()
    known = request_reset("intern@agency.example")
    unknown = request_reset("nobody@agency.example")
    inactive = request_reset("outsider@agency.example")
    assert known["Location"] == unknown["Location"] == inactive["Location"]
    assert [m.to for m in mail.outbox] == [["intern@agency.example"]]
    done = HttpClient().get(unknown["Location"])
    assert done.status_code == 200 and b"If an account uses the address" in done.content


def test_a_bad_address_is_a_field_error(db):
    response = request_reset("not-an-address")
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert b'aria-invalid="true"' in response.content


def test_reset_requests_are_limited_per_address(cast, settings):
    settings.PASSWORD_RESET_LIMIT = 5
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        for n in range(5):
            assert request_reset("officer@agency.example", ip=f"192.0.2.{n + 1}").status_code == 302
        response = request_reset("officer@agency.example", ip="192.0.2.99")
        assert response.status_code == 429
        assert "Too many reset requests" in response.content.decode()
        assert "try again in 60 minutes" in response.content.decode()
        assert len(mail.outbox) == 5
        # Unknown addresses are limited exactly the same way.
        for _ in range(5):
            request_reset("ghost@agency.example", ip="198.51.100.1")
        assert request_reset("ghost@agency.example", ip="198.51.100.2").status_code == 429

        clock.shift(dt.timedelta(hours=1, seconds=1))
        assert request_reset("officer@agency.example", ip="192.0.2.99").status_code == 302
        assert len(mail.outbox) == 6


def test_reset_requests_are_limited_per_address_of_the_requester(cast, settings):
    settings.PASSWORD_RESET_LIMIT = 3
    for name in ["a", "b", "c"]:
        request_reset(f"{name}@example.org", ip="203.0.113.5")
    assert request_reset("officer@agency.example", ip="203.0.113.5").status_code == 429
    assert request_reset("officer@agency.example", ip="203.0.113.6").status_code == 302


def test_resetting_the_password_lifts_a_login_pause(cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for n in range(2):
        HttpClient().post(
            reverse("login"),
            {"username": "cm", "password": "wrong"},
            REMOTE_ADDR=f"198.51.100.{n + 1}",
        )
    assert not can_log_in("cm", PASSWORD)
    request_reset("cm@agency.example")
    set_new_password(LINK.search(mail.outbox[0].body).group(0))
    assert can_log_in("cm", NEW_PASSWORD)


# --- Through a real SMTP server -------------------------------------------


class Recorder:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback; MAILERS points Django at it."""
    from aiosmtpd.controller import Controller

    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 10},
        }
    }
    try:
        yield recorder
    finally:
        controller.stop()


def test_reset_through_a_real_smtp_server(cast, smtp_server):
    response = request_reset("director@agency.example")
    assert response.status_code == 302
    assert mail.outbox == []  # it went over the wire, not to the test outbox

    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["director@agency.example"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "Reset your Relance password"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = LINK.search(text).group(0)
    assert link in html

    set_new_password(link)
    assert can_log_in("director", NEW_PASSWORD)
    assert User.objects.get(username="director").check_password(NEW_PASSWORD)


def test_an_invited_account_without_a_password_can_ask_for_a_link(cast):
    """Accounts created without a password (invitation expired, or made
    through the API) get their link from "Forgot your password?"."""
    invited = User.objects.create_user(
        "invited", email="invited@agency.example", password=None, language="fr"
    )
    assert not invited.has_usable_password()
    HttpClient().post(reverse("password_reset"), {"email": "Invited@agency.example"})
    assert [m.to for m in mail.outbox] == [["invited@agency.example"]]
    set_new_password(LINK.search(mail.outbox[0].body).group(0))
    assert can_log_in("invited", NEW_PASSWORD)
