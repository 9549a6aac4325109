"""Stored once: canonical URLs (case, fragments, tracking parameters,
same-site canonical links) and near-identical texts (a wire story run by
several outlets), with the similarity threshold on both sides of the line."""

from __future__ import annotations

import pytest

from relance.coverage import canonical, fingerprint

WIRE = (
    "Le parc éolien en mer de Sainte-Luce a produit ses premiers kilowattheures lundi, "
    "a annoncé son exploitant Éolia Énergies dans un communiqué. Les vingt éoliennes, "
    "installées à quinze kilomètres des côtes, doivent fournir l'équivalent de la "
    "consommation électrique de douze mille foyers d'ici la fin de l'année. Le chantier, "
    "lancé il y a trois ans, a mobilisé jusqu'à quatre cents personnes, dont une majorité "
    "recrutée dans la région. Les pêcheurs, longtemps opposés au projet, ont obtenu des "
    "compensations et un droit de passage entre les mâts. La préfecture maritime a précisé "
    "qu'une zone d'exclusion restera en vigueur jusqu'à la mise en service complète, prévue "
    "au printemps. Le projet a coûté un peu plus de deux milliards d'euros, financés en "
    "partie par des banques publiques européennes. Une deuxième tranche de quinze éoliennes "
    "est à l'étude, a indiqué le directeur du site, qui attend l'avis de la commission "
    "nationale du débat public avant l'été."
)
# The same dispatch as a partner runs it: a sentence rewritten, one cut,
# a "read also" line in the middle, a credit at the end.
COPY = (
    WIRE.replace(
        "a annoncé son exploitant Éolia Énergies dans un communiqué", "selon Éolia"
    ).replace(
        "Le projet a coûté un peu plus de deux milliards d'euros, financés en partie par des "
        "banques publiques européennes. ",
        "Lire aussi : notre dossier sur l'éolien en mer. ",
    )
    + " (AFP)"
)
# Another article on the same subject, in other words.
OTHER = (
    "À Sainte-Luce, l'arrivée des éoliennes divise encore les habitants. Sur le port, "
    "les pêcheurs reconnaissent que les compensations ont apaisé les tensions, mais "
    "beaucoup regrettent la vue d'autrefois. Au café de la place, on parle surtout des "
    "emplois : plusieurs jeunes du village ont été embauchés pour la maintenance des "
    "machines, un métier qui n'existait pas ici il y a cinq ans. La mairie espère que les "
    "retombées fiscales permettront de rénover l'école et la salle des fêtes. Les "
    "associations de protection des oiseaux, elles, attendent les premiers relevés "
    "scientifiques pour juger de l'effet du parc sur les migrations, et promettent de "
    "rester vigilantes si une deuxième tranche venait à être autorisée par l'État."
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://WWW.Journal.Example/Article", "https://www.journal.example/Article"),
        ("https://journal.example:443/a#comments", "https://journal.example/a"),
        ("http://journal.example:8080/a", "http://journal.example:8080/a"),
        ("https://journal.example", "https://journal.example/"),
        (
            "https://journal.example/a?utm_source=rss&utm_medium=feed&id=4&fbclid=x&gclid=y",
            "https://journal.example/a?id=4",
        ),
        ("https://journal.example/a?xtor=RSS-3&at_medium=x", "https://journal.example/a"),
        ("https://journal.example//a//b", "https://journal.example/a/b"),
        ("https://journal.example/été", "https://journal.example/%C3%A9t%C3%A9"),
        ("https://journal.example/%C3%A9t%C3%A9", "https://journal.example/%C3%A9t%C3%A9"),
        ("https://Bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("ftp://journal.example/a", ""),
        ("mailto:a@journal.example", ""),
    ],
)
def test_canonicalize(url, expected):
    assert canonical.canonicalize(url) == expected


def test_canonical_link_within_the_site_wins():
    page = "https://m.journal.example/a?utm_source=x"
    assert (
        canonical.choose(page, "https://www.journal.example/a") == "https://www.journal.example/a"
    )
    assert canonical.choose(page, "") == "https://m.journal.example/a"
    # Another site's address is not this copy's: it stays apart.
    assert canonical.choose(page, "https://wire.example/a") == "https://m.journal.example/a"


def _similar(a: str, b: str) -> bool:
    return fingerprint.is_copy(fingerprint.shingles(a), fingerprint.shingles(b))


def test_a_syndicated_copy_is_recognised():
    assert _similar(WIRE, COPY)
    # Case, accents and punctuation do not matter.
    assert _similar(WIRE, WIRE.upper().replace("É", "E").replace(",", ""))


def test_half_the_dispatch_is_still_a_copy():
    half = WIRE[: len(WIRE) // 2]
    assert _similar(WIRE, half)


def test_another_article_on_the_same_subject_is_not_a_copy():
    assert not _similar(WIRE, OTHER)
    # Nor the wire story with a long commentary added (less than half its text).
    commentary = OTHER + " " + OTHER.replace("Sainte-Luce", "Saint-Malo")
    assert not _similar(WIRE[:400], commentary)


def test_short_texts_are_not_compared():
    brief = "Le parc éolien de Sainte-Luce a été inauguré lundi."
    assert fingerprint.shingles(brief) == set()
    assert not _similar(brief, brief)


def test_signatures_estimate_similarity_and_share_bands():
    wire, copy, other = (
        fingerprint.signature(fingerprint.shingles(t)) for t in (WIRE, COPY, OTHER)
    )
    assert len(wire) == fingerprint.PERMUTATIONS
    assert fingerprint.decode(fingerprint.encode(wire)) == wire
    assert fingerprint.estimated_similarity(wire, copy) > 0.5
    assert fingerprint.estimated_similarity(wire, other) < 0.2
    assert set(fingerprint.bands(wire)) & set(fingerprint.bands(copy))
    assert not set(fingerprint.bands(wire)) & set(fingerprint.bands(other))
    # Stable across processes: the coefficients are fixed.
    assert fingerprint.bands(wire) == fingerprint.bands(list(wire))


def test_the_most_similar_original_wins():
    mine = fingerprint.shingles(COPY)
    rows = [(3, OTHER), (7, WIRE), (9, WIRE + " Mise à jour.")]
    best = fingerprint.best_original(mine, rows)
    assert best is not None and best[0] == 7
    assert fingerprint.best_original(mine, [(1, OTHER)]) is None


def test_the_threshold_line():
    """Half of the dispatch spliced into another article shares too little
    to be a copy; the dispatch with a paragraph cut still is one."""
    wire = fingerprint.shingles(WIRE)
    spliced = fingerprint.shingles(WIRE[: len(WIRE) // 2] + " " + OTHER)
    common = len(wire & spliced)
    assert common / len(wire | spliced) < fingerprint.DUPLICATE_JACCARD
    assert common / min(len(wire), len(spliced)) < fingerprint.DUPLICATE_CONTAINMENT
    assert not fingerprint.is_copy(wire, spliced)
    cut = WIRE.split(". ")
    shortened = fingerprint.shingles(". ".join(cut[:3] + cut[5:]))
    assert fingerprint.is_copy(wire, shortened)
