"""Matching articles against the active campaigns, on one core.

    make bench BENCH_ARGS="matching"
    python -m benchmarks matching --campaigns 1000 --articles 20000

1,000 campaigns (each a client name, two brands, two products, a
spokesperson, a competitor, three key messages and the release's terms,
drawn from Faker's French and Quebec company and person names) and a
stream of articles: the real news pages of the extraction corpus
(tests/data/coverage/articles, extracted once with trafilatura) and French
texts made of their sentences, 3 % of them naming one campaign's client or
product. Timed: `Matcher.match` over the stream, in this process (one
core), after building the matcher (timed apart). What a monitoring run
does per article besides fetching it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "data" / "coverage" / "articles"


def _texts() -> list[tuple[str, str]]:
    from relance.coverage.extract import extract_article

    out = []
    for path in sorted(PAGES.rglob("*.html")):
        got = extract_article(path.read_text(errors="replace"), url="https://example.org/a")
        if got.text:
            out.append((got.title, got.text))
    return out


def _watches(n: int, rng: random.Random):
    from faker import Faker

    from relance.campaigns.targeting import brief_terms
    from relance.coverage.matching import Watch

    fake = Faker(["fr_FR", "fr_CA"])
    fake.seed_instance(11)
    watches = []
    for i in range(n):
        client = fake.unique.company()
        words = fake.words(12)
        watches.append(
            Watch(
                campaign_id=i + 1,
                client_id=i // 3 + 1,
                names=(
                    ("client", client),
                    ("brand", fake.last_name() + " " + fake.word().capitalize()),
                    ("brand", fake.first_name() + "ia " + fake.city()),
                    ("product", fake.word().capitalize() + " " + str(rng.randint(2, 99))),
                    ("product", fake.last_name() + " Pro " + str(i)),
                    ("person", fake.name()),
                    ("competitor", fake.company()),
                ),
                key_messages=tuple(fake.sentence(6) for _ in range(3)),
                terms=tuple(brief_terms(" ".join(words), language="fr")),
            )
        )
    return watches


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks matching")
    parser.add_argument("--campaigns", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv or [])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
    import django

    django.setup()
    from relance.coverage.matching import Matcher

    rng = random.Random(5)
    watches = _watches(args.campaigns, rng)
    start = time.perf_counter()
    matcher = Matcher(watches)
    build_s = time.perf_counter() - start
    real = _texts()
    sentences = [s for _, text in real for s in text.split(". ") if len(s) > 40]
    stream: list[tuple[str, str]] = []
    named = 0
    for i in range(args.articles):
        if i < len(real):
            stream.append(real[i])
            continue
        body = ". ".join(rng.choice(sentences) for _ in range(rng.randint(8, 40)))
        title = rng.choice(sentences)[:90]
        if rng.random() < 0.03:
            watch = rng.choice(watches)
            body = (
                f"{body}. {watch.names[0][1]} présente {watch.names[3][1]}. {watch.key_messages[0]}"
            )
            named += 1
        stream.append((title, body))
    chars = sum(len(t) + len(b) for t, b in stream)
    rates, found = [], 0
    for _ in range(args.rounds):
        start = time.perf_counter()
        found = sum(1 for title, text in stream if matcher.match(title, text))
        rates.append(len(stream) / (time.perf_counter() - start))
    return {
        "campaigns": args.campaigns,
        "patterns": len(matcher.patterns),
        "articles": len(stream),
        "mean_article_chars": round(chars / len(stream)),
        "naming_a_client": named,
        "matched": found,
        "build_ms": round(build_s * 1000, 1),
        "articles_per_s_median": round(statistics.median(rates)),
        "articles_per_s_min": round(min(rates)),
    }
