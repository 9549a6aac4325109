"""The campaign report with 500 coverage items: HTML and PDF, on SQLite
and PostgreSQL.

    make bench BENCH_ARGS="report"
    python -m benchmarks report --items 500 --engines sqlite

Reuses the 1,000,000-contact databases bench_search builds. In a
transaction rolled back at the end: a release sent to 2,000 contacts, 500
confirmed coverage items over a month (outlets, journalists, tones, key
messages, passages as matching stores them), 300 follow-ups done. Timed,
three rounds each: `report.campaign_html` (metrics, learnings, four SVG
charts, the template) and `report.campaign_pdf` (the same, laid out by
WeasyPrint).
"""

from __future__ import annotations

import argparse
import json

from benchmarks.bench_search import engine_env, ensure_database, run

CHILD = """
import json, random, statistics, time
from datetime import timedelta
from django.db import transaction
from django.utils import timezone
from relance.accounts.models import Client, Role, User
from relance.campaigns.models import Campaign, Recipient
from relance.contacts.models import Contact
from relance.coverage.models import CoverageItem
from relance.followups.models import FollowUp
from relance.reports import report

n_items, rounds = %(items)d, %(rounds)d
rng = random.Random(3)
now = timezone.now()
out = {}
with transaction.atomic():
    manager = User.objects.create_user(username="bench-report", role=Role.MANAGER)
    client = Client.objects.create(name="Bench report client", language="fr",
                                   primary_color="#0f766e")
    sent = now - timedelta(days=35)
    messages = ["Une énergie produite ici", "Quarante éoliennes citoyennes", "Vingt mille foyers"]
    campaign = Campaign.objects.create(client=client, manager=manager, title="Bench report release",
                                       kind="release", status="sent", sent_at=sent,
                                       key_messages=messages)
    top = Contact.objects.order_by("-id").values_list("id", flat=True).first()
    ids = list(Contact.objects.filter(id__in=rng.sample(range(1, top + 1), 3000),
                                      outlet__isnull=False).values_list("id", "outlet_id")[:2000])
    Recipient.objects.bulk_create([Recipient(campaign=campaign, contact_id=c, state="sent",
                                             sent_at=sent) for c, _ in ids])
    outcomes = ["no_answer", "interested", "declined"]
    FollowUp.objects.bulk_create([FollowUp(campaign=campaign, contact_id=c, channel="phone",
        window_start=sent, window_end=sent, state="done", outcome=rng.choice(outcomes),
        planned_at=sent, done_at=sent) for c, _ in ids[:300]])
    passage = {"where": "text", "segments": [
        ["… la société ", False], ["Bench report client", True],
        [" présente son parc éolien citoyen, quarante éoliennes financées …", False]]}
    tones = ["positive", "neutral", "negative", ""]
    CoverageItem.objects.bulk_create([CoverageItem(
        client=client, campaign=campaign, status="confirmed", source="feed",
        outlet_id=o, contact_id=c, title=f"Article {i} sur le parc éolien citoyen",
        url=f"https://media.example/{i}",
        published_at=sent + timedelta(hours=rng.randint(1, 30 * 24)),
        medium="web", audience=rng.randint(1000, 500000), tone=rng.choice(tones),
        key_messages=rng.sample(messages, rng.randint(0, 2)), score=0.7,
        evidence={"names": ["Bench report client"], "passages": [passage]},
    ) for i, (c, o) in enumerate(ids[:n_items])])
    html_t, pdf_t, size = [], [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        html = report.campaign_html(campaign)
        html_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        pdf = report.campaign_pdf(campaign)
        pdf_t.append(time.perf_counter() - start)
        size = len(pdf)
    ms = lambda values: round(statistics.median(values) * 1000)
    out = {"items": n_items, "html_median_ms": ms(html_t), "html_max_ms": round(max(html_t) * 1000),
           "pdf_median_ms": ms(pdf_t), "pdf_max_ms": round(max(pdf_t) * 1000),
           "pdf_bytes": size, "html_bytes": len(html),
           "pdf_times_ms": [round(t * 1000) for t in pdf_t]}
    if %(keep_html)d:
        open("/tmp/bench-report.html", "w").write(html)
    transaction.set_rollback(True)
print("RESULT " + json.dumps(out))
"""


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks report")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep-html", type=int, default=0, help="write /tmp/bench-report.html")
    args = parser.parse_args(argv or [])
    results = []
    for engine in args.engines.split(","):
        env = engine_env(engine, args.contacts)
        ensure_database(engine, args.contacts, env)
        values = {"items": args.items, "rounds": args.rounds, "keep_html": args.keep_html}
        output = run(env, "shell", "-c", CHILD % values, capture=True)
        line = next(x for x in output.splitlines() if x.startswith("RESULT "))
        results.append({"engine": engine, **json.loads(line.removeprefix("RESULT "))})
        print(json.dumps(results[-1]), flush=True)
    return results
