"""The message's wire format: the fast writer used for SMTP sends says the
same as Django's EmailMultiAlternatives, parsed back by the email package."""

from __future__ import annotations

import email
import email.policy

import pytest

from relance.outreach import compose


def parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def summary(message):
    return {
        "subject": message["Subject"],
        "from": [(a.display_name, a.addr_spec) for a in message["From"].addresses],
        "to": message["To"],
        "reply_to": message["Reply-To"],
        "message_id": message["Message-ID"],
        "language": message["Content-Language"],
        "text": message.get_body(("plain",)).get_content().replace("\r\n", "\n"),
        "html": message.get_body(("html",)).get_content().replace("\r\n", "\n"),
        "attachments": [
            (part.get_filename(), part.get_content_type(), part.get_content())
            for part in message.iter_attachments()
        ],
    }


@pytest.mark.parametrize("with_attachments", [True, False])
def test_the_fast_writer_says_what_django_says(settings, with_attachments):
    settings.CAMPAIGN_FROM_EMAIL = "presse@agence.example"
    rendered = compose.render(
        "Éolia inaugure son parc éolien de 120 MW à Saint-Étienne : dossier pour {{ outlet }}",
        "<p>Bonjour {{ first_name }},</p><p>.Une ligne qui commence par un point</p>"
        "<p>{{ signature }}</p>",
        compose.merge_values(
            first_name="Zoé",
            last_name="",
            outlet="L’Écho des Montagnes",
            show="",
            signature="Marc Lefèvre\nAgence\n+33 4 72 00 00 00",
        ),
    )
    sender = compose.sender("Marc Lefèvre", "marc@agence.example")
    attachments = (
        [
            compose.Attachment(
                "dossier de presse é.pdf", b"%PDF-1.4\n" + bytes(range(256)), "application/pdf"
            ),
            compose.Attachment("photo.png", b"\x89PNG\r\n\x1a\n" + b"x" * 3000, "image/png"),
        ]
        if with_attachments
        else []
    )
    common = {"to": "zoe@écho.example", "language": "fr", "message_id": "<abc.c1@agence.example>"}
    django = compose.build_email(rendered, sender=sender, attachments=attachments, **common)
    expected = summary(parse(django.message(policy=email.policy.SMTP).as_bytes()))
    fast = compose.MimeKit(sender, attachments).message(rendered, **common)
    assert all(len(line) <= 998 for line in fast.split(b"\r\n"))
    got = summary(parse(fast))
    expected["to"] = got["to"]  # Django keeps the IDN domain for later; we encode it
    assert got["to"] == "zoe@" + "écho.example".encode("idna").decode()
    # The subject exactly as rendered (Python's own folding of this long
    # non-ASCII subject loses the space in "à Saint", a CPython bug).
    assert got.pop("subject") == rendered.subject
    expected.pop("subject")
    assert got == expected


def test_header_injection_is_impossible():
    with pytest.raises(ValueError):
        compose.ascii_address("a@b.example\r\nBcc: x@y.example")
    rendered = compose.render("Hi\r\nBcc: x@y {{ first_name }}", "<p>x</p>", {"first_name": "A\nB"})
    assert "\n" not in rendered.subject
    data = compose.MimeKit(compose.sender("", ""), []).message(
        rendered, to="a@b.example", language="en", message_id="<x@y>"
    )
    assert parse(data)["Bcc"] is None
