"""Name order straight from the full-text index.

On SQLite the index's rowid is a name rank (relance/contacts/sortrank.py):
names sharing their first characters share a bucket that the search sorts
exactly. These tests hold the rank to its one promise (never order two names
the wrong way round) and check every page of name-sorted searches against
the database's own ORDER BY, on whichever engine the run uses.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relance.contacts import search, sortrank
from relance.contacts.search import ContactFilters, search_contacts, search_page
from relance.contacts.services.contacts import update_contact
from relance.contacts.services.gdpr import erase_person

from .factories import contact

# Letters of every kind a name holds: capitals, small letters, accents,
# separators, digits, and characters beyond Latin-1.
NAME_CHARS = "AaBbEeMmZzÉéÀàçÇÿ -'.09ŒœΩЖ"
names = st.text(alphabet=NAME_CHARS, max_size=9)


@given(names, names, names, names)
def test_rank_buckets_never_contradict_the_database_order(last1, first1, last2, first2):
    if (last1, first1) > (last2, first2):
        (last1, first1), (last2, first2) = (last2, first2), (last1, first1)
    assert sortrank.bucket_of(last1, first1) <= sortrank.bucket_of(last2, first2)


def test_rank_keeps_the_id_and_refuses_ids_it_cannot_hold():
    rank = sortrank.sort_rank("Dubois", "Claire", 123_456)
    assert sortrank.contact_id(rank) == 123_456
    assert sortrank.bucket(rank) == sortrank.bucket_of("Dubois", "Claire")
    assert rank < 2**57  # FTS5 in SQLite 3.40 mis-walks larger rowids backwards
    with pytest.raises(ValueError):
        sortrank.sort_rank("Dubois", "Claire", sortrank.ID_MASK + 1)


# Names chosen to share buckets (same first five characters, a lossy
# character early on, case and accents) and to fall apart only late.
NAMES = [
    ("Martin", "Anne"),
    ("Martin", "Zoé"),
    ("Martin", "Émile"),
    ("Martineau", "Paul"),
    ("Martinez", "Ana"),
    ("martin", "luc"),
    ("Marti", "Jordi"),
    ("Mart", "Ole"),
    ("Le", "Zoé"),
    ("Le Pen", "Marc"),
    ("Le Goff", "Yann"),
    ("Lebrun", "Jules"),
    ("de la Tour", "Inès"),
    ("D'Amour", "Luc"),
    ("Émond", "Chloé"),
    ("Emond", "Chloé"),
    ("Zola", "Émile"),
    ("Œuvray", "Jean"),
    ("Ωmega", "Test"),
    ("Dubois", "Claire"),
    ("Dubois", "Claire"),
    ("Dubois", "Ange"),
    ("Duboiss", "Ange"),
    ("Dubo", ""),
]


@pytest.fixture
def crowd(cast):
    d = cast["director"]
    people = [
        contact(d, last, first_name=first, beats=["Énergie"], role="journalist")
        for last, first in NAMES
    ]
    # A contact erased and one renamed after creation: the index follows both.
    erase_person(d, people[-1])
    update_contact(d, people[0], {"last_name": "Aaron"})
    return d


@pytest.mark.django_db
@pytest.mark.parametrize("cap", [0, 4, 1000])
@pytest.mark.parametrize("sort", ["name", "-name"])
@pytest.mark.parametrize("params", [{"beat": "energie"}, {"q": "mart"}, {"q": "claire dubois"}])
def test_every_page_in_name_order_matches_the_database(crowd, monkeypatch, cap, sort, params):
    monkeypatch.setattr(search, "SEARCH_COUNT_CAP", cap)
    filters = ContactFilters.from_params({**params, "sort": sort})
    expected = [c.pk for c in search_contacts(crowd, filters)]
    assert expected
    for size in (1, 3, 7, 25):
        got = []
        for number in range(1, len(expected) // size + 2):
            page = search_page(crowd, filters, number, size, clamp=False)
            got += [row.pk for row in page.items]
        assert got == expected, size


@pytest.mark.django_db
def test_a_page_past_the_end_shows_the_last_one(crowd):
    filters = ContactFilters.from_params({"beat": "energie"})
    expected = [c.pk for c in search_contacts(crowd, filters)]
    page = search_page(crowd, filters, 99, 10)
    assert page.number == -(-len(expected) // 10)
    assert [row.pk for row in page.items] == expected[(page.number - 1) * 10 :]
    assert page.count == len(expected) and not page.capped
