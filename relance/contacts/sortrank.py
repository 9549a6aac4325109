"""Name order inside the SQLite full-text index.

A search page shows contacts by name, and a broad search (a beat, a region)
matches tens of thousands of them: sorting every match to show the first 50
was most of the time of a search over a million contacts. FTS5 returns its
matches in rowid order and can stop at a LIMIT, so on SQLite the index's rowid
is not the contact id but a *rank*: the first characters of the name in its
high bits, the id in its low bits. Walking the matches in rank order is then
walking them (almost) in name order, and a page reads only the matches before
it.

Only almost: contacts whose names share the first `BUCKET_CHARS` characters
(or a character the code cannot tell apart) share a *bucket*, inside which
ranks follow ids. The search sorts the few matches of the buckets a page
touches exactly (`relance.contacts.search`).

The rank must never order two names the wrong way round. Names are compared
as the database compares them (`last_name`, then `first_name`, by code point,
SQLite's BINARY collation), that is as the string last + "\\x01" + first
(no name holds a control character: `clean_text` removes them). Each
character gets a code that never decreases when the character increases;
characters that share a code are "lossy", and after one the rest of the name
is left out, so names that differ only after it land in the same bucket.

Ranks stay below 2**57: SQLite 3.40's FTS5 drops matches when it walks
large rowids in descending order (seen from about 2**61 with a million rows
in several segments), hence 5 characters of 6 bits and 27 id bits.

The full-text triggers compute the rank with an SQL function that every
SQLite connection registers (`register`): the contacts table can only be
written by Relance's own connections.
"""

from __future__ import annotations

from typing import Any

ID_BITS = 27  # ids up to 134,217,727 (the rank refuses larger ones)
ID_MASK = (1 << ID_BITS) - 1
BUCKET_CHARS = 5
_CODE_BITS = 6
SQL_FUNCTION = "relance_sort_rank"


def _char_code(ch: str) -> tuple[int, bool]:
    """(code, lossy) of one character; codes never decrease with the character."""
    cp = ord(ch)
    if cp == 1:
        return 1, False  # the separator between last and first name
    if cp < 0x41:  # space, hyphen, apostrophe, digits…
        return 2, True
    if cp <= 0x5A:  # A-Z
        return 3 + cp - 0x41, False
    if cp < 0x61:
        return 29, True
    if cp <= 0x7A:  # a-z
        return 30 + cp - 0x61, False
    if cp < 0xC0:
        return 56, True
    if cp <= 0xFF:  # À-ÿ: accented capitals and small letters share a code
        return 57, True
    return 58, True


def bucket_of(last_name: str, first_name: str) -> int:
    code = 0
    key = f"{last_name}\x01{first_name}"
    stop = False
    for i in range(BUCKET_CHARS):
        value = 0
        if not stop and i < len(key):
            value, stop = _char_code(key[i])
        code = (code << _CODE_BITS) | value
    return code


def sort_rank(last_name: str | None, first_name: str | None, contact_id: int) -> int:
    if not 0 < contact_id <= ID_MASK:
        raise ValueError(f"contact id {contact_id} is outside the full-text index's range")
    return (bucket_of(last_name or "", first_name or "") << ID_BITS) | contact_id


def bucket(rank: int) -> int:
    return rank >> ID_BITS


def contact_id(rank: int) -> int:
    return rank & ID_MASK


def register(connection: Any) -> None:
    """Make the rank available to SQL (triggers, bulk loads) on a sqlite3 connection."""
    connection.create_function(SQL_FUNCTION, 3, sort_rank, deterministic=True)


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        register(connection.connection)
