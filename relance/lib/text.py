"""Text normalisation shared by search, de-duplication and import mapping.

French and Quebec names and beats come with accents, ligatures and
apostrophes typed in every possible way ("Écologie", "ecologie", "ÉCOLOGIE";
"Cœur", "Coeur"). Everything that compares text goes through `fold`, and the
full-text index stores folded words, so both database engines behave the same.
"""

from __future__ import annotations

import re
import unicodedata

_SPECIAL = str.maketrans(
    {
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
        "ß": "ss",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
    }
)
# Letters and digits; "_" separates words, as in SQLite's unicode61 tokenizer,
# so Python and both database engines cut text into the same words.
_WORD = re.compile(r"[^\W_]+")
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, accent-free form of `text` ("Écologie" -> "ecologie")."""
    if not text:
        return ""
    text = text.translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def words(text: str | None) -> list[str]:
    """Folded words of `text`, the unit both full-text engines index."""
    return _WORD.findall(fold(text))


def search_document(*parts: str | None) -> str:
    """The folded, space-separated words indexed for full-text search."""
    return " ".join(w for part in parts for w in words(part))


def name_key(first_name: str | None, last_name: str | None) -> str:
    """Comparable form of a person's name for duplicate detection.

    Word order is normalised so "Dubois Claire" and "Claire Dubois" match, and
    hyphens and apostrophes vanish ("Jean-Marc" = "Jean Marc").
    """
    return " ".join(sorted(words(f"{first_name or ''} {last_name or ''}")))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str | None) -> str:
    """Drop control characters (NUL above all: PostgreSQL refuses it in text,
    and pasted spreadsheet cells carry them) but keep tabs and newlines."""
    return _CONTROL.sub("", text or "")


def squash(text: str | None) -> str:
    """One line: control characters dropped, runs of whitespace collapsed,
    ends stripped."""
    return _SPACES.sub(" ", clean_text(text)).strip()
