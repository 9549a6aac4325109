"""Two team members claiming the same follow-ups at the same moment, from
two processes on one database: for every follow-up exactly one wins.

Each process is a real Django process against a file-based SQLite database
(or a PostgreSQL database of its own when the suite runs there), outside
pytest-django's transactions, so the claims really race: both processes
wait for the same instant, then claim the same rows in the same order.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.bench_send import RELANCE, ROOT, drop_database, environment, psycopg_connect

ROWS = 30
ENGINES = ["sqlite"] + (
    ["postgresql"] if os.environ.get("DATABASE_URL", "").startswith("postgres") else []
)

BUILD = """
import django; django.setup()
from datetime import timedelta
from django.utils import timezone
from relance.accounts.models import Client, User
from relance.campaigns.models import Campaign, Recipient
from relance.contacts.models import Contact
from relance.followups.models import FollowUp
now = timezone.now()
client = Client.objects.create(name="Client")
for name in ("anne", "bruno"):
    User.objects.create_user(username=name, password="x", role="press_officer")
campaign = Campaign.objects.create(client=client, title="Release", kind="release", sent_at=now)
ids = []
for i in range({rows}):
    contact = Contact.objects.create(first_name="C", last_name=str(i))
    Recipient.objects.create(campaign=campaign, contact=contact, state="sent", sent_at=now)
    ids.append(FollowUp.objects.create(
        campaign=campaign, contact=contact, channel="phone", window_start=now,
        window_end=now + timedelta(hours=2), planned_at=now).pk)
print(ids)
"""

CLAIM = """
import json, sys, time
import django; django.setup()
from relance.accounts.models import User
from relance.followups import services
user = User.objects.get(username=sys.argv[1])
ids = json.loads(sys.argv[2])
start = float(sys.argv[3])
results = {{}}
for pk in ids:
    while time.time() < start:
        time.sleep(0.0005)
    start += 0.05  # the next row, together again
    try:
        services.claim(user, pk)
        results[pk] = "won"
    except services.AlreadyClaimed:
        results[pk] = "lost"
print(json.dumps(results))
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_exactly_one_of_two_processes_claims_each_follow_up(engine, tmp_path: Path):
    env = environment(tmp_path, engine, 0, database=f"relance_claims_{os.getpid()}")
    if engine == "postgresql":
        drop_database(env)
        with psycopg_connect("postgres") as c:
            c.execute(f"CREATE DATABASE {env['DATABASE_URL'].rsplit('/', 1)[1]}")
    try:
        subprocess.run([RELANCE, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        out = subprocess.run(
            [sys.executable, "-c", BUILD.format(rows=ROWS)],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        ids = out.stdout.strip().splitlines()[-1]
        start = str(time.time() + 4)  # both processes are up and waiting by then
        racers = [
            subprocess.Popen(
                [sys.executable, "-c", CLAIM.format(), name, ids, start],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in ("anne", "bruno")
        ]
        outputs = [r.communicate(timeout=120) for r in racers]
    finally:
        if engine == "postgresql":
            drop_database(env)
    for racer, (_, err) in zip(racers, outputs, strict=True):
        assert racer.returncode == 0, err[-2000:]
    anne, bruno = (json.loads(o.strip().splitlines()[-1]) for o, _ in outputs)
    assert set(anne) == set(bruno) and len(anne) == ROWS
    for pk in anne:
        assert sorted([anne[pk], bruno[pk]]) == ["lost", "won"], pk
