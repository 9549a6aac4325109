"""`relance ingest-mail`: real bounces from the corpus, an out-of-office and a
reply, matched to outbox rows, with their effects on the address, the
recipient and the contact; idempotence, the --json contract, mbox input,
bad files, and IMAP through a fake server object."""

from __future__ import annotations

import json
import mailbox
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from relance.campaigns.models import Recipient, RecipientState
from relance.contacts.models import Contact, ContactEmail, EmailStatus
from relance.interactions.models import Interaction
from relance.outreach import inbound, mailboxes
from relance.outreach.models import InboundMessage, OutboxMessage, OutboxState

from .factories import campaign, contact, recipients

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "data" / "bounces" / "sisimai"
HARD = "lhost-postfix-14.eml"  # userunknown, kijitora@2jo.example.jp
SOFT = "lhost-postfix-45.eml"  # mailboxfull, kijitora@example.net
BY_ADDRESS = "lhost-postfix-17.eml"  # hostunknown, kijitora@example.org
ARF = "arf-02.eml"  # complaint, this-local-part-does-not-exist-on-yahoo@yahoo.com


@pytest.fixture
def sent(cast):
    """A sent campaign whose outbox rows carry the corpus files' addresses
    and Message-IDs (one row with a Message-ID no bounce names)."""
    m = cast["manager"]
    people = {
        "hard": ("Kiji", "kijitora@2jo.example.jp", "<20150213024813.DE9FF20C16@2jo.example.jp>"),
        "soft": ("Neko", "kijitora@example.net", "<11DA6AA80A5481396A07708AE233289E@nekonyaan>"),
        "addr": ("Tora", "kijitora@example.org", "<not-named-by-the-bounce@agence.example>"),
        "claire": ("Dubois", "claire@courrier.example", "<c1.c1@agence.example>"),
        "arf": (
            "Yahoo",
            "this-local-part-does-not-exist-on-yahoo@yahoo.com",
            "<a1@agence.example>",
        ),
    }
    brief = campaign(m, team=["officer"])
    contacts = {k: contact(m, name, emails=[addr]) for k, (name, addr, _) in people.items()}
    recs = dict(zip(people, recipients(m, brief, list(contacts.values())), strict=True))
    now = timezone.now()
    rows = {}
    for key, (_, addr, mid) in people.items():
        recs[key].state, recs[key].sent_at = RecipientState.SENT, now
        recs[key].save()
        rows[key] = OutboxMessage.objects.create(
            campaign=brief,
            recipient=recs[key],
            contact=contacts[key],
            to_address=addr,
            language="fr",
            message_id=mid,
            state=OutboxState.SENT,
            next_attempt_at=now,
            sent_at=now,
        )
    return {"campaign": brief, "contacts": contacts, "rows": rows, "recipients": recs}


def out_of_office(to_row, *, back: str = "de retour le 12 mars") -> bytes:
    msg = EmailMessage()
    msg["From"] = to_row.to_address
    msg["To"] = "presse@agence.example"
    msg["Subject"] = "Réponse automatique : Lancement du parc éolien"
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = "<ooo-1@courrier.example>"
    msg["In-Reply-To"] = to_row.message_id
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content(f"Bonjour,\n\nJe suis absente du bureau et serai {back}.\n\nClaire")
    return msg.as_bytes()


def reply(to_row) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Claire Dubois <{to_row.to_address}>"
    msg["To"] = "manager@agency.example"
    msg["Subject"] = "Re: Lancement du parc éolien"
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = "<reply-1@courrier.example>"
    msg["In-Reply-To"] = to_row.message_id
    msg["References"] = to_row.message_id
    msg.set_content(
        "Merci, je suis intéressée par une visite du parc jeudi.\n\n"
        "Le lun. 9 mars 2026 à 09:30, Marc Lefèvre <presse@agence.example> a écrit :\n"
        "> Bonjour Claire,\n> Le parc éolien ouvre ses portes.\n"
    )
    return msg.as_bytes()


def maildir(tmp_path, files: dict[str, bytes], sub: str = "new") -> Path:
    root = tmp_path / "Maildir"
    for d in ("new", "cur", "tmp"):
        (root / d).mkdir(parents=True, exist_ok=True)
    for name, raw in files.items():
        (root / sub / name).write_bytes(raw)
    return root


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def run(*args) -> list[dict]:
    out = StringIO()
    call_command("ingest_mail", *args, "--json", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_bounces_auto_reply_and_reply_take_effect(sent, tmp_path, login):
    rows = sent["rows"]
    box = maildir(
        tmp_path,
        {
            "1.hard": corpus(HARD),
            "2.soft": corpus(SOFT),
            "3.addr": corpus(BY_ADDRESS),
            "4.ooo": out_of_office(rows["claire"]),
            "5.reply": reply(rows["claire"]),
        },
    )
    results = run("--maildir", str(box))
    assert [r["source"] for r in results] == ["1.hard", "2.soft", "3.addr", "4.ooo", "5.reply"]
    by_source = {r["source"]: r for r in results}
    assert by_source["1.hard"] == {
        "source": "1.hard",
        "kind": "bounce",
        "recipient": "kijitora@2jo.example.jp",
        "hard": True,
        "reason": "userunknown",
        "matched_outbox_id": rows["hard"].pk,
    }
    assert by_source["2.soft"]["matched_outbox_id"] == rows["soft"].pk
    assert by_source["2.soft"]["hard"] is False
    # No Message-ID to go by: matched by the failed address.
    assert by_source["3.addr"]["matched_outbox_id"] == rows["addr"].pk
    assert by_source["4.ooo"]["kind"] == "auto_reply"
    assert by_source["5.reply"]["kind"] == "reply"
    assert by_source["5.reply"]["matched_outbox_id"] == rows["claire"].pk

    # Hard bounce: the address is bounced (no more sends), row and recipient too.
    hard = OutboxMessage.objects.get(pk=rows["hard"].pk)
    assert hard.state == OutboxState.BOUNCED and hard.bounced_at is not None
    rec = Recipient.objects.get(pk=sent["recipients"]["hard"].pk)
    assert rec.state == RecipientState.BOUNCED and rec.bounced_at is not None
    assert ContactEmail.objects.get(address="kijitora@2jo.example.jp").status == EmailStatus.BOUNCED
    assert ContactEmail.objects.get(address="kijitora@example.org").status == EmailStatus.BOUNCED
    # Soft bounce: counted, nothing else.
    soft = OutboxMessage.objects.get(pk=rows["soft"].pk)
    assert soft.soft_bounces == 1 and soft.state == OutboxState.SENT
    assert ContactEmail.objects.get(address="kijitora@example.net").status == EmailStatus.VALID
    # Out of office "de retour le 12 mars": paused until then.
    claire = Contact.objects.get(pk=sent["contacts"]["claire"].pk)
    today = timezone.localdate()
    expected = date(today.year, 3, 12)
    if expected <= today:
        expected = date(today.year + 1, 3, 12)
    assert claire.paused_until == expected
    # The reply: replied_at, and on the contact's timeline with its text.
    rec = Recipient.objects.get(pk=sent["recipients"]["claire"].pk)
    assert rec.replied_at is not None
    stored = InboundMessage.objects.get(kind="reply")
    assert stored.contact_id == claire.pk and stored.campaign_id == sent["campaign"].pk
    assert "visite du parc jeudi" in stored.summary and "ouvre ses portes" not in stored.summary
    page = login("manager").get(reverse("contacts:contact_detail", args=[claire.pk]))
    html = page.content.decode()
    assert "Replied to" in html and "visite du parc jeudi" in html
    assert "automatic reply" in html.lower()
    sending = login("manager").get(reverse("outreach:sending", args=[sent["campaign"].pk]))
    assert "visite du parc jeudi" in sending.content.decode()
    # Each one is on the contact's history, once, as an interaction.
    history = sorted(
        Interaction.objects.filter(campaign=sent["campaign"]).values_list("outcome", flat=True)
    )
    assert history == ["auto_reply", "bounced", "bounced", "replied", "soft_bounce"]
    said = Interaction.objects.get(outcome="replied")
    assert said.contact_id == claire.pk and "visite du parc jeudi" in said.notes
    run("--maildir", str(box))
    assert Interaction.objects.filter(campaign=sent["campaign"]).count() == 5


def test_a_second_run_changes_nothing(sent, tmp_path):
    rows = sent["rows"]
    box = maildir(tmp_path, {"soft": corpus(SOFT), "reply": reply(rows["claire"])})
    run("--maildir", str(box))
    first_reply = Recipient.objects.get(pk=sent["recipients"]["claire"].pk).replied_at
    again = run("--maildir", str(box))
    assert [r["matched_outbox_id"] for r in again] == [rows["claire"].pk, rows["soft"].pk]
    assert OutboxMessage.objects.get(pk=rows["soft"].pk).soft_bounces == 1
    assert Recipient.objects.get(pk=sent["recipients"]["claire"].pk).replied_at == first_reply
    assert InboundMessage.objects.count() == 2


def test_a_longer_pause_is_not_shortened(sent, tmp_path):
    claire = sent["contacts"]["claire"]
    later = timezone.localdate() + timedelta(days=800)
    Contact.objects.filter(pk=claire.pk).update(paused_until=later)
    box = maildir(tmp_path, {"ooo": out_of_office(sent["rows"]["claire"])})
    run("--maildir", str(box))
    assert Contact.objects.get(pk=claire.pk).paused_until == later


def test_a_complaint_is_the_journalists_opt_out(sent, tmp_path):
    box = maildir(tmp_path, {"arf": corpus(ARF)})
    [result] = run("--maildir", str(box))
    assert result["kind"] == "other" and result["reason"] == "complaint"
    person = Contact.objects.get(pk=sent["contacts"]["arf"].pk)
    assert person.opted_out and person.opted_out_source == "self"


def test_mbox_input_and_human_summary(sent, tmp_path):
    path = tmp_path / "bounces.mbox"
    box = mailbox.mbox(path)
    box.add(corpus(HARD))
    box.add(reply(sent["rows"]["claire"]))
    box.flush()
    box.close()
    results = run("--mbox", str(path))
    assert [(r["source"], r["kind"]) for r in results] == [("0", "bounce"), ("1", "reply")]
    out = StringIO()
    call_command("ingest_mail", "--mbox", str(path), stdout=out)  # now all duplicates
    assert "2 message(s) read: 1 bounce, 0 auto_reply, 1 reply, 0 other." in out.getvalue()
    assert "matched to a sent message: 2, unmatched: 0" in out.getvalue()


def test_bad_files_do_not_stop_the_run(sent, tmp_path):
    box = maildir(
        tmp_path,
        {"1.garbage": b"\x00\xff\xfe\x00 not an e-mail", "3.hard": corpus(HARD)},
    )
    (box / "new" / "2.unreadable").mkdir()  # reading it fails
    (box / "cur" / "0.cur-unmatched").write_bytes(corpus("lhost-exim-01.eml"))
    results = run("--maildir", str(box))
    assert [r["source"] for r in results] == [
        "0.cur-unmatched",
        "1.garbage",
        "2.unreadable",
        "3.hard",
    ]
    assert results[0]["matched_outbox_id"] is None and results[0]["kind"] == "bounce"
    assert results[2] == {
        "source": "2.unreadable",
        "kind": "other",
        "recipient": None,
        "hard": False,
        "reason": "unreadable",
        "matched_outbox_id": None,
    }
    assert results[3]["matched_outbox_id"] == sent["rows"]["hard"].pk
    assert OutboxMessage.objects.get(pk=sent["rows"]["hard"].pk).state == OutboxState.BOUNCED


def test_a_source_that_cannot_be_read_fails(tmp_path):
    with pytest.raises(CommandError, match="not a maildir"):
        call_command("ingest_mail", "--maildir", str(tmp_path / "nowhere"))
    with pytest.raises(CommandError, match="no such mbox"):
        call_command("ingest_mail", "--mbox", str(tmp_path / "none.mbox"))
    with pytest.raises(CommandError, match="--imap"):
        call_command("ingest_mail", "--imap", "https://host/")


def test_two_classifying_processes_give_the_same_results(sent, tmp_path):
    items = [mailboxes.Item(str(i), corpus(n)) for i, n in enumerate([HARD, SOFT, ARF, HARD])]
    alone = [c.mail for c in mailboxes.classify_all(items)]
    two = [c.mail for c in mailboxes.classify_all(items, processes=2)]
    assert alone == two


# --- IMAP ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "imaps://presse%40agence.example:s3cr%2Ft@mail.example/INBOX",
            ("mail.example", 993, True, "presse@agence.example", "s3cr/t", "INBOX"),
        ),
        (
            "imap://bot:pw@127.0.0.1:1143/Campagnes/Retours",
            ("127.0.0.1", 1143, False, "bot", "pw", "Campagnes/Retours"),
        ),
        ("imaps://bot:pw@mail.example", ("mail.example", 993, True, "bot", "pw", "INBOX")),
    ],
)
def test_imap_url_parsing(url, expected):
    t = mailboxes.parse_imap_url(url)
    assert (t.host, t.port, t.ssl, t.user, t.password, t.folder) == expected
    assert "pw" not in repr(t) and "s3cr" not in repr(t)


@pytest.mark.parametrize(
    "url", ["https://a:b@host/", "imaps://host/INBOX", "imaps://a:b@/INBOX", "imaps://a:b@h:x/"]
)
def test_bad_imap_urls(url):
    with pytest.raises(ValueError):
        mailboxes.parse_imap_url(url)


class FakeImap:
    """Stands in for imaplib.IMAP4_SSL (no IMAP server here): the network
    is the only boundary replaced."""

    def __init__(self, messages: dict[str, bytes | None]):
        self.messages = messages
        self.seen: list[str] = []
        self.logged_in = self.closed = False

    def login(self, user, password):
        self.logged_in = (user, password) == ("bot", "pw")
        return "OK", [b"logged in"]

    def select(self, folder):
        return "OK", [str(len(self.messages)).encode()]

    def uid(self, command, *args):
        if command == "SEARCH":
            unseen = [u for u in self.messages if u not in self.seen]
            return "OK", [" ".join(unseen).encode()]
        if command == "FETCH":
            raw = self.messages[args[0]]
            if raw is None:
                return "NO", [None]
            assert "PEEK" in args[1]  # reading must not mark it seen
            return "OK", [(f"{args[0]} (UID {args[0]} BODY[] {{{len(raw)}}}".encode(), raw), b")"]
        if command == "STORE":
            assert args[1:] == ("+FLAGS", "(\\Seen)")
            self.seen.extend(args[0].split(","))
            return "OK", [None]
        raise AssertionError(command)

    def close(self):
        self.closed = True

    def logout(self):
        return "BYE", [b""]


def test_imap_loop_marks_processed_messages_seen(sent):
    fake = FakeImap({"7": corpus(HARD), "8": None, "9": reply(sent["rows"]["claire"])})
    target = mailboxes.parse_imap_url("imaps://bot:pw@mail.example/INBOX")
    outcomes = inbound.ingest_imap(target, connect=lambda t: fake)
    assert fake.logged_in and fake.closed
    assert [(o.source, o.kind, o.effect) for o in outcomes] == [
        ("7", "bounce", "hard_bounce"),
        ("8", "other", "unreadable"),
        ("9", "reply", "replied"),
    ]
    # The one that could not be fetched stays unseen, to be tried again.
    assert fake.seen == ["7", "9"]
    again = inbound.ingest_imap(target, connect=lambda t: fake)
    assert [o.source for o in again] == ["8"]


def test_periodic_task_reads_the_configured_mailbox(sent, settings, monkeypatch):
    from relance.outreach import tasks

    settings.INBOUND_IMAP_URL = ""
    assert tasks.ingest_imap.call() == {}
    fake = FakeImap({"1": corpus(SOFT)})
    monkeypatch.setattr(mailboxes, "_connect", lambda target: fake)
    settings.INBOUND_IMAP_URL = "imaps://bot:pw@mail.example/INBOX"
    assert tasks.ingest_imap.call() == {"soft_bounce": 1}
    assert fake.seen == ["1"]


def test_a_client_viewer_follows_the_counts_not_the_journalists(sent, login, cast):
    """Replies and problem rows name journalists: the media database's, not
    the client's (client viewers see their campaign's counts only)."""
    rows = sent["rows"]
    OutboxMessage.objects.filter(pk=rows["addr"].pk).update(
        state=OutboxState.FAILED, last_error="550 5.1.1 unknown user"
    )
    InboundMessage.objects.create(
        key="<reply-x@courrier.example>",
        kind="reply",
        outbox=rows["claire"],
        campaign=sent["campaign"],
        contact=sent["contacts"]["claire"],
        sender="claire@courrier.example",
        summary="Je viendrai jeudi.",
        received_at=timezone.now(),
    )
    url = reverse("outreach:sending", args=[sent["campaign"].pk])
    assert cast["viewer"].client_id == sent["campaign"].client_id
    seen_by_client = login("viewer").get(url)
    assert seen_by_client.status_code == 200
    page = seen_by_client.content.decode()
    assert "Je viendrai jeudi" not in page and "kijitora@example.org" not in page
    team_page = login("manager").get(url).content.decode()
    assert "Je viendrai jeudi" in team_page and "kijitora@example.org" in team_page
