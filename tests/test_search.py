"""Full-text search and filters, on whichever engine the run uses (SQLite
FTS5 by default, PostgreSQL text search with DATABASE_URL)."""

from __future__ import annotations

import pytest

from relance.contacts.search import ContactFilters, paginate, search_contacts
from relance.contacts.services.contacts import set_relationship, update_contact
from relance.contacts.services.outlets import update_outlet

from .factories import contact, outlet

pytestmark = pytest.mark.django_db


def names(actor, **params):
    qs = search_contacts(actor, ContactFilters.from_params(params))
    return [c.last_name for c in qs]


@pytest.fixture
def media(cast):
    d = cast["director"]
    lyon = outlet(d, "Le Courrier de Lyon", country="FR", region="Auvergne-Rhône-Alpes")
    mtl = outlet(
        d, "La Voix de Montréal", country="CA", region="QC", kind="radio", periodicity="daily"
    )
    mag = outlet(d, "Terre Vivante Mag", periodicity="monthly")
    contact(d, "Dubois", first_name="Claire", outlet_id=lyon.pk, beats=["Écologie", "Énergie"])
    contact(
        d,
        "Tremblay",
        first_name="Élodie",
        outlet_id=mtl.pk,
        beats=["Culture"],
        role="researcher",
        language="fr",
    )
    contact(
        d,
        "Lefèvre",
        first_name="Marc",
        outlet_id=mag.pk,
        beats=["Sciences"],
        notes="Suit l'ÉCOLOGIE urbaine de près",
        opted_out=True,
    )
    contact(d, "Smith", first_name="John", outlet_id=mtl.pk, beats=["Tech"], language="en")
    return {"lyon": lyon, "mtl": mtl, "mag": mag}


def test_accents_and_case_do_not_matter(cast, media):
    d = cast["director"]
    assert names(d, q="ecologie") == ["Dubois", "Lefèvre"]
    assert names(d, q="ÉCOLOGIE") == ["Dubois", "Lefèvre"]
    assert names(d, q="Écolo") == ["Dubois", "Lefèvre"]  # prefix, as you type
    assert names(d, q="elodie tremblay") == ["Tremblay"]
    assert names(d, q="lefevre") == ["Lefèvre"]


def test_search_covers_outlet_beats_and_notes(cast, media):
    d = cast["director"]
    assert names(d, q="montreal") == ["Smith", "Tremblay"]
    assert names(d, q="energie") == ["Dubois"]
    assert names(d, q="urbaine") == ["Lefèvre"]


def test_renaming_an_outlet_updates_what_search_finds(cast, media):
    d = cast["director"]
    update_outlet(d, media["lyon"], {"name": "Le Progrès Lyonnais"})
    assert names(d, q="progres") == ["Dubois"]
    assert names(d, q="courrier") == []


def test_editing_beats_updates_search(cast, media):
    d = cast["director"]
    claire = search_contacts(d, ContactFilters(q="dubois")).get()
    update_contact(d, claire, {"beats": ["Gastronomie"]})
    assert names(d, q="gastronomie") == ["Dubois"]
    assert names(d, q="energie") == []


def test_filters(cast, media):
    d = cast["director"]
    assert names(d, country="CA") == ["Smith", "Tremblay"]
    assert names(d, country="ca", language="en") == ["Smith"]
    assert names(d, role="researcher") == ["Tremblay"]
    assert names(d, kind="radio", role="journalist") == ["Smith"]
    assert names(d, periodicity="monthly") == ["Lefèvre"]
    assert names(d, region="qc") == ["Smith", "Tremblay"]
    assert names(d, beat="ecologie") == ["Dubois"]
    assert names(d, opted_out="yes") == ["Lefèvre"]
    assert names(d, opted_out="no") == ["Dubois", "Smith", "Tremblay"]
    assert names(d, q="ecologie", opted_out="no") == ["Dubois"]


def test_relationship_owner_filter(cast, media):
    d = cast["director"]
    claire = search_contacts(d, ContactFilters(q="dubois")).get()
    set_relationship(d, claire, cast["manager"], 3, "Déjeuner en mai")
    assert names(d, owner="manager") == ["Dubois"]
    assert names(d, owner="officer") == []


def test_sorting(cast, media):
    d = cast["director"]
    assert names(d, sort="-name") == ["Tremblay", "Smith", "Lefèvre", "Dubois"]
    assert names(d, sort="outlet")[:2] == ["Smith", "Tremblay"]  # La Voix… before Le Courrier


def test_bad_filter_values_are_reported_not_fatal(cast, media):
    f = ContactFilters.from_params({"role": ["chef", "journalist"], "sort": "nope", "vip": "??"})
    assert f.role == ["journalist"]
    assert f.sort == "name"
    assert len(f.errors) == 3


def test_query_made_of_punctuation_matches_everything(cast, media):
    assert len(names(cast["director"], q='"*)(-')) == 4


def test_paginate_counts_and_pages(cast, media):
    qs = search_contacts(cast["director"], ContactFilters())
    page = paginate(qs, page=99, size=25)
    assert page.number == 1 and page.count == 4 and not page.capped and not page.has_next


def test_client_viewer_cannot_search(cast, media):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        search_contacts(cast["viewer"], ContactFilters())


FILTER_CASES = [
    {},
    {"q": "ecologie"},
    {"role": "journalist"},
    {"role": ["journalist", "researcher"], "country": "CA"},
    {"q": "montr", "language": "fr"},
    {"kind": "radio", "sort": "-name"},
    {"beat": ["culture", "tech"]},
    {"opted_out": "no", "sort": "updated"},
    {"owner": "manager"},
    {"owner": "nobody-by-that-name"},
    {"q": "e", "sort": "role"},
]


@pytest.mark.parametrize("window", [None, 2, 0], ids=["window", "window-too-small", "no-window"])
@pytest.mark.parametrize("params", FILTER_CASES)
def test_paging_strategies_agree_with_the_index(cast, media, monkeypatch, params, window):
    """When matches are many, search_page walks the sort index over a window
    (and falls back to sorting every match when the window comes up short):
    both must return exactly what the full-text index returns."""
    from relance.contacts import search

    d = cast["director"]
    claire = search_contacts(d, ContactFilters(q="dubois")).get()
    set_relationship(d, claire, cast["manager"], 2)
    filters = ContactFilters.from_params(params)
    expected = [c.pk for c in search_contacts(d, filters)]
    monkeypatch.setattr(search, "SEARCH_COUNT_CAP", 0)  # every result set counts as "many"
    if window == 0:
        monkeypatch.setattr(search, "_WINDOW_MAX", 0)
    elif window:
        monkeypatch.setattr(search, "_window_size", lambda *args: window)
    if window is not None:
        monkeypatch.setattr(search, "_PG_NAME_WINDOW", window)
    page = search.search_page(d, filters, size=25)
    assert [c.pk for c in page.items] == expected


def test_list_filter_with_a_saved_search_applies_its_filters(cast, media):
    from relance.contacts.services.lists import create_list

    d = cast["director"]
    smart = create_list(d, {"name": "Québec", "kind": "smart", "filters": {"country": "CA"}})
    assert names(d, list=str(smart.pk)) == ["Smith", "Tremblay"]
    assert names(d, list=str(smart.pk), language="en") == ["Smith"]
    assert names(d, list="999999") == []
