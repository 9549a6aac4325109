"""Derived columns: what the full-text index and duplicate detection see.

Every write path (services, import, demo builder) computes them with these
functions, so a contact is found the same way however it entered the base.
"""

from __future__ import annotations

from collections.abc import Iterable

from relance.lib.text import fold, name_key, search_document


def contact_document(
    first_name: str,
    last_name: str,
    title: str,
    outlet_name: str | None,
    show_name: str | None,
    beat_names: Iterable[str],
    notes: str,
    emails: Iterable[str] = (),
) -> str:
    """Names, outlet, show, beats, notes and e-mail addresses, folded."""
    return search_document(
        first_name,
        last_name,
        title,
        outlet_name,
        show_name,
        " ".join(beat_names),
        notes,
        " ".join(emails),
    )


def contact_name_key(first_name: str, last_name: str) -> str:
    return name_key(first_name, last_name)


def outlet_document(name: str, city: str, region: str, editorial_line: str) -> str:
    return search_document(name, city, region, editorial_line)


def outlet_name_key(name: str) -> str:
    """Outlet names as typed in spreadsheets: "Le Monde", "LE MONDE", "le monde "."""
    return " ".join(fold(name).split())


def beat_key(name: str) -> str:
    return " ".join(fold(name).split())
