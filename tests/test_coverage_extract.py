"""Article extraction on the 40 real pages of trafilatura's evaluation set
(snippets the text must and must not contain, titles, authors, dates), the
pages decoded by our charset detection as fetched pages are; then the small
rules of our own: site names off titles, canonical links, language."""

from __future__ import annotations

import json
import socket
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from relance.coverage.charsets import decode
from relance.coverage.extract import _clean_title, extract_article

ARTICLES = Path(__file__).parent / "data" / "coverage" / "articles"
# Shares measured with trafilatura 2.3.1 (docs/coverage.md); a change of
# extractor or of our post-processing must not lower them by more than the
# margin (one page is 0.025 of the titles, authors and dates).
MEASURED = {
    "with": 118 / 120,
    "without": 109 / 118,
    "title": 32 / 40,
    "author": 30 / 40,
    "date": 35 / 40,
    "pages": 32 / 40,
}
MARGIN = 0.03
_PUNCTUATION = str.maketrans(
    {"–": "-", "—": "-", "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "«": '"', "»": '"'}
)


def _norm(text: str | None) -> str:
    """Compare as a reader would: Unicode forms, typographic quotes and
    dashes, spacing and case do not count."""
    text = unicodedata.normalize("NFKC", text or "").translate(_PUNCTUATION)
    return " ".join(text.split()).casefold()


def _expected_day(value: str) -> str:
    year, month, day = value.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


@pytest.fixture
def no_network(monkeypatch):
    """Extraction must never reach out: any connection attempt fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("extraction tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_corpus_shares(no_network):
    expected = json.loads((ARTICLES / "expected.json").read_text("utf-8"))
    assert len(expected) == 40
    hits = dict.fromkeys(MEASURED, 0)
    totals = dict.fromkeys(MEASURED, 0)
    misses: list[str] = []
    for url, case in expected.items():
        html, _encoding = decode((ARTICLES / "pages" / case["file"]).read_bytes())
        got = extract_article(html, url=url)
        text = _norm(got.text)
        page_ok = True
        for snippet in case["with"]:
            ok = _norm(snippet) in text
            hits["with"] += ok
            totals["with"] += 1
            page_ok &= ok
        for snippet in case["without"]:
            ok = _norm(snippet) not in text
            hits["without"] += ok
            totals["without"] += 1
            page_ok &= ok
        hits["pages"] += page_ok
        totals["pages"] += 1
        title_ok = _norm(got.title).strip(" .") == _norm(case["title"]).strip(" .")
        names = case["author"] if isinstance(case["author"], list) else [case["author"]]
        author_ok = bool(got.author) and all(
            _norm(n).strip(" .") in _norm(got.author) for n in names
        )
        date_ok = got.published is not None and (
            got.published.isoformat() == _expected_day(case["date"])
        )
        for name, ok in (("title", title_ok), ("author", author_ok), ("date", date_ok)):
            hits[name] += ok
            totals[name] += 1
            if not ok:
                misses.append(f"{case['file']}: {name}")
    shares = {name: hits[name] / totals[name] for name in MEASURED}
    for name, measured in MEASURED.items():
        assert shares[name] >= measured - MARGIN, (name, shares, misses)


def test_licence_is_kept():
    assert (ARTICLES / "TRAFILATURA-LICENSE").exists()


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Le parc éolien ouvre | Le Courrier", "Le Courrier", "Le parc éolien ouvre"),
        ("Le Courrier - Le parc éolien ouvre", "Le Courrier", "Le parc éolien ouvre"),
        ("Le parc ouvre — Herz und Blut - Blog", "Herz und Blut - Blog", "Le parc ouvre"),
        ("Le Courrier", "Le Courrier", "Le Courrier"),  # never the whole title
        ("Le Courrier de Lyon rachète", "Le Courrier", "Le Courrier de Lyon rachète"),
        ("Titre sans site", "", "Titre sans site"),
    ],
)
def test_site_names_come_off_titles(title, site, expected):
    assert _clean_title(title, site) == expected


PAGE = """<!doctype html><html lang="fr-CA"><head><meta charset="utf-8">
<title>Le parc éolien de Sainte-Luce ouvre | Le Courrier</title>
<meta property="og:site_name" content="Le Courrier">
<meta name="author" content="Claire Dubois">
<meta property="article:published_time" content="2026-03-09T08:00:00-05:00">
<link rel="canonical" href="/2026/03/parc-eolien?utm_source=x">
</head><body><nav><a href="/">Accueil</a> <a href="/sport">Sport</a></nav>
<article><h1>Le parc éolien de Sainte-Luce ouvre</h1>
<p>Le parc éolien de Sainte-Luce a été inauguré lundi matin en présence des élus de la
région, après trois ans de travaux et une longue consultation publique.</p>
<p>Ses vingt éoliennes produiront l'électricité de douze mille foyers, selon Éolia
Énergies, qui exploitera le site pendant au moins vingt-cinq ans.</p>
<p>Les riverains, d'abord inquiets du bruit, se disent aujourd'hui rassurés par les
mesures réalisées pendant l'hiver par un bureau d'études indépendant.</p>
</article><footer>© Le Courrier — Tous droits réservés</footer></body></html>"""


def test_a_page_of_ours(no_network):
    got = extract_article(PAGE, url="https://www.courrier.example/x?id=1#top")
    assert got.title == "Le parc éolien de Sainte-Luce ouvre"
    assert got.author == "Claire Dubois"
    assert got.published == date(2026, 3, 9)
    assert got.language == "fr"
    # The canonical link, resolved and without its tracking parameter.
    assert got.canonical_url == "https://www.courrier.example/2026/03/parc-eolien"
    assert "douze mille foyers" in got.text
    assert "Tous droits réservés" not in got.text
    assert "Accueil" not in got.text


def test_a_canonical_link_to_another_site_is_ignored():
    page = PAGE.replace('href="/2026/03/parc-eolien?utm_source=x"', 'href="https://wire.example/a"')
    got = extract_article(page, url="https://www.courrier.example/x")
    assert got.canonical_url == "https://www.courrier.example/x"


def test_a_page_with_nothing_to_extract():
    got = extract_article(
        "<html><body><script>x=1</script></body></html>", url="https://a.example/"
    )
    assert got.text == "" and got.title == ""
    assert got.canonical_url == "https://a.example/"
