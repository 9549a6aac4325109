"""vCard 2.1, 3.0 and 4.0 files (Outlook, Gmail, Apple, Thunderbird, our own
export) read into a Table: one row per card, one column per kind of
property, so the same column mapping and checks apply as for spreadsheets.

`vobject` parses each card; this module only cuts the file into cards (so a
damaged card is reported with its number and line, and the others still
read), repairs vCard 2.1 quoted-printable soft line breaks that vobject does
not join, and picks what a person reads on the card: the names, the e-mail
and phone marked preferred first, the organisation, the title.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils.translation import gettext as _

from relance.contacts.importing.base import Cell, ImportFileError, Item, Problem, Table
from relance.contacts.importing.mapping import join_beats

# Column headers, in the order shown on the mapping screen. The automatic
# mapping knows each of them (mapping.ALIASES).
COLUMNS = (
    "FN",
    "N (family)",
    "N (given)",
    "ORG",
    "TITLE",
    "EMAIL",
    "TEL",
    "TEL (fax, pager)",
    "CATEGORIES",
    "NOTE",
    "ROLE",
    "NICKNAME",
    "URL",
)
_NO_CALL = {"fax", "pager"}
_PHONE_LABELS = {"cell": "mobile", "mobile": "mobile", "work": "work", "home": "home"}
_EMAIL_IGNORED_TYPES = {"internet", "pref", "x400", "x-internet"}
_QP = re.compile(r"^[^:]*QUOTED-PRINTABLE[^:]*:", re.IGNORECASE)
# Embedded media: never imported, often huge, sometimes damaged base64 that
# would make the whole card unreadable. Dropped before parsing.
_MEDIA = re.compile(r"^(?:[\w-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]", re.IGNORECASE)
_BEGIN = re.compile(r"^BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^END\s*:\s*VCARD\s*$", re.IGNORECASE)
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")


def read_vcards(text: str) -> Table:
    cards = list(split_cards(text))
    if not cards:
        raise ImportFileError(_("This file has no vCard in it (no BEGIN:VCARD)."))
    records: list[dict[str, Cell]] = []
    numbers: list[int] = []
    lines: list[int] = []
    problems: list[Problem] = []
    with _quiet_vobject():
        for number, (line, card_text) in enumerate(cards, start=1):
            try:
                record = card_record(card_text)
            except Exception:  # vobject raises many kinds of errors on bad input
                problems.append(
                    Problem(_("This card cannot be read."), row=number, line=line, vcard=True)
                )
                record = {}
            records.append(record)
            numbers.append(number)
            lines.append(line)
    extra = sorted({k for r in records for k in r if k not in COLUMNS})
    headers = [c for c in COLUMNS if any(r.get(c) for r in records)] + [
        k for k in extra if any(r.get(k) for r in records)
    ]
    rows: list[list[Cell]] = [[r.get(h, "") for h in headers] for r in records]
    return Table(
        format="vcf",
        headers=headers,
        rows=rows,
        numbers=numbers,
        lines=lines,
        problems=problems,
    )


def split_cards(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each card, with 2.1 quoted-printable soft
    line breaks ("=" at the end of a line) joined."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    depth = 0
    start = 0
    buffer: list[str] = []
    i = 0
    skipping = False
    while i < len(lines):
        line = lines[i]
        number = i + 1
        if skipping and (not line.strip() or line[:1] in (" ", "\t")):
            i += 1  # the dropped property's folded lines (and 2.1's blank end)
            continue
        skipping = bool(_MEDIA.match(line))
        if skipping:
            i += 1
            continue
        if _QP.match(line):
            while line.endswith("=") and i + 1 < len(lines):
                i += 1
                line = line[:-1] + lines[i]
        i += 1
        if _BEGIN.match(line.strip()):
            if depth == 0:
                start, buffer = number, []
            depth += 1
        if depth:
            buffer.append(line)
        if _END.match(line.strip()) and depth:
            depth -= 1
            if depth == 0:
                yield start, "\n".join(buffer) + "\n"


@contextmanager
def _quiet_vobject() -> Iterator[None]:
    """vobject logs every line it skips; the import reports what matters."""
    logger = logging.getLogger("vobject")
    base = logging.getLogger("vobject.base")
    saved = logger.disabled, base.disabled
    logger.disabled = base.disabled = True
    try:
        yield
    finally:
        logger.disabled, base.disabled = saved


def card_record(card_text: str) -> dict[str, Cell]:
    import vobject

    card = vobject.readOne(card_text, ignoreUnreadable=True)
    props: dict[str, list[Any]] = card.contents
    record: dict[str, Cell] = {}
    record["FN"] = _text(_first(props, "fn"))
    name = _first(props, "n")
    if name is not None and hasattr(name.value, "family"):
        record["N (family)"] = _join(name.value.family)
        record["N (given)"] = " ".join(
            part for part in (_join(name.value.given), _join(name.value.additional)) if part
        )
    org = _first(props, "org")
    if org is not None:
        record["ORG"] = _org(org.value)
    record["TITLE"] = _text(_first(props, "title"))
    record["EMAIL"] = _emails(props.get("email", []), props)
    phones, no_call = _phones(props.get("tel", []), props)
    record["TEL"] = phones
    record["TEL (fax, pager)"] = no_call
    categories: list[str] = []
    for prop in props.get("categories", []):
        values = prop.value if isinstance(prop.value, list) else str(prop.value).split(",")
        categories.extend(_join(v) for v in values if _join(v))
    record["CATEGORIES"] = join_beats(categories) if categories else ""
    record["NOTE"] = "\n".join(
        _text(p).replace("\r\n", "\n").replace("\r", "\n").strip()
        for p in props.get("note", [])
        if _text(p).strip()
    )
    record["ROLE"] = _text(_first(props, "role"))
    record["NICKNAME"] = _text(_first(props, "nickname"))
    record["URL"] = _text(_first(props, "url")).replace("\\:", ":")
    # Our own export's extensions (X-RELANCE-…) and social profiles.
    for key, values in props.items():
        if key.startswith("x-relance-") and values:
            record[key.upper()] = _text(values[0])
        elif key == "x-socialprofile":
            for prop in values:
                network = (_params(prop, "TYPE") or [""])[0]
                if network:
                    record[f"X-SOCIALPROFILE ({network})"] = _text(prop)
    return record


def _first(props: dict[str, list[Any]], name: str) -> Any:
    values = props.get(name) or []
    return values[0] if values else None


def _text(prop: Any) -> str:
    if prop is None:
        return ""
    value = prop.value if hasattr(prop, "value") else prop
    if isinstance(value, bytes):
        return ""  # an embedded photo or key
    return _join(value)


def _join(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(_join(v) for v in value if _join(v))
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


def _org(value: Any) -> str:
    """The organisation, without its departments. vCard 2.1 does not escape
    commas, so "Company, The" arrives split in two: join it back."""
    first = value[0] if isinstance(value, list) and value else value
    if isinstance(first, list):
        return ",".join(str(v) for v in first).strip()
    return str(first or "").strip()


def _params(prop: Any, name: str) -> list[str]:
    values: list[str] = []
    for value in prop.params.get(name, []):
        values.extend(v.strip() for v in str(value).split(",") if v.strip())
    return values


def _types(prop: Any) -> set[str]:
    """TYPE values, also vCard 2.1's bare parameters (TEL;WORK;VOICE)."""
    types = {t.lower() for t in _params(prop, "TYPE")}
    types |= {str(p).lower() for p in getattr(prop, "singletonparams", [])}
    return types


def _preferred(prop: Any) -> bool:
    return "pref" in _types(prop) or bool(prop.params.get("PREF"))


def _group_label(prop: Any, props: dict[str, list[Any]]) -> str:
    """Apple's item1.X-ABLabel names the property of the same group."""
    if not prop.group:
        return ""
    for label in props.get("x-ablabel", []):
        if label.group == prop.group:
            text = str(label.value)
            match = _APPLE_LABEL.match(text)
            return (match.group(1) if match else text).lower()[:30]
    return ""


def _emails(values: list[Any], props: dict[str, list[Any]]) -> list[Item]:
    ranked = sorted(values, key=lambda p: not _preferred(p))  # stable: file order otherwise
    items: list[Item] = []
    for prop in ranked:
        address = _text(prop).strip()
        if not address:
            continue
        label = _group_label(prop, props) or next(
            (t for t in sorted(_types(prop)) if t not in _EMAIL_IGNORED_TYPES), ""
        )
        items.append((address, label) if label else address)
    return items


def _phones(values: list[Any], props: dict[str, list[Any]]) -> tuple[list[Item], list[Item]]:
    ranked = sorted(values, key=lambda p: not _preferred(p))
    phones: list[Item] = []
    no_call: list[Item] = []
    for prop in ranked:
        number = _text(prop).strip()
        if number.lower().startswith("tel:"):
            number = number[4:]
        if not number:
            continue
        types = _types(prop)
        if types & _NO_CALL:
            no_call.append((number, "fax" if "fax" in types else "pager"))
            continue
        label = _group_label(prop, props) or next(
            (_PHONE_LABELS[t] for t in ("cell", "mobile", "work", "home") if t in types), ""
        )
        phones.append((number, label) if label else number)
    return phones, no_call
