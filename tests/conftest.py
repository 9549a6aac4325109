"""Shared fixtures: a fixed cast of users of every role, and a small media
database, as DESIGN.md §6 asks (tests read like scenes with known actors)."""

from __future__ import annotations

import os

import pytest
from django.test import Client as HttpClient

from relance.accounts.models import Client, Role, User

PASSWORD = "correct-horse-battery"

CAST = {
    "director": Role.DIRECTOR,
    "manager": Role.MANAGER,
    "officer": Role.PRESS_OFFICER,
    "intern": Role.INTERN,
    "cm": Role.COMMUNITY_MANAGER,
    "viewer": Role.CLIENT_VIEWER,
}


@pytest.fixture
def client_company(db) -> Client:
    return Client.objects.create(name="Éolia Énergies", language="fr")


@pytest.fixture
def cast(db, client_company) -> dict[str, User]:
    """One user per role (English UI so assertions read plainly), plus an
    inactive `outsider`."""
    users = {}
    for username, role in CAST.items():
        users[username] = User.objects.create_user(
            username=username,
            email=f"{username}@agency.example",
            password=PASSWORD,
            role=role,
            language="en",
            first_name=username.capitalize(),
            client=client_company if role == Role.CLIENT_VIEWER else None,
        )
    users["outsider"] = User.objects.create_user(
        username="outsider", password=PASSWORD, role=Role.PRESS_OFFICER, is_active=False
    )
    return users


@pytest.fixture
def login(cast):
    """login("manager") -> a Django test client signed in as that user."""

    def _login(username: str) -> HttpClient:
        http = HttpClient()
        http.force_login(cast[username])
        return http

    return _login


@pytest.fixture
def director(cast) -> User:
    return cast["director"]


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (filter choices, API read budgets):
    the database is rolled back between tests, the in-memory cache is not."""
    from django.core.cache import cache

    cache.clear()


os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class SmtpRecorder:
    """aiosmtpd handler keeping every message it accepts; `answers` maps a
    recipient address to the reply its RCPT gets instead ("451 4.7.1 …")."""

    def __init__(self):
        self.envelopes = []
        self.answers: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.answers.get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return f"250 2.0.0 Ok: queued as Q{len(self.envelopes)}"


@pytest.fixture
def smtpd(settings):
    """A real SMTP server on loopback (aiosmtpd); MAILERS points Django at it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    recorder = SmtpRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    recorder.port = port
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
