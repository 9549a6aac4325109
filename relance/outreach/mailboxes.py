"""Reading the campaign mailbox for `relance ingest-mail`: a maildir, an mbox
file or an IMAP folder, one `Item` (where it came from, its bytes) per
message, and classifying items, in two processes when there are many.

No database here: this module is imported by the classifying processes,
which only need the pure classifier (`relance.outreach.mail`). A message
that cannot be read is an `Item` without bytes, never an exception: one bad
file must not stop the ingestion of the others. Only a source that cannot
be opened at all (no such directory, a refused IMAP login) raises
`SourceError`.
"""

from __future__ import annotations

import hashlib
import imaplib
import mailbox
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from relance.outreach.mail import InboundMail, classify_message

# Below this many messages, starting a second process costs more than it
# saves (about half a second to import the classifier).
PARALLEL_FROM = 1000


class SourceError(Exception):
    """The mailbox itself cannot be read (missing, not a mailbox, login refused)."""


@dataclass(frozen=True)
class Item:
    source: str  # the file name, the mbox index or the IMAP uid
    raw: bytes | None  # None: the message could not be read
    error: str = ""


@dataclass(frozen=True)
class Classified:
    source: str
    mail: InboundMail
    # What makes ingestion idempotent: the Message-ID, or a digest of the
    # bytes when there is none (many bounces have one, not all).
    key: str
    received_at: datetime | None
    readable: bool = True


# --- Maildir and mbox ------------------------------------------------------------


def maildir_items(path: str | os.PathLike[str]) -> tuple[int, Iterator[Item]]:
    """The messages of a maildir (new/ and cur/, as `mailbox.Maildir` reads
    them), oldest file name first. Returns the count and the items."""
    root = Path(path)
    if not (root / "new").is_dir() and not (root / "cur").is_dir():
        raise SourceError(f"{root}: not a maildir (no new/ or cur/ directory)")
    try:
        mailbox.Maildir(root, factory=None, create=False)
    except (OSError, mailbox.Error) as exc:
        raise SourceError(f"{root}: {exc}") from exc
    files = sorted(
        (p for sub in ("new", "cur") if (root / sub).is_dir() for p in (root / sub).iterdir()),
        key=lambda p: (p.name, p.parent.name),
    )
    files = [p for p in files if not p.name.startswith(".")]

    def read() -> Iterator[Item]:
        for p in files:
            try:
                yield Item(p.name, p.read_bytes())
            except OSError as exc:
                yield Item(p.name, None, str(exc))

    return len(files), read()


def mbox_items(path: str | os.PathLike[str]) -> tuple[int, Iterator[Item]]:
    """The messages of an mbox file; the source of each is its index (from 0)."""
    if not Path(path).is_file():
        raise SourceError(f"{path}: no such mbox file")
    try:
        box = mailbox.mbox(path, factory=None, create=False)
        keys = list(box.iterkeys())
    except (OSError, mailbox.Error, UnicodeError) as exc:
        raise SourceError(f"{path}: {exc}") from exc

    def read() -> Iterator[Item]:
        try:
            for index, key in enumerate(keys):
                try:
                    yield Item(str(index), box.get_bytes(key))
                except (OSError, mailbox.Error, KeyError, ValueError) as exc:
                    yield Item(str(index), None, str(exc))
        finally:
            box.close()

    return len(keys), read()


# --- IMAP --------------------------------------------------------------------------


@dataclass(frozen=True)
class ImapTarget:
    host: str
    port: int
    ssl: bool
    user: str
    password: str
    folder: str

    def __repr__(self) -> str:  # never print the password
        scheme = "imaps" if self.ssl else "imap"
        return f"ImapTarget({scheme}://{self.user}@{self.host}:{self.port}/{self.folder})"


def parse_imap_url(url: str) -> ImapTarget:
    """`imaps://user:password@host[:port]/FOLDER` (or `imap://`, plain or
    STARTTLS-less: for a local server only). The folder defaults to INBOX;
    user and password are percent-decoded (an `@` in a login is `%40`)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("imap", "imaps"):
        raise ValueError("an IMAP URL starts with imaps:// (or imap://)")
    if not parts.hostname:
        raise ValueError("the IMAP URL names no host")
    if not parts.username or parts.password is None:
        raise ValueError("the IMAP URL needs a user and a password: imaps://user:password@host/")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the IMAP URL's port is not a number") from None
    ssl = parts.scheme == "imaps"
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return ImapTarget(
        host=parts.hostname,
        port=port or (993 if ssl else 143),
        ssl=ssl,
        user=unquote(parts.username),
        password=unquote(parts.password),
        folder=folder,
    )


def _connect(target: ImapTarget) -> Any:
    if target.ssl:
        return imaplib.IMAP4_SSL(target.host, target.port, timeout=60)
    return imaplib.IMAP4(target.host, target.port, timeout=60)


class ImapMailbox:
    """The unseen messages of one IMAP folder. Messages are fetched with
    BODY.PEEK (reading does not mark them), and marked \\Seen by `mark_seen`
    only once their effects are committed: a run killed half-way reads the
    rest again next time, and the inbound keys make that harmless."""

    def __init__(self, target: ImapTarget, connect: Callable[[ImapTarget], Any] | None = None):
        self.target = target
        self._connect = connect or _connect
        self.conn: Any = None

    def open(self) -> list[str]:
        try:
            self.conn = self._connect(self.target)
            self.conn.login(self.target.user, self.target.password)
            typ, _ = self.conn.select(_quote(self.target.folder))
            if typ != "OK":
                raise SourceError(f"IMAP folder {self.target.folder!r} cannot be selected")
            typ, data = self.conn.uid("SEARCH", None, "UNSEEN")
        except (OSError, imaplib.IMAP4.error) as exc:
            raise SourceError(f"IMAP {self.target.host}: {exc}") from exc
        if typ != "OK":
            raise SourceError(f"IMAP {self.target.host}: search refused")
        return [uid.decode() for uid in (data[0] or b"").split()]

    def items(self, uids: Iterable[str]) -> Iterator[Item]:
        for uid in uids:
            try:
                typ, data = self.conn.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((part[1] for part in data if isinstance(part, tuple)), None)
                if typ != "OK" or not isinstance(raw, bytes):
                    yield Item(uid, None, f"fetch answered {typ}")
                else:
                    yield Item(uid, raw)
            except (OSError, imaplib.IMAP4.error) as exc:
                yield Item(uid, None, str(exc))

    def mark_seen(self, uids: list[str]) -> None:
        if uids:
            self.conn.uid("STORE", ",".join(uids), "+FLAGS", "(\\Seen)")

    def close(self) -> None:
        if self.conn is None:
            return
        try:
            self.conn.close()
            self.conn.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
        self.conn = None


def _quote(folder: str) -> str:
    return folder if re.fullmatch(r"[\w./-]+", folder) else '"' + folder.replace('"', r"\"") + '"'


# --- Classification ---------------------------------------------------------------

_DATE = re.compile(rb"^Date:[ \t]*(.+(?:\r?\n[ \t].+)*)", re.IGNORECASE | re.MULTILINE)


def _received_at(raw: bytes) -> datetime | None:
    head = raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    match = _DATE.search(head)
    if not match:
        return None
    try:
        when = parsedate_to_datetime(match.group(1).decode("ascii", "replace").strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when


def classify_item(item: Item) -> Classified:
    """Classify one item (runs in the classifying processes: no database)."""
    if item.raw is None:
        mail = InboundMail(kind="other", reason="unreadable")
        return Classified(item.source, mail, "", None, readable=False)
    mail = classify_message(item.raw)
    if mail.message_id and len(mail.message_id) <= 200:
        key = mail.message_id
    else:
        key = "sha256:" + hashlib.sha256(item.raw).hexdigest()
    readable = mail.reason != "unreadable"
    return Classified(item.source, mail, key, _received_at(item.raw), readable=readable)


def classify_all(items: Iterable[Item], *, processes: int = 1) -> Iterator[Classified]:
    """Classify in order. With `processes` > 1, in that many spawned
    processes (the classifier is CPU-bound: the standard library's e-mail
    parser); the caller keeps the database work in its own process."""
    if processes <= 1:
        for item in items:
            yield classify_item(item)
        return
    # "spawn", not "fork": the caller holds database connections and
    # threads that a forked child must not share.
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        yield from pool.imap(classify_item, items, chunksize=64)


def default_processes(count: int) -> int:
    if count < PARALLEL_FROM:
        return 1
    return max(1, min(2, os.cpu_count() or 1))
