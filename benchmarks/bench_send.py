"""Sending a campaign of 10,000 personalised messages through the outbox to
a loopback SMTP server, with two `relance db_worker` processes.

    python -m benchmarks send                      # SQLite, 10,000 messages
    python -m benchmarks send --messages 2000 --engine postgresql

Target (issue 3): at least 300 messages/s with two workers on a 2-core
machine, connections reused (one per batch), memory flat. The SMTP server
(aiosmtpd) runs in its own process so that it does not share the workers'
or this script's GIL; it accepts everything and counts. Each run builds a
fresh database (a new RELANCE_DATA_DIR, or a PostgreSQL database dropped
and created again, after `migrate`), queues the campaign with
`relance send-campaign`, then times the two workers from start until every
row left the queue. The workers' resident memory is sampled as they go
(early and late: flat means no growth with the number sent) and their peak
is read from the kernel when they exit.

Messages carry no attachment unless `--attachment-kb N` (a PDF of N kB):
the loopback server then spends most of the time reading base64 lines.

`build()` is also what tests/test_outreach_crash.py uses to fill its database.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELANCE = str(ROOT / ".venv" / "bin" / "relance")
PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
PG_DATABASE = "relance_bench_send"
TARGET = 300

FIRST = ["Claire", "Julien", "Sophie", "Étienne", "Léa", "Marie-Ève", "Hugo", "Anaïs", "Rémi"]
LAST = ["Dubois", "Martin", "Lefèvre", "Tremblay", "Gagnon", "Roy", "Moreau", "Girard", "Côté"]
OUTLETS = ["Le Courrier de Lyon", "La Presse", "Radio Ouest", "Le Devoir", "Ouest Matin"]

BODY_FR = (
    "<p>Bonjour {{ first_name }},</p>"
    "<p>Éolia Énergies met en service son parc éolien. Pour {{ outlet }}, voici "
    "les chiffres clés et le dossier de presse.</p>"
    "<ul><li>30 éoliennes</li><li>120 MW</li></ul>"
    '<p><a href="https://eolia.example/presse">Dossier de presse</a></p>'
    "<p>{{ signature }}</p>"
)
BODY_EN = (
    "<p>Hello {{ first_name }},</p><p>Eolia is opening its wind farm. For {{ outlet }}, "
    "the key figures and the press kit.</p><p>{{ signature }}</p>"
)


def build(count: int, attachment_kb: int = 0) -> int:
    """Inside a configured Django: an agency, a campaign with its message in
    both languages and a PDF, and `count` recipients; returns the campaign id
    (not queued)."""
    from relance.accounts.models import Client, Role, User
    from relance.campaigns.models import Campaign, CampaignAttachment, Recipient
    from relance.contacts.models import Contact, ContactEmail, Outlet
    from relance.outreach.models import CampaignMessage

    rng = random.Random(42)
    manager = User.objects.create_user(
        "marc",
        "marc@agence.example",
        "x",
        role=Role.MANAGER,
        first_name="Marc",
        last_name="Lefèvre",
        phone="+33 4 72 00 00 00",
    )
    client = Client.objects.create(name="Éolia Énergies")
    outlets = Outlet.objects.bulk_create(
        Outlet(name=name, name_key=name.lower(), kind="print") for name in OUTLETS
    )
    contacts = Contact.objects.bulk_create(
        (
            Contact(
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                outlet=rng.choice(outlets),
                language="en" if n % 4 == 0 else "fr",
            )
            for n in range(count)
        ),
        batch_size=1000,
    )
    ContactEmail.objects.bulk_create(
        (
            ContactEmail(contact=c, address=f"j{n}@media{n % 97}.example", is_primary=True)
            for n, c in enumerate(contacts)
        ),
        batch_size=1000,
    )
    campaign = Campaign.objects.create(
        client=client, title="Parc éolien", language="fr", manager=manager
    )
    Recipient.objects.bulk_create(
        (Recipient(campaign=campaign, contact=c) for c in contacts), batch_size=1000
    )
    CampaignMessage.objects.create(
        campaign=campaign, language="fr", subject="Parc éolien : {{ outlet }}", body=BODY_FR
    )
    CampaignMessage.objects.create(
        campaign=campaign, language="en", subject="Wind farm for {{ outlet }}", body=BODY_EN
    )
    if not attachment_kb:
        return campaign.pk
    attachment = CampaignAttachment(
        campaign=campaign,
        title="Dossier",
        filename="dossier.pdf",
        content_type="application/pdf",
        size=attachment_kb * 1000,
    )
    from django.core.files.base import ContentFile

    attachment.file.save(
        "dossier.pdf", ContentFile(b"%PDF-1.4\n" + b"x" * (attachment_kb * 1000)), save=True
    )
    return campaign.pk


# --- The SMTP server, in its own process --------------------------------------------------


class Counter:
    def __init__(self, log: Path | None) -> None:
        self.count = 0
        self.log = log.open("a", buffering=1) if log else None

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        if self.log is not None:
            # One line per accepted message (its Message-ID), written before
            # answering 250: what the server accepted is on disk.
            for line in envelope.content.split(b"\r\n"):
                if line.lower().startswith(b"message-id:"):
                    self.log.write(line.split(b":", 1)[1].strip().decode() + "\n")
                    break
        return f"250 2.0.0 Ok: queued as {self.count}"


def serve_smtp(port: int, log: str = "") -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(Counter(Path(log) if log else None), hostname="127.0.0.1", port=port)
    controller.start()
    stop = False

    def end(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, end)
    signal.signal(signal.SIGINT, end)
    while not stop:
        time.sleep(0.2)
    controller.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_smtp(port: int, log: Path | None = None) -> subprocess.Popen[bytes]:
    code = f"from benchmarks.bench_send import serve_smtp; serve_smtp({port}, {str(log or '')!r})"
    server = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the SMTP server did not start")


# --- Running ---------------------------------------------------------------------------------


def environment(
    workdir: Path, engine: str, port: int, *, database: str = PG_DATABASE, **extra: str
) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "relance.settings",
            "RELANCE_DATA_DIR": str(workdir / "data"),
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "RELANCE_SECRET_KEY": "bench-send-" + "k" * 40,
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    if engine == "postgresql":
        env["DATABASE_URL"] = PG_SERVER + database
    return env


def prepare(env: dict[str, str], count: int, attachment_kb: int = 0) -> int:
    """Migrate a fresh database and build the campaign; returns its id."""
    if "DATABASE_URL" in env:
        drop_database(env)
        with psycopg_connect("postgres") as c:
            c.execute(f"CREATE DATABASE {env['DATABASE_URL'].rsplit('/', 1)[1]}")
    subprocess.run([RELANCE, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    code = (
        "import django; django.setup(); from benchmarks.bench_send import build; "
        f"print(build({count}, {attachment_kb}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    return int(out.stdout.strip().splitlines()[-1])


def psycopg_connect(database: str):
    import psycopg

    return psycopg.connect(PG_SERVER + database, autocommit=True)


def drop_database(env: dict[str, str]) -> None:
    with psycopg_connect("postgres") as c:
        c.execute(f"DROP DATABASE IF EXISTS {env['DATABASE_URL'].rsplit('/', 1)[1]} WITH (FORCE)")


def worker(env: dict[str, str], *, batch: bool = True, log: Path | None = None):
    command = [
        RELANCE,
        "db_worker",
        "--queue-name",
        "*",
        "--no-startup-delay",
        "--interval",
        "0.05",
    ]
    if batch:
        command.append("--batch")
    out = log.open("ab") if log else subprocess.DEVNULL
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)


def outbox_counts(env: dict[str, str]) -> dict[str, int]:
    code = (
        "import django, json; django.setup(); from django.db.models import Count; "
        "from relance.outreach.models import OutboxMessage as O; "
        "print(json.dumps(dict(O.objects.values_list('state').annotate(n=Count('id'))"
        ".order_by())))"
    )
    import json

    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(engine: str, count: int, workers: int, workdir: Path, attachment_kb: int = 0) -> dict:
    port = free_port()
    received = workdir / "received.log"
    received.unlink(missing_ok=True)
    env = environment(workdir, engine, port)
    campaign = prepare(env, count, attachment_kb)
    subprocess.run(
        [RELANCE, "send-campaign", str(campaign)],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    server = start_smtp(port, received)
    try:
        start = time.perf_counter()
        procs = [worker(env) for _ in range(workers)]
        early: list[int] = []
        late: list[int] = []
        marks: dict[str, float] = {}
        usage: dict[int, resource.struct_rusage] = {}
        while len(usage) < len(procs):
            for p in procs:
                if p.pid not in usage:
                    pid, _status, rusage = os.wait4(p.pid, os.WNOHANG)
                    if pid:
                        usage[pid] = rusage
                        p.returncode = 0
            done = sum(1 for _ in received.open()) if received.exists() else 0
            if done >= count * 0.1:
                marks.setdefault("10%", time.perf_counter())
            if done >= count * 0.9:
                marks.setdefault("90%", time.perf_counter())
            sample = [rss_kb(p.pid) for p in procs if p.pid not in usage]
            complete = len(sample) == len(procs) and all(sample)
            if done < count * 0.25 and complete:
                early = sample
            elif done > count * 0.75 and complete:
                late = sample
            time.sleep(0.1)
        seconds = time.perf_counter() - start
        server_cpu = cpu_seconds(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    counts = outbox_counts(env)
    if engine == "postgresql":
        drop_database(env)
    lines = received.read_text().splitlines()
    rate = round(counts.get("sent", 0) / seconds)
    return {
        "engine": engine,
        "messages": count,
        "workers": workers,
        "attachment_kb": attachment_kb,
        "seconds": round(seconds, 2),
        "messages_per_s": rate,
        "received": len(lines),
        "duplicates": len(lines) - len(set(lines)),
        "outbox": counts,
        "worker_rss_mb_early": [round(k / 1024, 1) for k in early],
        "worker_rss_mb_late": [round(k / 1024, 1) for k in late],
        "steady_messages_per_s": (
            round(count * 0.8 / (marks["90%"] - marks["10%"])) if len(marks) == 2 else None
        ),
        # Peak resident memory of each worker, from the kernel (KB on Linux).
        "worker_peak_rss_mb": [round(u.ru_maxrss / 1024, 1) for u in usage.values()],
        "worker_cpu_s": [round(u.ru_utime + u.ru_stime, 2) for u in usage.values()],
        "smtp_server_cpu_s": server_cpu,
        "target": TARGET,
        "target_met": rate >= TARGET and counts.get("sent", 0) == count,
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(prog="benchmarks send", description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engines", default="sqlite")
    parser.add_argument("--attachment-kb", type=int, default=0, help="attach a PDF of N kB")
    args = parser.parse_args(argv)
    results = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        with tempfile.TemporaryDirectory(prefix="relance-bench-send-") as tmp:
            result = bench(engine, args.messages, args.workers, Path(tmp), args.attachment_kb)
        results.append(result)
        verdict = "ok" if result["target_met"] else "BELOW TARGET"
        print(
            f"  {engine:<10} {result['messages']:,} messages, {result['workers']} workers: "
            f"{result['seconds']:.2f} s, {result['messages_per_s']:,} messages/s "
            f"(steady {result['steady_messages_per_s']})  {verdict}; "
            f"worker RSS early {result['worker_rss_mb_early']} MB, late "
            f"{result['worker_rss_mb_late']} MB, peak {result['worker_peak_rss_mb']} MB; "
            f"CPU s: workers {result['worker_cpu_s']}, SMTP server {result['smtp_server_cpu_s']}",
            flush=True,
        )
    return results


if __name__ == "__main__":
    import json

    found = main(sys.argv[1:])
    print(json.dumps(found, indent=2))
    sys.exit(0 if all(r["target_met"] for r in found) else 1)
