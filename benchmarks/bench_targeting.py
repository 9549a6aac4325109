"""Targeting over one million contacts: `propose()` (the page's and the
API's ranking, top 200 with reasons and warnings) for a few realistic briefs,
on SQLite and PostgreSQL.

    make bench BENCH_ARGS="targeting"           # both engines, 1,000,000 contacts
    python -m benchmarks targeting --contacts 200000 --engines sqlite

Reuses the databases bench_search builds (var/bench/<engine>-<N>,
relance_bench_<N>). Each brief is written in a transaction rolled back at the
end, so the database is left as it was. Times are for the whole call: terms,
index look-ups, the facts of the best candidates in bulk, scoring.
"""

from __future__ import annotations

import argparse
import json
import statistics

from benchmarks.bench_search import engine_env, ensure_database, run

BRIEFS = [
    {
        "title": "Un nouveau parc éolien en mer au large de la Bretagne",
        "summary": "Énergies renouvelables : 62 éoliennes, la transition énergétique"
        " de la région et l'emploi local.",
        "key_messages": ["Électricité pour 800 000 foyers", "Climat et environnement"],
    },
    {
        "title": "Festival de théâtre et de musique : la programmation",
        "summary": "Culture, spectacle vivant, concerts et expositions cet été.",
        "key_messages": ["Quarante compagnies", "Des artistes de la scène québécoise"],
    },
    {
        "title": "Une start-up lance une plateforme d'intelligence artificielle",
        "summary": "Technologie, numérique et innovation : un logiciel pour la santé.",
        "key_messages": ["Levée de fonds", "Données de santé protégées"],
    },
    {
        "title": "Agriculture biologique : les circuits courts progressent",
        "summary": "Alimentation, gastronomie et économie locale dans les régions.",
        "key_messages": ["Producteurs locaux", "Consommation responsable"],
    },
    {
        "title": "Transports : une nouvelle ligne de tramway électrique",
        "summary": "Mobilité urbaine, environnement et urbanisme.",
        "key_messages": ["Mise en service en 2027"],
    },
]

CHILD = """
import json, statistics, time
from django.db import transaction
from relance.accounts.models import Client, Role, User
from relance.campaigns.models import Campaign
from relance.campaigns import recipients
briefs = json.loads(%(briefs)r)
rounds = %(rounds)d
out = []
with transaction.atomic():
    user = User.objects.create_user(username="bench-targeting", role=Role.DIRECTOR)
    client = Client.objects.create(name="Bench targeting client")
    for brief in briefs:
        campaign = Campaign.objects.create(client=client, manager=user, **brief)
        times, found = [], 0
        for _ in range(rounds):
            start = time.perf_counter()
            proposals = recipients.propose(user, campaign)
            times.append(time.perf_counter() - start)
            found = len(proposals)
        out.append({"brief": brief["title"], "terms": len(recipients.terms_of(campaign)),
                    "proposals": found, "median_ms": round(statistics.median(times) * 1000, 1),
                    "max_ms": round(max(times) * 1000, 1),
                    "times_ms": [round(t * 1000, 1) for t in times]})
    transaction.set_rollback(True)
print("RESULT " + json.dumps(out))
"""


def bench_engine(engine: str, contacts: int, rounds: int) -> dict[str, object]:
    env = engine_env(engine, contacts)
    ensure_database(engine, contacts, env)
    code = CHILD % {"briefs": json.dumps(BRIEFS), "rounds": rounds}
    output = run(env, "shell", "-c", code, capture=True)
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    briefs = json.loads(line.removeprefix("RESULT "))
    medians = [b["median_ms"] for b in briefs]
    calls = sorted(t for b in briefs for t in b["times_ms"])
    return {
        "engine": engine,
        "contacts": contacts,
        "rounds": rounds,
        "briefs": briefs,
        "median_ms": statistics.median(medians),
        # Over every call (briefs × rounds), as bench_search counts them.
        "calls": len(calls),
        "median_all_ms": round(statistics.median(calls), 1),
        "p95_ms": calls[max(0, int(len(calls) * 0.95) - 1)],
        "max_ms": max(b["max_ms"] for b in briefs),
    }


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks targeting")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv or [])
    results = []
    for engine in args.engines.split(","):
        print(f"targeting benchmark on {engine}, {args.contacts:,} contacts", flush=True)
        result = bench_engine(engine, args.contacts, args.rounds)
        print(json.dumps(result, indent=2, ensure_ascii=False), flush=True)
        results.append(result)
    return results
