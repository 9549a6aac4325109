"""Matching articles to campaigns, on the pure matcher: what a press officer
expects to find in the review queue, and what must stay out of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relance.coverage import extract
from relance.coverage.matching import (
    DEFAULT_THRESHOLD,
    Matcher,
    Watch,
    _Positions,
    fold,
    learned_threshold,
    passages,
    variants,
)

ECLAIR = Watch(
    campaign_id=1,
    client_id=10,
    names=(
        ("client", "Éolia Énergies"),
        ("brand", "Éolia"),
        ("product", "Turbine Mistral"),
        ("person", "Hélène Côté"),
        ("competitor", "Ventis"),
    ),
    key_messages=("Une éolienne silencieuse pour les villes",),
    terms=("eolien", "silenc", "vill", "turbin", "urbain", "energ"),
)
CREME = Watch(
    campaign_id=2,
    client_id=11,
    names=(("client", "L'Oréal Paris"), ("brand", "Lancôme")),
    terms=("beaut", "parfum", "cosmet"),
)


def best(matcher: Matcher, title: str, text: str = ""):
    found = matcher.match(title, text, threshold=0)
    return found[0] if found else None


def test_accents_case_and_apostrophes_do_not_hide_a_name():
    m = Matcher([ECLAIR, CREME])
    hit = best(m, "EOLIA ENERGIES lance une turbine", "La turbine mistral d’Eolia.")
    assert hit is not None and hit.campaign_id == 1
    assert {"Éolia Énergies", "Turbine Mistral"} <= set(hit.names)
    creme = best(m, "Chez L’Oréal Paris, le parfum change")
    assert creme is not None and creme.campaign_id == 2


def test_plurals_match_but_names_inside_other_words_do_not():
    m = Matcher([CREME])
    assert best(m, "Les Lancômes de l'été") is not None
    # "Lancômerie" is another word; so is "Oréaliste".
    assert best(m, "La Lancômerie ouvre à Lyon") is None
    m2 = Matcher([ECLAIR])
    assert best(m2, "Éolianes et éoliens en débat") is None  # not "Éolia"
    assert best(m2, "Les Éolias du marché") is not None


def test_a_common_word_in_lower_case_counts_less_than_the_name():
    watch = Watch(3, 12, (("client", "Orange"),), terms=("fibr", "box"))
    m = Matcher([watch])
    fruit = best(m, "Recette : une tarte à l'orange")
    brand = best(m, "Orange lance sa box fibre")
    assert fruit is not None and brand is not None
    assert not fruit.hits[0].exact and brand.hits[0].exact
    assert fruit.score < DEFAULT_THRESHOLD <= brand.score


def test_the_title_the_release_vocabulary_and_key_messages_raise_the_score():
    m = Matcher([ECLAIR])
    passing = best(m, "Énergie", "Éolia Énergies était présente au salon parmi cent exposants.")
    focused = best(
        m,
        "Éolia Énergies dévoile une éolienne silencieuse pour les villes",
        "La turbine Mistral promet une énergie urbaine sans bruit : une éolienne "
        "silencieuse pour les villes, selon Hélène Côté.",
    )
    assert passing is not None and focused is not None
    assert focused.score > passing.score
    assert focused.messages == ["Une éolienne silencieuse pour les villes"]
    assert focused.relevance > passing.relevance
    assert passing.score < DEFAULT_THRESHOLD <= focused.score


def test_a_key_message_in_other_words_comes_through():
    m = Matcher([ECLAIR])
    hit = best(m, "Éolia", "Pour les villes, une éolienne enfin silencieuse.")
    assert hit is not None and hit.messages == ["Une éolienne silencieuse pour les villes"]


def test_a_key_message_or_a_competitor_alone_is_not_coverage():
    m = Matcher([ECLAIR])
    assert m.match("Une éolienne silencieuse pour les villes", "", threshold=0) == []
    assert m.match("Ventis rachète un parc", "", threshold=0) == []
    assert m.mentions("Ventis face à Éolia", "") == {"Ventis"}


def test_passages_mark_the_hits_and_keep_the_text_as_written():
    m = Matcher([ECLAIR])
    text = (
        "Un long préambule sans rapport. " * 10
    ) + "Hélène Côté (Éolia) a présenté la Turbine Mistral."
    hit = best(m, "Actualité", text)
    assert hit is not None
    [passage] = hit.passages
    marked = [t for t, on in passage.segments if on]
    assert marked == ["Hélène Côté", "Éolia", "Turbine Mistral"]
    assert passage.segments[0] == ("…", False)  # the text goes on before
    whole = "".join(t for t, _ in passage.segments)
    assert "Hélène Côté (Éolia) a présenté la Turbine Mistral." in whole


def test_ligatures_keep_highlights_on_the_right_letters():
    watch = Watch(4, 13, (("client", "Cœur de Lion"),), terms=())
    m = Matcher([watch])
    text = "Le bœuf et l’œuf : Cœur de Lion répond."
    hit = best(m, "", text)
    assert hit is not None
    assert text[hit.hits[0].start : hit.hits[0].end] == "Cœur de Lion"
    assert [t for t, on in passages("", text, hit.hits)[0].segments if on] == ["Cœur de Lion"]


def test_several_campaigns_of_one_client_are_ranked_by_what_the_article_is_about():
    launch = Watch(5, 10, (("client", "Éolia"), ("product", "Mistral")), terms=("turbin", "lanc"))
    results = Watch(6, 10, (("client", "Éolia"),), terms=("resultat", "chiffr", "affair"))
    m = Matcher([launch, results])
    found = m.match("Éolia lance Mistral", "La turbine Mistral est lancée par Éolia.", threshold=0)
    assert [f.campaign_id for f in found] == [5, 6]


def test_a_real_article_matches_a_name_it_contains_and_not_a_prefix_of_it():
    page = Path(__file__).parent / "data" / "coverage" / "articles"
    html = next(page.rglob("latimes.com.bloomberg.html")).read_text(errors="replace")
    article = extract.extract_article(
        html, url="https://www.latimes.com/politics/story/2020-02-19/x"
    )
    assert article is not None
    watches = [
        Watch(7, 14, (("client", "Bloomberg"),), terms=("debat", "democrat")),
        Watch(8, 15, (("client", "Bloom"),), terms=()),
    ]
    found = Matcher(watches).match(article.title, article.text, threshold=0)
    assert [f.campaign_id for f in found] == [7]
    assert found[0].hits and all(
        (article.title if h.where == "title" else article.text)[h.start : h.end].lower()
        == "bloomberg"
        for h in found[0].hits
    )


def test_no_campaign_no_match():
    assert Matcher([]).match("Éolia", "Éolia") == []


@pytest.mark.parametrize(
    ("label", "written"),
    [
        ("L'Oréal", "L’ORÉAL"),
        ("L’Oréal", "l'oreal"),
        ("L'Oréal", "L Oréal"),
        ("Jean-Marc Vallée", "Jean Marc Vallee"),
        ("Cœur de Lion", "Coeur de lion"),
        ("Coeur de Lion", "Cœur de Lion"),
    ],
)
def test_a_name_is_found_however_it_is_typed(label, written):
    assert fold(written) in variants(label)


def test_the_threshold_learns_from_rejections_without_losing_confirmed_coverage():
    confirmed = [(0.45 + i / 100, True) for i in range(30)]  # 0.45 … 0.74
    rejected = [(0.41, False), (0.43, False), (0.44, False)]
    assert learned_threshold(confirmed + rejected) == pytest.approx(0.441)
    # Rejections above most confirmed scores cannot be cut without losing
    # coverage: the threshold rises only to keep 95 % of the confirmed.
    high = [(0.7, False)] * 5
    t = learned_threshold(confirmed + high + rejected)
    kept = sum(1 for s, ok in confirmed if s >= t) / len(confirmed)
    assert kept >= 0.95
    # Too few decisions, or nothing rejected: the default stays.
    assert learned_threshold(confirmed[:5] + rejected) == DEFAULT_THRESHOLD
    assert learned_threshold(confirmed) == DEFAULT_THRESHOLD
    # Bounded.
    assert learned_threshold([(0.95, True)] * 30 + [(0.9, False)] * 5) == 0.8


@given(st.text(alphabet="abc œŒæ…ﬁéÉß’xz", max_size=40))
def test_highlight_positions_follow_folding_letter_for_letter(text):
    # The slow, obvious map: each character's folded letters come from it.
    expected = [i for i, ch in enumerate(text) for _ in fold(ch)]
    at = _Positions(text)
    assert [at(k) for k in range(len(fold(text)))] == expected
