"""The follow-up planner at an agency's size: planning a 10,000-recipient
campaign among 1,000,000 contacts with 200,000 past interactions, and
logging a call's outcome with its re-plan, on SQLite and PostgreSQL.

    make bench BENCH_ARGS="followups"          # both engines, 1,000,000 contacts
    python -m benchmarks followups --contacts 200000 --engines sqlite

Reuses the databases bench_search builds (var/bench/<engine>-<N>). The
campaign, its sends and the interaction history are written in a
transaction rolled back at the end, so the database is left as it was.
Timed: `services.compute()` (load the facts in bulk, decide), its number of
queries, and `record_outcome()` (the call desk's one click: log, close,
re-plan the contact and their outlet) through the page's view when it is
there (Django's test client: middleware, view and template, no network).
"""

from __future__ import annotations

import argparse
import json

from benchmarks.bench_search import engine_env, ensure_database, run, vacuum

CHILD = """
import json, random, statistics, time
from datetime import timedelta
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from relance.accounts.models import Client, Role, User
from relance.campaigns.models import Campaign, Recipient
from relance.contacts.models import Contact
from relance.followups import services
from relance.followups.models import FollowUp
from relance.interactions.models import Interaction

recipients_n, history_n, rounds = %(recipients)d, %(history)d, %(rounds)d
rng = random.Random(7)
now = timezone.now().replace(second=0, microsecond=0)
out = {}
with transaction.atomic():
    users = [User.objects.create_user(username=f"bench-caller-{i}", role=role,
             daily_call_capacity=40)
             for i, role in enumerate([Role.MANAGER] + [Role.PRESS_OFFICER] * 6 + [Role.INTERN])]
    client = Client.objects.create(name="Bench follow-ups client")
    sent = now - timedelta(days=1)
    campaign = Campaign.objects.create(client=client, manager=users[0], title="Bench release",
                                       kind="release", status="sent", sent_at=sent)
    campaign.team.set(users[1:])
    top = Contact.objects.order_by("-id").values_list("id", flat=True).first()
    ids = sorted(rng.sample(range(1, top + 1), recipients_n * 2))
    ids = list(Contact.objects.filter(id__in=ids).values_list("id", flat=True))[:recipients_n]
    Recipient.objects.bulk_create(
        [Recipient(campaign=campaign, contact_id=c, state="sent", sent_at=sent,
                   opens=rng.choice([0, 0, 1, 2]), score=rng.random() * 10) for c in ids],
        batch_size=2000)
    # The agency's history: 200,000 interactions over the last month, a
    # third on this campaign's recipients (sends, calls, replies).
    outcomes = ["sent"] * 5 + ["no_answer", "interested", "declined", "note", "replied"]
    rows = []
    for i in range(history_n):
        contact = rng.choice(ids) if i %% 3 == 0 else rng.randint(1, top)
        outcome = rng.choice(outcomes)
        channel = "email" if outcome in ("sent", "replied") else "phone"
        direction = "in" if outcome == "replied" else "out"
        rows.append(Interaction(contact_id=contact, channel=channel, direction=direction,
                                outcome=outcome, user=users[1],
                                at=now - timedelta(minutes=rng.randint(60, 30 * 24 * 60))))
    start = time.perf_counter()
    Interaction.objects.bulk_create(rows, batch_size=5000)
    out["history_written_s"] = round(time.perf_counter() - start, 1)
    del rows  # 200,000 model instances the web process would not hold
    if connection.vendor == "postgresql":
        # As autovacuum would have: the planner's statistics see the rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE campaigns_recipient, interactions_interaction")
    times, queries = [], []
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            view = services.compute(campaign, now)
            times.append(time.perf_counter() - start)
        queries.append(len(ctx.captured_queries))
    plan = view.plan
    out.update({
        "recipients": len(ids), "history": history_n,
        "planned": len(plan.planned), "skipped": len(plan.skipped),
        "by_code": {c: sum(1 for s in plan.skipped if s.reason_code == c)
                    for c in sorted({s.reason_code for s in plan.skipped})},
        "plan_median_ms": round(statistics.median(times) * 1000, 1),
        "plan_max_ms": round(max(times) * 1000, 1),
        "plan_times_ms": [round(t * 1000, 1) for t in times],
        "queries": max(queries),
    })
    start = time.perf_counter()
    services.sync(campaign, view)
    out["sync_ms"] = round((time.perf_counter() - start) * 1000, 1)
    if connection.vendor == "postgresql":
        # Autovacuum analyses a table once a tenth of it has changed: the
        # plan's rows just written would be seen by the next clicks.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE followups_followup")
    # One click on the call desk: the outcome, logged and re-planned.
    from django.test import Client as HttpClient
    from django.urls import NoReverseMatch, reverse
    open_rows = list(FollowUp.objects.filter(campaign=campaign, channel="phone",
                     state="planned").select_related("assignee")[:20])
    click, how = [], "service"
    for i, row in enumerate(open_rows):
        outcome = ["no_answer", "declined", "interested"][i %% 3]
        try:
            url = reverse("calls:outcome", args=[row.pk])
        except NoReverseMatch:
            url = None
        start = time.perf_counter()
        if url:
            how = "page (test client)"
            http = HttpClient()
            http.force_login(row.assignee)
            start = time.perf_counter()
            response = http.post(url, {"outcome": outcome})
            assert response.status_code in (200, 302), response.status_code
        else:
            services.record_outcome(row.assignee, row, outcome)
        click.append(time.perf_counter() - start)
    if click:
        out.update({"outcome_via": how, "outcomes": len(click),
                    "outcome_median_ms": round(statistics.median(click) * 1000, 1),
                    "outcome_max_ms": round(max(click) * 1000, 1)})
    transaction.set_rollback(True)
print("RESULT " + json.dumps(out))
"""


def bench_engine(
    engine: str, contacts: int, recipients: int, history: int, rounds: int
) -> dict[str, object]:
    env = engine_env(engine, contacts)
    ensure_database(engine, contacts, env)
    if engine == "postgresql":
        vacuum(env)  # earlier runs' rolled-back history would bloat the reads
    code = CHILD % {"recipients": recipients, "history": history, "rounds": rounds}
    output = run(env, "shell", "-c", code, capture=True)
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    return {"engine": engine, "contacts": contacts, **json.loads(line.removeprefix("RESULT "))}


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks followups")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--history", type=int, default=200_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv or [])
    results = []
    for engine in args.engines.split(","):
        print(f"follow-ups benchmark on {engine}, {args.contacts:,} contacts", flush=True)
        result = bench_engine(engine, args.contacts, args.recipients, args.history, args.rounds)
        print(json.dumps(result, indent=2, ensure_ascii=False), flush=True)
        results.append(result)
    return results
