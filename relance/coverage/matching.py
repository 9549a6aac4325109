"""Matching articles to the campaigns they may be coverage of.

One multi-pattern automaton (Aho-Corasick, `ahocorasick_rs`) holds every
name all active campaigns listen for — the client, its brands, the
campaign's products and spokespeople, its key messages — so an article is
read once whatever the number of campaigns (docs/coverage.md, "Matching").
Only the campaigns whose names appear are then scored against the article:
which names, whether in the title, how many key messages came through, and
how much of the release's vocabulary the article shares.

Pure: no database. `services` loads the watches and stores the candidates.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice, product

import ahocorasick_rs

from relance.campaigns.targeting import STOP_WORDS, stemmer_for

# What a name is, by the weight of its evidence. A client's name in an
# article is the strongest sign; a key message alone proves nothing about
# who is meant.
NAME_KINDS = ("client", "brand", "product", "person")
MESSAGE = "message"
COMPETITOR = "competitor"

DEFAULT_THRESHOLD = 0.4
PASSAGE_CHARS = 110  # either side of a hit: about a sentence

# Combining marks of the Latin, Greek and Cyrillic scripts, removed after
# NFKD in one C-level pass (a per-character test costs ten times more, and
# matching reads megabytes a second).
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD = re.compile(r"[^\W_]+")
_SPACES = re.compile(r"\s+")
# How the parts of a name are joined, however it is typed: "L'Oréal",
# "L’Oréal", "L Oréal"; "Jean-Marc", "Jean Marc".
_JOINS = re.compile(r"([\s'’ʼ‘\-‐‑]+)")
_APOSTROPHES = ("'", "’", " ")
_HYPHENS = ("-", " ")
_LIGATURES = (("œ", "oe"), ("æ", "ae"))


def fold(text: str) -> str:
    """Lower-case, accent-free text. Punctuation stays: an article is read
    as it is (three C-level passes), and names are looked for in each of
    the ways they can be typed (`variants`)."""
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()


def variants(label: str) -> set[str]:
    """The folded ways a name can appear: an apostrophe straight, curly or
    a space, a hyphen or a space; "œ" and "oe" alike."""
    pieces = _JOINS.split(fold(label).strip())
    choices: list[tuple[str, ...]] = []
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            choices.append((piece,))
        elif piece.strip() == "":
            choices.append((" ",))
        elif any(c in piece for c in "'’ʼ‘"):
            choices.append(_APOSTROPHES)
        else:
            choices.append(_HYPHENS)
    out = {"".join(combo) for combo in islice(product(*choices), 64)}
    for letter, spelled in _LIGATURES:
        out |= {v.replace(letter, spelled) for v in out} | {v.replace(spelled, letter) for v in out}
    out.discard("")
    return out


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=4096)
def _width(ch: str) -> int:
    return len(fold(ch))


class _Positions:
    """Maps positions in `fold(original)` back to `original` when folding
    changed the length ("œ" → "oe", "…" → "..."). Only non-ASCII characters
    can change length, so only they are looked at."""

    def __init__(self, original: str):
        self.breaks: list[int] = []  # folded positions where a shift starts
        self.shifts: list[int] = []  # original minus folded, from there on
        shift = 0
        for m in _NON_ASCII.finditer(original):
            width = _width(m.group())
            if width == 1:
                continue
            folded_at = m.start() - shift
            if width == 0:  # gone: what follows comes from one further on
                shift += 1
                self._add(folded_at, shift)
                continue
            # Each letter of the expansion comes from the same character.
            for j in range(1, width):
                self._add(folded_at + j, shift - j)
            shift -= width - 1

    def _add(self, folded_at: int, shift: int) -> None:
        self.breaks.append(folded_at)
        self.shifts.append(shift)

    def __call__(self, folded_at: int) -> int:
        i = bisect_right(self.breaks, folded_at)
        return folded_at + (self.shifts[i - 1] if i else 0)


# --- What campaigns listen for ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Watch:
    """An active campaign, as matching sees it."""

    campaign_id: int
    client_id: int
    # (kind, label): kind in NAME_KINDS or COMPETITOR.
    names: tuple[tuple[str, str], ...]
    key_messages: tuple[str, ...] = ()
    # The release's stemmed terms (campaigns.targeting.brief_terms).
    terms: tuple[str, ...] = ()
    language: str = "fr"


@dataclass(slots=True)
class Hit:
    kind: str
    label: str
    where: str  # "title" or "text"
    start: int  # in the original title or text
    end: int
    # Written as the name is ("Orange", not "une orange"): a lower-case
    # occurrence of a capitalised name counts half.
    exact: bool = True


@dataclass(slots=True)
class Passage:
    """A piece of the article around hits, as (text, highlighted) segments."""

    segments: list[tuple[str, bool]]
    where: str

    def to_json(self) -> dict[str, object]:
        return {"where": self.where, "segments": [[t, m] for t, m in self.segments]}


@dataclass(slots=True)
class Match:
    campaign_id: int
    client_id: int
    score: float
    hits: list[Hit]
    messages: list[str]  # the key messages found
    relevance: float  # share of the release's terms the article uses
    passages: list[Passage] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        seen: dict[str, None] = {}
        for h in self.hits:
            if h.kind in NAME_KINDS:
                seen.setdefault(h.label)
        return list(seen)


# --- The matcher ----------------------------------------------------------------


class Matcher:
    """Built once for the set of active campaigns, used for many articles."""

    def __init__(self, watches: Sequence[Watch]):
        self.watches = list(watches)
        entries: dict[str, list[tuple[int, str, str]]] = {}
        for w_index, watch in enumerate(self.watches):
            labelled = [*watch.names, *((MESSAGE, m) for m in watch.key_messages)]
            for kind, label in labelled:
                for key in variants(label):
                    if len(key) < 2:
                        continue  # one letter would match everywhere
                    entries.setdefault(key, []).append((w_index, kind, label))
        self.patterns = list(entries)
        self.owners = [entries[p] for p in self.patterns]
        self.automaton = (
            ahocorasick_rs.AhoCorasick(self.patterns, matchkind=ahocorasick_rs.MATCHKIND_STANDARD)
            if self.patterns
            else None
        )
        self._terms = [frozenset(w.terms) for w in self.watches]

    def match(self, title: str, text: str, *, threshold: float = DEFAULT_THRESHOLD) -> list[Match]:
        """The campaigns this article may be coverage of, best first, each
        with its evidence; only those at or above `threshold`."""
        if self.automaton is None:
            return []
        found: dict[int, list[Hit]] = {}
        for where, original in (("title", title or ""), ("text", text or "")):
            if original:
                self._scan(where, original, found)
        if not found:
            return []
        out = []
        stems: set[str] | None = None
        for w_index, hits in found.items():
            if not any(h.kind in NAME_KINDS for h in hits):
                continue  # a key message or a competitor alone is not our coverage
            watch = self.watches[w_index]
            if stems is None:
                stems = article_stems(f"{title} {text}", watch.language)
            match = self._score(watch, w_index, hits, stems, f"{title}\n{text}")
            if match.score >= threshold:
                match.passages = passages(title or "", text or "", match.hits)
                out.append(match)
        out.sort(key=lambda m: (-m.score, m.campaign_id))
        return out

    def mentions(self, title: str, text: str, kind: str = COMPETITOR) -> set[str]:
        """Labels of `kind` the article names (share of voice)."""
        found: dict[int, list[Hit]] = {}
        for where, original in (("title", title or ""), ("text", text or "")):
            if original and self.automaton is not None:
                self._scan(where, original, found)
        return {h.label for hits in found.values() for h in hits if h.kind == kind}

    def _scan(self, where: str, original: str, found: dict[int, list[Hit]]) -> None:
        assert self.automaton is not None
        folded = fold(original)
        at: _Positions | None = None
        same = len(folded) == len(original)
        size = len(folded)
        for p_index, start, end in self.automaton.find_matches_as_indexes(folded, overlapping=True):
            # Whole words only: "Orange" is not in "Orangina", "Total" not in
            # "totalement"; a plural is ("les Clio", "deux Renaults").
            if start > 0 and folded[start - 1].isalnum():
                continue
            stop = end
            if stop < size and folded[stop].isalnum():
                if folded[stop] in "sx" and (stop + 1 == size or not folded[stop + 1].isalnum()):
                    stop += 1
                else:
                    continue
            if same:
                o_start, o_end = start, stop
            else:
                at = at or _Positions(original)
                o_start, o_end = at(start), at(stop - 1) + 1
            written = original[o_start:o_end]
            for w_index, kind, label in self.owners[p_index]:
                exact = not (written.islower() and not label.islower())
                found.setdefault(w_index, []).append(Hit(kind, label, where, o_start, o_end, exact))

    def _score(
        self, watch: Watch, w_index: int, hits: list[Hit], stems: set[str], whole: str
    ) -> Match:
        names: dict[str, float] = {}
        in_title = False
        for h in hits:
            if h.kind in NAME_KINDS:
                weight = 1.0 if h.exact else 0.5
                names[h.label] = max(names.get(h.label, 0.0), weight)
                in_title = in_title or (h.where == "title" and h.exact)
        strongest = max(names.values())
        name_score = min(1.0, 0.5 * strongest + 0.25 * (sum(names.values()) - strongest))
        if in_title:
            name_score = min(1.0, name_score + 0.25)
        messages = [m for m in watch.key_messages if _message_present(m, hits, stems, watch)]
        terms = self._terms[w_index]
        relevance = len(terms & stems) / len(terms) if terms else 0.0
        if watch.key_messages:
            share = len(messages) / len(watch.key_messages)
            score = 0.45 * name_score + 0.2 * share + 0.35 * relevance
        else:
            score = (0.45 * name_score + 0.35 * relevance) / 0.8
        kept = [h for h in hits if h.kind != COMPETITOR]
        return Match(
            campaign_id=watch.campaign_id,
            client_id=watch.client_id,
            score=round(min(1.0, score), 3),
            hits=kept,
            messages=messages,
            relevance=round(relevance, 3),
        )


def _message_present(message: str, hits: list[Hit], stems: set[str], watch: Watch) -> bool:
    """A key message comes through word for word, or in other words: most
    of its meaningful words (stemmed) are in the article."""
    if any(h.kind == MESSAGE and h.label == message for h in hits):
        return True
    wanted = _message_stems(message, watch.language)
    if len(wanted) < 3:
        return False
    return len(wanted & stems) / len(wanted) >= 0.7


@lru_cache(maxsize=4096)
def _message_stems(message: str, language: str) -> frozenset[str]:
    return frozenset(article_stems(message, language))


@lru_cache(maxsize=200_000)
def _stem(word: str, language: str) -> str:
    stem = stemmer_for(language).stemWord(word)
    return stem if len(stem) >= 3 else word


def article_stems(text: str, language: str = "fr") -> set[str]:
    """The article's vocabulary, stemmed the way briefs are
    (campaigns.targeting.brief_terms), so both can be compared."""
    return {
        _stem(w, language)
        for w in set(_WORD.findall(fold(text)))
        if len(w) >= 3 and w not in STOP_WORDS and not w.isdigit()
    }


# --- Passages -------------------------------------------------------------------


def passages(title: str, text: str, hits: Iterable[Hit], *, limit: int = 3) -> list[Passage]:
    """Up to `limit` pieces of the article around its hits, hits marked;
    the title whole when it has one."""
    out: list[Passage] = []
    by_where: dict[str, list[Hit]] = {}
    for h in sorted(hits, key=lambda h: (h.where != "title", h.start)):
        by_where.setdefault(h.where, []).append(h)
    if "title" in by_where:
        out.append(Passage(_segments(title, 0, len(title), by_where["title"]), "title"))
    spans: list[list[int]] = []
    for h in by_where.get("text", []):
        start = max(0, h.start - PASSAGE_CHARS)
        end = min(len(text), h.end + PASSAGE_CHARS)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    for start, end in spans[: max(0, limit - len(out))]:
        # Cut at word boundaries, with an ellipsis where the text goes on.
        if start > 0:
            space = text.find(" ", start, start + 30)
            start = space + 1 if space != -1 else start
        if end < len(text):
            space = text.rfind(" ", end - 30, end)
            end = space if space != -1 else end
        inside = [h for h in by_where["text"] if h.start >= start and h.end <= end]
        segments = _segments(text, start, end, inside)
        if start > 0:
            segments.insert(0, ("…", False))
        if end < len(text):
            segments.append(("…", False))
        out.append(Passage(segments, "text"))
    return out


def _segments(text: str, start: int, end: int, hits: Sequence[Hit]) -> list[tuple[str, bool]]:
    segments: list[tuple[str, bool]] = []
    at = start
    for h in sorted(hits, key=lambda h: (h.start, -h.end)):
        if h.start < at:
            continue  # inside a longer hit already marked
        if h.start > at:
            segments.append((text[at : h.start], False))
        segments.append((text[h.start : h.end], True))
        at = h.end
    if at < end:
        segments.append((text[at:end], False))
    return [(t.replace("\n", " "), m) for t, m in segments if t]


# --- Learning the threshold from reviews ----------------------------------------


def learned_threshold(
    decisions: Iterable[tuple[float, bool]],
    *,
    default: float = DEFAULT_THRESHOLD,
    keep: float = 0.95,
    minimum: int = 20,
) -> float:
    """The highest threshold that still keeps `keep` of the candidates
    reviewers confirmed, from their (score, confirmed) decisions.

    Missing real coverage costs more than reviewing a false one, so the
    threshold only rises as far as confirmed items allow; with fewer than
    `minimum` decisions, or no rejections to learn from, it stays put.
    Bounded to [0.2, 0.8].
    """
    rows = list(decisions)
    confirmed = sorted(score for score, ok in rows if ok)
    rejected = [score for score, ok in rows if not ok]
    if len(rows) < minimum or not rejected or not confirmed:
        return default
    # Any threshold up to `cut` keeps the best `keep` share of confirmed.
    cut = confirmed[int(len(confirmed) * (1 - keep))]
    # Rise only as far as it removes rejections: just above the highest
    # rejected score under the cut, or not at all.
    below = [s for s in rejected if s < cut]
    if not below:
        return default
    return round(min(0.8, max(0.2, min(cut, max(below) + 0.001))), 3)
