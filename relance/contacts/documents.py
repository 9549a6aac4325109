"""Derived columns: what the full-text index and duplicate detection see.

Every write path (services, import, demo builder) computes them with these
functions, so a contact is found the same way however it entered the base.

The search document holds the contact's words (names, title, outlet, show,
beats, notes, e-mail addresses), folded, followed by *facet tokens* for the
filters of the contacts page ("zqrolejournalist", "zqcountryfr"…). A search
with filters is then one full-text query that each engine answers from its
index, and counting a million-contact result stays cheap; filtering by joins
would read every matching row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from relance.lib.text import fold, name_key, search_document, words

# Facet tokens start with this; no French or English word does, and user
# search terms starting with it are dropped (see search.user_terms).
FACET = "zq"


def facet(name: str, value: object) -> str:
    """ "zq" + name + the value's folded letters: facet("role", "assignment_editor")
    -> "zqroleassignmenteditor"."""
    return FACET + name + "".join(words(str(value)))


@dataclass(slots=True)
class ContactFacts:
    """What a contact's search document is made of (plain data, so bulk paths
    build it without model instances)."""

    first_name: str = ""
    last_name: str = ""
    title: str = ""
    notes: str = ""
    role: str = "journalist"
    language: str = "fr"
    vip: bool = False
    opted_out: bool = False
    do_not_contact: bool = False
    emails: Iterable[str] = ()
    beats: Iterable[str] = ()
    show_name: str | None = None
    outlet_id: int | None = None
    outlet_name: str | None = None
    outlet_kind: str = ""
    outlet_periodicity: str = ""
    outlet_country: str = ""
    outlet_region: str = ""
    # Team members (user ids) who know the contact (relationship strength >= 1).
    owner_ids: Iterable[int] = field(default_factory=tuple)


def contact_facets(f: ContactFacts) -> list[str]:
    tokens = [
        facet("role", f.role),
        facet("lang", f.language),
        facet("vip", "yes" if f.vip else "no"),
        facet("optout", "yes" if (f.opted_out or f.do_not_contact) else "no"),
    ]
    if f.outlet_id:
        tokens += [
            facet("outlet", f.outlet_id),
            facet("kind", f.outlet_kind),
            facet("per", f.outlet_periodicity),
            facet("country", f.outlet_country),
        ]
        if f.outlet_region:
            tokens.append(facet("region", f.outlet_region))
    tokens += [facet("beat", beat_key(b)) for b in f.beats]
    tokens += [facet("owner", user_id) for user_id in f.owner_ids]
    return tokens


def contact_document(f: ContactFacts) -> str:
    """Folded words of the contact, then its facet tokens."""
    text = search_document(
        f.first_name,
        f.last_name,
        f.title,
        f.outlet_name,
        f.show_name,
        " ".join(f.beats),
        f.notes,
        " ".join(f.emails),
    )
    return f"{text} {' '.join(contact_facets(f))}".strip()


def contact_name_key(first_name: str, last_name: str) -> str:
    return name_key(first_name, last_name)


def outlet_document(name: str, city: str, region: str, editorial_line: str) -> str:
    return search_document(name, city, region, editorial_line)


def outlet_name_key(name: str) -> str:
    """Outlet names as typed in spreadsheets: "Le Monde", "LE MONDE", "le monde "."""
    return " ".join(fold(name).split())


def beat_key(name: str) -> str:
    return " ".join(fold(name).split())
