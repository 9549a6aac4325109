"""Ingesting a campaign mailbox: `relance ingest-mail --maildir` on 10,000
messages.

    python -m benchmarks ingest                     # SQLite, 10,000 messages
    python -m benchmarks ingest --messages 2000 --engine postgresql

Target (issue 3): at least 500 messages/s. The maildir is built by cycling
the real bounces of tests/data/bounces (the heaviest messages: attached
originals, delivery-status parts), each copy with a Message-ID of its own
(so none is skipped as already read), and every other copy rewritten to
name the Message-ID of one of the campaign's 2,000 sent outbox rows: half
the messages match and take effect (hard bounces mark addresses and
recipients, soft ones are counted). A fresh database each run (as
bench_send). Timed from the command's start to its exit, Django start-up
included, with one classifying process and with the default (two from
1,000 messages on).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "bounces"
RELANCE = str(ROOT / ".venv" / "bin" / "relance")
TARGET = 500
ROWS = 2000


def build_outbox(count: int) -> int:
    """Inside a configured Django: a campaign of `count` recipients, all
    sent, with Message-IDs <bench-N@agence.example>."""
    from django.utils import timezone

    from benchmarks.bench_send import build
    from relance.campaigns.models import Recipient
    from relance.outreach.models import OutboxMessage

    campaign_id = build(count)
    now = timezone.now()
    recipients = Recipient.objects.filter(campaign_id=campaign_id).order_by("pk")
    recipients.update(state="sent", sent_at=now)
    OutboxMessage.objects.bulk_create(
        (
            OutboxMessage(
                campaign_id=campaign_id,
                recipient_id=r.pk,
                contact_id=r.contact_id,
                to_address=f"j{n}@media{n % 97}.example",
                language="fr",
                message_id=f"<bench-{n}@agence.example>",
                state="sent",
                next_attempt_at=now,
                sent_at=now,
            )
            for n, r in enumerate(recipients.only("pk", "contact_id"))
        ),
        batch_size=1000,
    )
    return campaign_id


def build_maildir(root: Path, count: int) -> None:
    from relance.outreach.mail import classify_message

    files = sorted(CORPUS.glob("sisimai/*.eml")) + sorted(CORPUS.glob("not-bounces/*.eml"))
    originals = []
    for path in files:
        raw = path.read_bytes()
        omid = classify_message(raw).original_message_id
        originals.append((raw, omid.strip("<>").encode() if omid else b""))
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True)
    for i, (raw, omid) in enumerate(islice(cycle(originals), count)):
        if omid and i % 2 == 0:
            raw = raw.replace(omid, f"bench-{i % ROWS}@agence.example".encode())
        raw = f"Message-ID: <in-{i}@bench.example>\r\n".encode() + raw
        (root / "new" / f"{i:06d}.eml").write_bytes(raw)


def bench(engine: str, count: int, workdir: Path) -> list[dict[str, object]]:
    from benchmarks.bench_send import drop_database, environment, psycopg_connect

    box = workdir / "Maildir"
    build_maildir(box, count)
    results = []
    for processes in (1, 0):
        # A fresh, migrated database with the sent campaign, each run.
        env = environment(workdir / f"run-{processes}", engine, 25, database="relance_bench_ingest")
        if "DATABASE_URL" in env:
            drop_database(env)
            with psycopg_connect("postgres") as c:
                c.execute("CREATE DATABASE relance_bench_ingest")
        subprocess.run([RELANCE, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        code = (
            "import django; django.setup(); from benchmarks.bench_ingest import build_outbox; "
            f"build_outbox({ROWS})"
        )
        subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)
        started = time.perf_counter()
        out = subprocess.run(
            [RELANCE, "ingest-mail", "--maildir", str(box), "--processes", str(processes)],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
        rate = count / elapsed
        results.append(
            {
                "engine": engine,
                "messages": count,
                "processes": processes or "default (2)",
                "seconds": round(elapsed, 2),
                "messages_per_s": round(rate, 1),
                "target_messages_per_s": TARGET,
                "meets_target": rate >= TARGET,
                "summary": out.stdout.strip().splitlines(),
            }
        )
    return results


def main(argv: list[str]) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(prog="bench_ingest")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        return bench(args.engine, args.messages, Path(tmp))


if __name__ == "__main__":
    import json

    print(json.dumps(main(sys.argv[1:]), indent=2))
