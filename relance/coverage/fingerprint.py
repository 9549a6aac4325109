"""Near-duplicate text: the same wire story (AFP, Reuters, a press release
pasted whole) published by several outlets under different addresses.

Texts are compared as sets of shingles, the overlapping runs of five folded
words; two copies of one story share most of their shingles even when one
has another headline, a cut last paragraph or a "Lire aussi" line in the
middle. Finding the candidates among every stored article uses MinHash with
banding (locality-sensitive hashing): the signature is the minimum of 60
hash permutations over the shingles, cut into 20 bands of 3; two texts that
share a band are candidates. With Jaccard similarity J, the chance of
sharing at least one band is 1 - (1 - J³)²⁰: 99 % at J = 0.6, 73 % at 0.4,
15 % at 0.2. Each candidate is then confirmed on the real shingle sets, so
a chance band collision costs a comparison, never a wrong copy.

A copy is: Jaccard similarity at least DUPLICATE_JACCARD, or at least
DUPLICATE_CONTAINMENT of the shorter text's shingles found in the longer one
(an outlet that runs only the first half of the dispatch). Texts shorter
than MIN_WORDS are not compared: two short briefs on the same event say the
same thing in the same words without being copies.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable

from relance.lib.text import words

SHINGLE = 5
PERMUTATIONS = 60
BANDS = 20
ROWS = PERMUTATIONS // BANDS
MIN_WORDS = 50
DUPLICATE_JACCARD = 0.5
DUPLICATE_CONTAINMENT = 0.8

_PRIME = (1 << 61) - 1
_MASK = (1 << 32) - 1
# Fixed coefficients: signatures stored in the database must stay comparable
# across processes and releases (changing them means recomputing them all).
_rng = random.Random(20260505)
_COEFFICIENTS = [
    (_rng.randrange(1, _PRIME), _rng.randrange(0, _PRIME)) for _ in range(PERMUTATIONS)
]


def shingles(text: str) -> set[int]:
    """64-bit hashes of the text's five-word shingles (accent- and
    case-folded words, punctuation ignored)."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return set()
    out: set[int] = set()
    for i in range(len(tokens) - SHINGLE + 1):
        gram = " ".join(tokens[i : i + SHINGLE]).encode()
        out.add(int.from_bytes(hashlib.blake2b(gram, digest_size=8).digest(), "big"))
    return out


def signature(hashes: set[int]) -> list[int]:
    """MinHash signature (PERMUTATIONS values of 32 bits); [] for no shingles."""
    if not hashes:
        return []
    values = list(hashes)
    return [min((a * h + b) % _PRIME for h in values) & _MASK for a, b in _COEFFICIENTS]


def encode(sig: list[int]) -> str:
    """The signature as stored (Article.text_fingerprint): hex, 8 per value."""
    return "".join(f"{v:08x}" for v in sig)


def decode(text: str) -> list[int]:
    if not text or len(text) != 8 * PERMUTATIONS:
        return []
    return [int(text[i : i + 8], 16) for i in range(0, len(text), 8)]


def bands(sig: list[int]) -> list[int]:
    """One signed 63-bit key per band (fits a BigIntegerField on every
    database), salted with the band's number so equal values in different
    bands do not collide."""
    keys: list[int] = []
    for band in range(BANDS if sig else 0):
        rows = sig[band * ROWS : (band + 1) * ROWS]
        raw = f"{band}:" + ",".join(map(str, rows))
        digest = hashlib.blake2b(raw.encode(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True) >> 1)
    return keys


def estimated_similarity(a: list[int], b: list[int]) -> float:
    if not a or len(a) != len(b):
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def is_copy(a: set[int], b: set[int]) -> bool:
    """Whether two shingle sets are the same text (see the module's doc)."""
    if not a or not b:
        return False
    common = len(a & b)
    jaccard = common / len(a | b)
    containment = common / min(len(a), len(b))
    return jaccard >= DUPLICATE_JACCARD or containment >= DUPLICATE_CONTAINMENT


def best_original(
    mine: set[int], candidates: Iterable[tuple[int, str]]
) -> tuple[int, float] | None:
    """Among (id, text) candidates, the one `mine` is a copy of, with its
    Jaccard similarity; the most similar wins, the oldest (smallest id) on a
    tie. None when none is a copy."""
    best: tuple[int, float] | None = None
    for pk, text in candidates:
        theirs = shingles(text)
        if not is_copy(mine, theirs):
            continue
        jaccard = len(mine & theirs) / len(mine | theirs)
        if best is None or jaccard > best[1] or (jaccard == best[1] and pk < best[0]):
            best = (pk, jaccard)
    return best
